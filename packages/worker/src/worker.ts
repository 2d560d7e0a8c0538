// createTenantWorker: sync jobs of many tenants from one pg-boss queue (docs/scaling.md "Many tenants").
import { ConfigError, createSyncEngine, DEFAULT_TENANT, describeError, InvalidInputError, requireTenantId, type SyncEngine, type TenantRecord } from "@pc-referrals/core";
import type PgBoss from "pg-boss";
import { createWorkerEmitter } from "./events.js";
import { runJob, type JobContext, type ReferralJobData, type SyncJobData } from "./jobs.js";
import { parseWorkerOptions } from "./options.js";
import type { EnqueueResult, TenantWorker, TenantWorkerOptions } from "./types.js";

/** The engine's cursor scope unless engineOptions names one; the run lock is the tenant's either way. */
const ENGINE_DEFAULT_SCOPE = "default";

/**
 * Creates a pool member. `start()` creates the queues and begins fetching; run as many processes
 * as you like on one database: pg-boss hands each job to one of them.
 *
 * ```ts
 * const boss = new PgBoss(process.env.DATABASE_URL);
 * await boss.start();
 * const worker = createTenantWorker({ store, boss, tenants: store.tenants, engineOptions: (t) => ({ client: clientFor(t) }) });
 * await worker.start();
 * process.once("SIGTERM", () => void worker.stop().then(() => boss.stop()));
 * ```
 */
