// The worker's parts, built from the environment: PostgreSQL store, client, engine, scheduler.
// Every copy runs the same schedule; the store's run lock (a lease row plus an advisory lock)
// lets one run at a time, so a copy whose tick finds the lock held skips that tick.
import {
  ConfigError,
  createMsalTokenProvider,
  createPartnerCenterClient,
  createScheduler,
  createStaticTokenProvider,
  createSyncEngine,
  loadConfig,
  type Logger,
  type Scheduler,
  type TokenProvider,
} from "@pc-referrals/core";
import { createPgStore, type PgStore } from "@pc-referrals/pg-store";

export interface Worker {
  store: PgStore;
  scheduler: Scheduler;
  /** Stops the schedule (the run in flight ends after its page commits), then closes the store. */
  stop(): Promise<void>;
}

/**
 * Reads `PARTNER_CENTER_*` and `DATABASE_URL` (core's `loadConfig`), plus two settings of this
 * example: `WORKER_DB_SCHEMA` (default `partner_center`) and `WORKER_ACCESS_TOKEN` (a bearer token
 * obtained elsewhere; without it the worker uses the device-code login stored in the database by
 * `pc-referrals login --token-store db`).
 */
export async function startWorker(env: Record<string, string | undefined>, logger: Logger): Promise<Worker> {
  const config = loadConfig(env);
  if (config.databaseUrl === null) {
    throw new ConfigError([{ path: "DATABASE_URL", message: "the worker runs against PostgreSQL: set DATABASE_URL=postgres://…" }]);
  }
  if (!config.enabled) {
    throw new ConfigError([{ path: "PARTNER_CENTER_ENABLED", message: "set PARTNER_CENTER_ENABLED=true to let the worker sync" }]);
  }
  const store = createPgStore({
    connectionString: config.databaseUrl,
    ...(env.WORKER_DB_SCHEMA ? { schema: env.WORKER_DB_SCHEMA } : {}),
  });
  // Safe when several copies start at once: the migrator serializes them.
  await store.migrate();

  const token = env.WORKER_ACCESS_TOKEN?.trim();
  const tokenProvider: TokenProvider = token
    ? createStaticTokenProvider(token)
    : createMsalTokenProvider({
        // loadConfig guarantees a client id when enabled.
        clientId: config.clientId ?? "",
        tenantId: config.tenantId,
        ...(config.authority === null ? {} : { authority: config.authority }),
        scopes: [config.scope],
        cache: store.tokenCache(),
        logger,
      });
  const client = createPartnerCenterClient({ baseUrl: config.apiBaseUrl, tokenProvider });
  const engine = createSyncEngine({
    client,
    store,
    enabled: config.enabled,
    overlapMs: config.syncOverlapSeconds * 1000,
    scoring: { azureTenantScore: config.azureTenantScore, coSellBonus: config.coSellBonus },
    expiry: { defaultDays: config.expiryDefaultDays, thresholdsDays: config.expiryThresholdsDays },
    logger,
  });
  const scheduler = createScheduler(engine, { intervalMs: config.syncIntervalSeconds * 1000, runOnStart: true, logger });
  scheduler.start();
  return {
    store,
    scheduler,
    async stop() {
      await scheduler.stop();
      await store.close();
      await client.close();
    },
  };
}
