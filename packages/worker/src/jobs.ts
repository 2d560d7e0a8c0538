// What one job does: the tenant checks, the run, and how its outcome maps to pg-boss (complete,
// retry, re-queue later). Job data is the tenant id (and a referral id), never a token.
import { describeError, PcReferralsError, type SyncEngine, type SyncReport, type TenantRecord } from "@pc-referrals/core";
import type PgBoss from "pg-boss";
import type { WorkerEmitter } from "./events.js";
import type { TenantWorkerSettings } from "./options.js";
import type { EnqueueResult, TenantJobSkipReason } from "./types.js";

export interface SyncJobData {
  tenant: string;
  full?: boolean;
}

export interface ReferralJobData {
  tenant: string;
  referralId: string;
}

export interface JobContext {
  settings: TenantWorkerSettings;
  emitter: WorkerEmitter;
  engineFor(tenant: TenantRecord): Promise<SyncEngine>;
  forgetEngine(tenant: string): void;
  stopping(): boolean;
  requeue(tenant: string, data: SyncJobData, startAfter?: Date): Promise<EnqueueResult>;
}

/** Run-level codes worth another attempt later: the outage may be over by then. */
const RETRYABLE = new Set(["network_error", "timeout", "api_error", "store_error", "internal"]);

/** Thrown to make pg-boss retry: only the code and the (already masked) message go into the job's output. */
class RetryableJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "RetryableJobError";
  }
}

type Job<D> = PgBoss.JobWithMetadata<D>;

/** Runs one job; resolves with the job's output (pg-boss completes it), throws to have it retried. */
export async function runJob(ctx: JobContext, kind: "sync" | "referral", job: Job<SyncJobData | ReferralJobData>, signal: AbortSignal): Promise<object> {
  const { tenant: tenantId } = job.data;
  const skip = (reason: TenantJobSkipReason) => {
    ctx.emitter.emit("job.skipped", { tenant: tenantId, jobId: job.id, kind, reason });
    return { skipped: reason };
  };
  const tenant = await ctx.settings.tenants.get(tenantId);
  if (!tenant) return skip("tenant_missing");
  if (!tenant.enabled) return skip("tenant_disabled");
  if (tenant.loginRequired) return skip("login_required");
  const engine = await ctx.engineFor(tenant);
  return kind === "sync"
    ? runSync(ctx, job as Job<SyncJobData>, engine, signal, skip)
    : runReferral(ctx, job as Job<ReferralJobData>, engine, signal);
}

async function runSync(
  ctx: JobContext,
  job: Job<SyncJobData>,
  engine: SyncEngine,
  signal: AbortSignal,
  skip: (reason: TenantJobSkipReason) => object,
): Promise<object> {
  const tenant = job.data.tenant;
  let pauseMs: number | null = null;
  const off = engine.on("rate_limited", (e) => {
    pauseMs = Math.max(pauseMs ?? 0, e.delayMs);
  });
  let report: SyncReport;
  try {
    report = await engine.run({ trigger: "schedule", full: job.data.full === true, signal });
  } catch (error) {
    // Another run of this tenant holds the store's lock (a job that outlived its expiry).
    if (PcReferralsError.is(error) && error.code === "sync_in_progress") return skip("run_in_progress");
    throw error;
  } finally {
    off();
  }
  if (report.status !== "failed") {
    ctx.emitter.emit("job.completed", { tenant, jobId: job.id, kind: "sync", report });
    return { runId: report.runId, status: report.status };
  }
  const error = report.errors.find((e) => e.referralId === null) ?? report.errors[0] ?? { code: "internal", message: "the run failed" };
  return settleFailure(ctx, job, { code: error.code, message: error.message }, pauseMs, report.runId);
}

/** The tenant's login was revoked: skipped until it logs in again, and its engine (and client) built anew then. */
async function requireLogin(ctx: JobContext, tenant: string, reason: string): Promise<void> {
  await ctx.settings.tenants.markLoginRequired(tenant, reason);
  ctx.forgetEngine(tenant);
  ctx.emitter.emit("tenant.login_required", { tenant, reason });
}

async function settleFailure(
  ctx: JobContext,
  job: Job<SyncJobData>,
  error: { code: string; message: string },
  pauseMs: number | null,
  runId: string,
): Promise<object> {
  const tenant = job.data.tenant;
  const { emitter, settings } = ctx;
  if (error.code === "aborted" && ctx.stopping()) {
    // Shutdown: the pages written are kept; the tenant goes back to the queue for another worker.
    await ctx.requeue(tenant, job.data);
    return { runId, status: "released" };
  }
  if (error.code === "aborted") {
    // The job outlived expireInSeconds: failed (pg-boss may have done so already), so it runs again
    // from the last durable page, never completed.
    emitter.emit("job.failed", { tenant, jobId: job.id, kind: "sync", error, willRetry: job.retryCount < job.retryLimit });
    throw new RetryableJobError(error.code, error.message);
  }
  if (error.code === "auth_required") {
    await requireLogin(ctx, tenant, error.message);
    emitter.emit("job.failed", { tenant, jobId: job.id, kind: "sync", error, willRetry: false });
    return { runId, status: "login_required" };
  }
  if (error.code === "rate_limited") {
    // Paced per tenant: this job ends (its slot goes to other tenants) and a new one waits out the Retry-After.
    // The Retry-After, when the run saw one (`rate_limited` events); else the job retry delay.
    const until = new Date(Date.now() + Math.max(pauseMs ?? settings.retry.delaySeconds * 1000, 1000));
    await ctx.requeue(tenant, job.data, until);
    emitter.emit("tenant.rate_limited", { tenant, until: until.toISOString() });
    return { runId, status: "rate_limited", until: until.toISOString() };
  }
  const willRetry = RETRYABLE.has(error.code) && job.retryCount < job.retryLimit;
  emitter.emit("job.failed", { tenant, jobId: job.id, kind: "sync", error, willRetry });
  settings.logger?.warn({ tenant, jobId: job.id, code: error.code, willRetry }, "tenant_sync_failed");
  if (RETRYABLE.has(error.code)) throw new RetryableJobError(error.code, error.message);
  return { runId, status: "failed", code: error.code };
}

async function runReferral(ctx: JobContext, job: Job<ReferralJobData>, engine: SyncEngine, signal: AbortSignal): Promise<object> {
  const { tenant, referralId } = job.data;
  try {
    const result = await engine.syncReferral(referralId, { reason: "webhook", signal });
    ctx.emitter.emit("job.completed", { tenant, jobId: job.id, kind: "referral", referralId, result });
    return { outcome: result.outcome };
  } catch (thrown) {
    const error = describeError(thrown);
    const retryable = RETRYABLE.has(error.code) || error.code === "rate_limited";
    ctx.emitter.emit("job.failed", { tenant, jobId: job.id, kind: "referral", error, willRetry: retryable && job.retryCount < job.retryLimit });
    if (error.code === "auth_required") await requireLogin(ctx, tenant, error.message);
    if (retryable) throw new RetryableJobError(error.code, error.message);
    return { outcome: "failed", code: error.code };
  }
}
