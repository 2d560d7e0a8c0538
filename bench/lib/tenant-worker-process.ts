// One worker process of the tenant row: createTenantWorker (built packages) on its own pg-store
// pool, pg-boss on the same pool. Waits for "go" on stdin, then prints one JSON line per finished
// tenant sync; SIGTERM stops it gracefully.
import { createInterface } from "node:readline";
import { createMemoryTenantRegistry, createPartnerCenterClient, createStaticTokenProvider } from "@pc-referrals/core";
import { createPgBossDb, createPgStore } from "@pc-referrals/pg-store";
import { createTenantWorker } from "@pc-referrals/worker";
import PgBoss from "pg-boss";

interface Config {
  databaseUrl: string;
  schema: string;
  bossSchema: string;
  concurrency: number;
  tenants: string[];
  url: string;
  token: string;
}

const config = JSON.parse(process.argv[2] ?? "{}") as Config;
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const store = createPgStore({ connectionString: config.databaseUrl, schema: config.schema });
const boss = new PgBoss({ db: createPgBossDb(store), schema: config.bossSchema });
boss.on("error", (error) => say({ type: "error", message: error.message }));
await boss.start();
// Every tenant reads the same fake (its own client, so its own pacing and token).
const clients = new Map(config.tenants.map((id) => [id, createPartnerCenterClient({ baseUrl: config.url, tokenProvider: createStaticTokenProvider(config.token) })]));
const registry = createMemoryTenantRegistry(config.tenants.map((id) => ({ id })));
const worker = createTenantWorker({
  store,
  boss,
  bossSchema: config.bossSchema,
  // The bench queues the tenants itself (all at once); this process's schedule queues none.
  tenants: { ...registry, claimDue: async () => [] },
  concurrency: config.concurrency,
  pollingIntervalSeconds: 0.5,
  engineOptions: (tenant) => ({ client: clients.get(tenant.id)! }),
});
worker.on("job.completed", (e) => {
  if (e.kind === "sync") say({ type: "done", tenant: e.tenant, status: e.report.status, ingested: e.report.counts.ingested });
});
worker.on("job.failed", (e) => say({ type: "failed", tenant: e.tenant, code: e.error.code }));
say({ type: "ready" });
const input = createInterface({ input: process.stdin });
input.once("line", () => {
  input.close();
  void worker.start();
});
process.once("SIGTERM", () => {
  void (async () => {
    await worker.stop();
    await boss.stop({ graceful: true, wait: true });
    await store.close();
    process.exit(0);
  })();
});
