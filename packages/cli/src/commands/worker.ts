// `worker [--concurrency n]`: one member of the pool that syncs the registered tenants through
// pg-boss (docs/scaling.md "Many tenants"), one log line per job; Ctrl-C or SIGTERM stops it
// gracefully (the page in flight commits, the job is released for another worker) and exits 0.
import { createPartnerCenterClient, type Logger, type TenantRecord } from "@pc-referrals/core";
import { createPgBossDb, type PgStore } from "@pc-referrals/pg-store";
import { createTenantWorker, type TenantWorker } from "@pc-referrals/worker";
import PgBoss from "pg-boss";
import type { CommandContext } from "../command.js";
import { requireClientId, requireEnabled, resolveConfig, type CliConfig } from "../config.js";
import { engineSettings, openStore, tokenProvider, withStore } from "../context.js";
import { untilInterrupted } from "../io.js";
import { createCliLogger } from "../log.js";
import { EXIT } from "../output.js";
import { wholeFlag } from "./read.js";

/**
 * The schema pg-boss keeps its queues in, beside the store's: `pgboss`, or `<PARTNER_CENTER_DB_SCHEMA>_pgboss`,
 * so two installations in two schemas of one database never share a queue.
 */
export function bossSchema(config: CliConfig): string {
  return config.dbSchema === null ? "pgboss" : `${config.dbSchema.slice(0, 56)}_pgboss`;
}

/** pg-boss on the store's own database (its pool on PostgreSQL, its one connection on PGlite): one pool per process. */
function startBoss(config: CliConfig, store: PgStore, logger: Logger): PgBoss {
  const boss = new PgBoss({ db: createPgBossDb(store), schema: bossSchema(config) });
  boss.on("error", (error) => logger.error({ error: error.message }, "pg-boss error"));
  return boss;
}

/** One log line per job and per tenant state change: tenant ids, job ids, counts and codes only. */
function logJobs(worker: TenantWorker, logger: Logger): void {
  worker.on("job.completed", (e) => {
    if (e.kind === "referral") {
      logger.info({ tenant: e.tenant, job: e.jobId, referralId: e.referralId, outcome: e.result.outcome }, "referral synced");
      return;
    }
    const c = e.report.counts;
    logger.info({ tenant: e.tenant, job: e.jobId, status: e.report.status, pages: c.pages, new: c.ingested, updated: c.updated, failed: c.failed }, "sync finished");
  });
  worker.on("job.skipped", (e) => logger.info({ tenant: e.tenant, job: e.jobId, kind: e.kind, reason: e.reason }, "job skipped"));
  worker.on("job.failed", (e) => logger.warn({ tenant: e.tenant, job: e.jobId, kind: e.kind, code: e.error.code, willRetry: e.willRetry }, "job failed"));
  worker.on("tenant.login_required", (e) => logger.warn({ tenant: e.tenant, fix: `pc-referrals tenants login ${e.tenant}` }, "tenant login required"));
  worker.on("tenant.rate_limited", (e) => logger.info({ tenant: e.tenant, until: e.until }, "tenant rate limited"));
}

export async function run({ io, values, verbose }: CommandContext): Promise<number> {
  const config = resolveConfig(io, { tokenStore: values["token-store"] as string | undefined });
  requireEnabled(config);
  // Checked before any job runs: without it every tenant's first job would fail the same way.
  requireClientId(config);
  const concurrency = wholeFlag("concurrency", values.concurrency, 1, 64) ?? 2;
  const { logger } = createCliLogger(io, { verbose });
  return withStore(openStore(config), async (store) => {
    const boss = startBoss(config, store, logger);
    await boss.start();
    try {
      // Each tenant its own client: its own token cache (login) and so its own pacing.
      const engineOptions = (tenant: TenantRecord) => {
        const tokens = tokenProvider(config, store, { tenant: { id: tenant.id, entraTenantId: tenant.entraTenantId }, logger });
        const client = createPartnerCenterClient({ tokenProvider: tokens, baseUrl: config.apiBaseUrl, logger });
        return { client, ...engineSettings(config, logger, tenant.overrides) };
      };
      const worker = createTenantWorker({ store, boss, bossSchema: bossSchema(config), tenants: store.tenants, concurrency, engineOptions, logger });
      logJobs(worker, logger);
      await worker.start();
      logger.info({ concurrency, store: config.databaseUrl !== null ? "pg" : "pglite" }, "worker started; Ctrl-C or SIGTERM stops it after the pages in flight commit");
      await untilInterrupted(io);
      await worker.stop();
      logger.info({}, "worker stopped");
    } finally {
      // close: false, the store owns the connections (withStore closes it).
      await boss.stop({ graceful: true, close: false, wait: true, timeout: 10_000 });
    }
    return EXIT.ok;
  });
}
