// One worker process of the PostgreSQL scenario: its own store pool (pg-boss on it too) and createTenantWorker on
// a shared database; events as JSON lines on stdout; SIGTERM stops it gracefully (exit 0).
// Config (argv[2], JSON): { databaseUrl, schema, bossSchema, concurrency, tenants: [{ id, url, token }] }.
import { createPartnerCenterClient, createStaticTokenProvider } from "@pc-referrals/core";
import { createPgBossDb, createPgStore } from "@pc-referrals/pg-store";
import PgBoss from "pg-boss";
import { createTenantWorker } from "../../src/index.js";

interface Config {
  databaseUrl: string;
  schema: string;
  bossSchema: string;
  concurrency: number;
  expireInSeconds: number;
  tenants: Array<{ id: string; url: string; token: string }>;
}

const config = JSON.parse(process.argv[2] ?? "{}") as Config;
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const store = createPgStore({ connectionString: config.databaseUrl, schema: config.schema });
// pg-boss on the store's own pool: one pool per process.
const boss = new PgBoss({ db: createPgBossDb(store), schema: config.bossSchema, maintenanceIntervalSeconds: 1 });
boss.on("error", (error) => say({ type: "boss.error", message: error.message }));
await boss.start();
const clients = new Map(
  config.tenants.map((t) => [
    t.id,
    createPartnerCenterClient({
      baseUrl: t.url,
      tokenProvider: createStaticTokenProvider(t.token),
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, maxTotalWaitMs: 50 },
    }),
  ]),
);
const worker = createTenantWorker({
  store,
  boss,
  bossSchema: config.bossSchema,
  tenants: store.tenants, // shared by both processes: claimDue is atomic, the login mark is seen by all
  concurrency: config.concurrency,
  scheduleEveryMs: 300,
  pollingIntervalSeconds: 0.5,
  expireInSeconds: config.expireInSeconds,
  retry: { limit: 5, delaySeconds: 1, backoff: false },
  engineOptions: (tenant) => ({ client: clients.get(tenant.id)! }),
});
worker.on("job.completed", (e) =>
  say(e.kind === "sync" ? { type: e.kind, tenant: e.tenant, status: e.report.status, ingested: e.report.counts.ingested } : { type: e.kind, tenant: e.tenant }),
);
worker.on("job.failed", (e) => say({ type: "job.failed", tenant: e.tenant, code: e.error.code, willRetry: e.willRetry }));
worker.on("job.skipped", (e) => say({ type: "job.skipped", tenant: e.tenant, reason: e.reason }));
worker.on("tenant.login_required", (e) => say({ type: "tenant.login_required", tenant: e.tenant }));
await worker.start();
say({ type: "ready", pid: process.pid });

process.once("SIGTERM", () => {
  void (async () => {
    await worker.stop();
    await boss.stop({ graceful: true, close: true, wait: true });
    await store.close();
    say({ type: "stopped" });
    process.exit(0);
  })();
});