export function createTenantWorker(options: TenantWorkerOptions): TenantWorker {
  const settings = parseWorkerOptions(options);
  const { boss, tenants, queue, referralQueue, logger } = settings;
  const emitter = createWorkerEmitter(logger);
  const engines = new Map<string, Promise<SyncEngine>>();
  const running = new Map<string, { tenant: string; controller: AbortController; done: Promise<unknown> }>();
  const workIds: string[] = [];
  let state: "idle" | "started" | "stopping" | "stopped" = "idle";
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<unknown> = Promise.resolve();

  // One engine per tenant per process; dropped when its login was found revoked, so the next job
  // after a new login builds it (and its client) anew.
  const engineFor = (tenant: TenantRecord): Promise<SyncEngine> => {
    const cached = engines.get(tenant.id);
    if (cached) return cached;
    const engine = Promise.resolve(settings.engineOptions(tenant)).then((engineOptions) =>
      createSyncEngine({ ...engineOptions, store: settings.store.forTenant(tenant.id), enabled: true }),
    );
    engine.catch(() => engines.delete(tenant.id));
    engines.set(tenant.id, engine);
    return engine;
  };

  // Created once per process, by start() or the first enqueue (a web process may only enqueue).
  let queuesReady: Promise<void> | null = null;
  const ensureQueues = (): Promise<void> =>
    (queuesReady ??= (async () => {
      const common = {
        retryLimit: settings.retry.limit,
        retryDelay: settings.retry.delaySeconds,
        retryBackoff: settings.retry.backoff,
        expireInSeconds: settings.expireInSeconds,
      };
      await boss.createQueue(queue, { name: queue, policy: "stately", ...common });
      await boss.createQueue(referralQueue, { name: referralQueue, policy: "standard", ...common });
    })().catch((error: unknown) => {
      queuesReady = null;
      throw error;
    }));

  const sendSync = async (tenant: string, data: SyncJobData, startAfter?: Date): Promise<EnqueueResult> => {
    await ensureQueues();
    const jobId = await boss.send(queue, data, { singletonKey: tenant, ...(startAfter ? { startAfter } : {}) });
    return { queued: jobId !== null, jobId };
  };

  const context: JobContext = {
    settings,
    emitter,
    engineFor,
    forgetEngine: (tenant) => engines.delete(tenant),
    stopping: () => state !== "started",
    requeue: (tenant, data, startAfter) => sendSync(tenant, data, startAfter),
  };

  const handler =
    <D extends SyncJobData | ReferralJobData>(kind: "sync" | "referral") =>
    async ([job]: PgBoss.JobWithMetadata<D>[]): Promise<unknown> => {
      if (!job) return null;
      const controller = new AbortController();
      // pg-boss fails a job at its expiry and retries it elsewhere, but cannot stop our run: end it
      // here after the page in flight, so two runs of the tenant never overlap by more than that.
      const expiry = setTimeout(() => controller.abort(), settings.expireInSeconds * 1000);
      expiry.unref();
      const done = runJob(context, kind, job, controller.signal);
      running.set(job.id, { tenant: job.data.tenant, controller, done: done.catch(() => undefined) });
      try {
        const output = await done;
        // Completed here rather than by pg-boss after we return (it does not wait for it), so
        // `stop()` resolving means the job is released.
        await boss.complete(job.name, job.id, output);
        return output;
      } finally {
        clearTimeout(expiry);
        running.delete(job.id);
      }
    };

  // pg-boss 10 fetches a stately queue's oldest due job even when its key already has a job active;
  // the fetch then fails on the policy's unique index and returns nothing, so one tenant would hold
  // up every tenant queued behind it until its run ends (docs/scaling.md "Many tenants"). A tenant
  // with a job running, or failed and waiting for its retry, is therefore never sent another: the
  // schedule claims it again an interval later. pg-boss 10's job table is `<schema>.job`.
  const openJobSql = `SELECT 1 FROM "${settings.bossSchema}".job WHERE name = $1 AND singleton_key = $2 AND state IN ('retry', 'active') LIMIT 1`;
  const hasOpenJob = async (tenant: string): Promise<boolean> => (await boss.getDb().executeSql(openJobSql, [queue, tenant])).rows.length > 0;

  const isRunning = async (tenant: string): Promise<boolean> => {
    if ([...running.values()].some((job) => job.tenant === tenant)) return true;
    if (await hasOpenJob(tenant)) return true;
    const view = settings.store.forTenant(tenant);
    if (typeof view.getSyncStatus !== "function") return false;
    try {
      return (await view.getSyncStatus(ENGINE_DEFAULT_SCOPE)).running !== null;
    } catch (error) {
      // Unknown: queue it, as without the check (the job's own run then reports the outage).
      logger?.warn({ tenant, error: describeError(error) }, "tenant_status_failed");
      return false;
    }
  };

  const tick = async (): Promise<string[]> => {
    const due = await tenants.claimDue();
    const queued: string[] = [];
    for (const tenant of due) {
      if (await isRunning(tenant.id)) {
        logger?.debug({ tenant: tenant.id }, "tenant_still_running");
        continue;
      }
      const result = await sendSync(tenant.id, { tenant: tenant.id, full: false });
      if (result.queued) queued.push(tenant.id);
    }
    return queued;
  };

  const scheduleNext = () => {
    timer = setTimeout(() => {
      ticking = tick()
        .catch((error: unknown) => logger?.warn({ error: describeError(error) }, "tenant_schedule_failed"))
        .finally(() => {
          if (state === "started") scheduleNext();
        });
    }, settings.scheduleEveryMs);
    timer.unref();
  };

  return {
    async start() {
      if (state !== "idle") return;
      state = "started";
      await ensureQueues();
      try {
        await hasOpenJob(DEFAULT_TENANT);
      } catch {
        state = "idle";
        throw new ConfigError([
          { path: "createTenantWorker.bossSchema", message: `pg-boss's tables are not in schema "${settings.bossSchema}": pass the schema your PgBoss uses (its \`schema\` option)` },
        ]);
      }
      const workOptions = { batchSize: 1, includeMetadata: true as const, pollingIntervalSeconds: settings.pollingIntervalSeconds };
      for (let i = 0; i < settings.concurrency; i += 1) {
        workIds.push(await boss.work<SyncJobData>(queue, workOptions, handler<SyncJobData>("sync")));
        workIds.push(await boss.work<ReferralJobData>(referralQueue, workOptions, handler<ReferralJobData>("referral")));
      }
      ticking = tick().catch((error: unknown) => logger?.warn({ error: describeError(error) }, "tenant_schedule_failed"));
      scheduleNext();
    },

    async stop() {
      if (state === "stopped" || state === "stopping") return;
      const wasStarted = state === "started";
      state = "stopping";
      if (timer) clearTimeout(timer);
      if (wasStarted) {
        for (const id of workIds.splice(0)) await boss.offWork({ id });
        for (const job of running.values()) job.controller.abort();
        await Promise.all([ticking, ...[...running.values()].map((job) => job.done)]);
        // The jobs complete right after their handler returns.
        while (running.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      state = "stopped";
    },

    async enqueueSync(tenant, options) {
      requireTenantId(tenant);
      // One waits already, or it runs or waits for a retry: that job is the sync asked for.
      if (await isRunning(tenant)) return { queued: false, jobId: null };
      return sendSync(tenant, { tenant, full: options?.full === true });
    },

    async enqueueReferral(tenant, referralId) {
      requireTenantId(tenant);
      if (typeof referralId !== "string" || referralId.trim() === "" || referralId.length > 200) {
        throw new InvalidInputError("referralId must be a non-empty string of at most 200 characters.");
      }
      const key = `${tenant}:${referralId}`;
      const data: ReferralJobData = { tenant, referralId };
      const window = settings.referralThrottleSeconds;
      await ensureQueues();
      const jobId = await boss.sendThrottled(referralQueue, data, {}, window, key);
      if (jobId !== null) return { queued: true, jobId };
      // This window already has its job, which may read the referral before this change: one more
      // in the next window (debounced, so a burst still makes two jobs at most).
      const later = await boss.sendDebounced(referralQueue, data, {}, window, key);
      return { queued: later !== null, jobId: later };
    },

    tick,

    on: (event, listener) => emitter.on(event, listener),
  };
}

