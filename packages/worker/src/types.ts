// The contract of createTenantWorker: options, the worker, its events (docs/scaling.md "Many tenants").
import type { Logger, Store, SyncEngineOptions, SyncReferralResult, SyncReport, TenantRecord, TenantRegistry } from "@pc-referrals/core";
import type PgBoss from "pg-boss";

/**
 * What the worker needs to build one tenant's engine: everything `createSyncEngine` takes except
 * the store (the worker passes `store.forTenant(tenant.id)`) and the feature flag (the registry's
 * `enabled` decides). Give each tenant its own `client` (its own login, so its own token cache
 * entry, and its own pacing).
 */
export type TenantEngineOptions = Omit<SyncEngineOptions, "store" | "enabled">;

/** Retries of a sync job that failed with a network error, a timeout, a 5xx or a store outage. */
export interface TenantWorkerRetryOptions {
  /** Attempts after the first. Default 5. */
  limit?: number;
  /** Seconds before the first retry. Default 15. */
  delaySeconds?: number;
  /** Double the delay on every retry (pg-boss `retryBackoff`). Default true. */
  backoff?: boolean;
}

/** Options of {@link createTenantWorker}. Unknown or bad keys are one `ConfigError` listing each. */
export interface TenantWorkerOptions {
  /** A store with tenant views (`forTenant`): pg-store's `createPgStore()` or core's `createMemoryStore()`. */
  store: Store;
  /**
   * The host's pg-boss 10 instance, already started (`await boss.start()`); the worker creates its
   * queues and stops only its own workers, never the instance.
   */
  boss: PgBoss;
  /** Where the tenants are kept: pg-store's `store.tenants`, or core's `createMemoryTenantRegistry()`. */
  tenants: TenantRegistry;
  /** Jobs this process runs at once (sync and one-referral jobs each). Default 2. */
  concurrency?: number;
  /**
   * Builds a tenant's engine options; called once per tenant per process (the engine is cached),
   * again only after the tenant logged in anew.
   */
  engineOptions: (tenant: TenantRecord) => TenantEngineOptions | Promise<TenantEngineOptions>;
  /** Name of the sync queue. Default `"pc-referrals-sync"`; one-referral jobs use `${queue}-referral`. */
  queue?: string;
  /**
   * The schema of `boss` (its `schema` option). Default `"pgboss"`, pg-boss's own default. The
   * worker reads its job table to never queue a tenant whose job runs or waits for a retry.
   */
  bossSchema?: string;
  /** How often this process enqueues the tenants that are due (`tenants.claimDue()`). Default 15 000 ms. */
  scheduleEveryMs?: number;
  retry?: TenantWorkerRetryOptions;
  /**
   * A job running this long fails and is retried by another worker: the time after which the job
   * of a worker that died is picked up (until then its tenant is not queued again). Default 900 s.
   */
  expireInSeconds?: number;
  /** Webhook bursts for one (tenant, referral) are folded into one job per this window. Default 10 s. */
  referralThrottleSeconds?: number;
  /** How often an idle worker asks pg-boss for a job (pg-boss `pollingIntervalSeconds`, at least 0.5). Default 2. */
  pollingIntervalSeconds?: number;
  /** pino-compatible; tenant ids, job ids and error codes only, never tokens or contact data. */
  logger?: Logger;
}

/** Why a job completed without running anything. */
export type TenantJobSkipReason = "tenant_missing" | "tenant_disabled" | "login_required" | "run_in_progress";

/** Every event of a {@link TenantWorker}, by name, with its payload. */
export interface TenantWorkerEventMap {
  /** A sync job ran its tenant's sync to the end (`report.status` may still be `partial`). */
  "job.completed":
    | { tenant: string; jobId: string; kind: "sync"; report: SyncReport }
    | { tenant: string; jobId: string; kind: "referral"; referralId: string; result: SyncReferralResult };
  /** A job completed without a run: the tenant is gone, disabled, needs a login, or its lock is held. */
  "job.skipped": { tenant: string; jobId: string; kind: "sync" | "referral"; reason: TenantJobSkipReason };
  /** A job failed; `willRetry` when pg-boss will run it again (network, timeout, 5xx, store outage). */
  "job.failed": { tenant: string; jobId: string; kind: "sync" | "referral"; error: { code: string; message: string }; willRetry: boolean };
  /** A run ended with `auth_required`: the tenant is marked "login required" and skipped until it logs in again. */
  "tenant.login_required": { tenant: string; reason: string };
  /** Partner Center throttled the tenant: its next sync waits until `until` (ISO), other tenants continue. */
  "tenant.rate_limited": { tenant: string; until: string };
}

export type TenantWorkerEventName = keyof TenantWorkerEventMap;

/** What an enqueue did: `queued: false` when the tenant already has a job waiting (or the window is taken). */
export interface EnqueueResult {
  queued: boolean;
  jobId: string | null;
}

/** A pool member: runs sync jobs of many tenants from one pg-boss queue. */
export interface TenantWorker {
  /** Creates the queues (sync: `stately`, the tenant id as singleton key), starts fetching and the schedule loop. */
  start(): Promise<void>;
  /**
   * Graceful: stops fetching and the schedule; running syncs end after the page in flight, and
   * their tenant is queued again so another worker continues. Idempotent.
   */
  stop(): Promise<void>;
  /** Queues a sync of the tenant; one waits and one runs per tenant at most. */
  enqueueSync(tenant: string, options?: { full?: boolean }): Promise<EnqueueResult>;
  /**
   * Queues a one-referral sync (a webhook's event), throttled per (tenant, referral): a burst
   * becomes one job now and one in the next window, so the latest change is never lost.
   */
  enqueueReferral(tenant: string, referralId: string): Promise<EnqueueResult>;
  /** One schedule pass now: enqueues the due tenants and resolves with their ids. */
  tick(): Promise<string[]>;
  /** Subscribes to one event; returns the unsubscribe function. */
  on<K extends TenantWorkerEventName>(event: K, listener: (payload: TenantWorkerEventMap[K]) => void): () => void;
}
