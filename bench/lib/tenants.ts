// The tenant row: T tenants × N referrals at a page latency, synced by 1, 2 and 4 worker processes
// (createTenantWorker on pg-boss, PostgreSQL). Wall time from "go" to the last tenant's finished
// sync, its ratio to the ideal (tenants × pages × latency ÷ total concurrency), and the peak of
// pg_stat_activity for the database while it ran.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createMemoryTenantRegistry } from "@pc-referrals/core";
import { createPgBossDb, createPgStore } from "@pc-referrals/pg-store";
import { createTenantWorker } from "@pc-referrals/worker";
import pg from "pg";
import PgBoss from "pg-boss";
import { startFakeProcess } from "../../packages/core/scripts/bench/fake-process.js";

export interface TenantEntry {
  tenants: number;
  n: number;
  latencyMs: number;
  processes: number;
  concurrencyPerProcess: number;
  tenantsWallMs: number;
  idealMs: number;
  ratioToIdeal: number;
  peakConnections: number;
}

export const isTenantEntry = (entry: object): entry is TenantEntry => "tenantsWallMs" in entry;

const CHILD = fileURLToPath(new URL("./tenant-worker-process.ts", import.meta.url));
const PAGE_SIZE = 100;

interface Child {
  proc: ChildProcess;
  lines: Array<{ type: string; tenant?: string; message?: string; code?: string }>;
}

function spawnChild(config: object): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(config)], { stdio: ["pipe", "pipe", "inherit"] });
  const child: Child = { proc, lines: [] };
  let buffered = "";
  proc.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const part of parts) if (part.trim()) child.lines.push(JSON.parse(part) as Child["lines"][number]);
  });
  return child;
}

const waitUntil = async (check: () => boolean, timeoutMs: number, what: string) => {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`tenant row: ${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** One (processes) sample on fresh schemas; the fake serves every tenant the same referrals. */
async function sample(databaseUrl: string, fake: { url: string; token: string }, tenants: string[], n: number, latencyMs: number, processes: number, concurrency: number): Promise<TenantEntry> {
  const schema = `pcr_bench_tenants_${processes}`;
  const bossSchema = `${schema}_boss`;
  const admin = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${bossSchema} CASCADE`);
  const store = createPgStore({ connectionString: databaseUrl, schema });
  await store.migrate();
  const boss = new PgBoss({ db: createPgBossDb(store), schema: bossSchema, supervise: false });
  await boss.start();
  // Never started: it only queues the tenants, all at once, before the workers get "go".
  const enqueuer = createTenantWorker({ store, boss, bossSchema, tenants: createMemoryTenantRegistry(), engineOptions: () => {
      throw new Error("the enqueuer runs no jobs");
    },
  });
  const children: Child[] = [];
  try {
    for (const tenant of tenants) await enqueuer.enqueueSync(tenant);
    for (let i = 0; i < processes; i += 1) {
      children.push(spawnChild({ databaseUrl, schema, bossSchema, concurrency, tenants, url: fake.url, token: fake.token }));
    }
    await waitUntil(() => children.every((c) => c.lines.some((l) => l.type === "ready")), 60_000, "worker start-up");
    let peak = 0;
    const sampling = setInterval(() => {
      void admin
        .query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        .then(({ rows }) => (peak = Math.max(peak, rows[0]?.n ?? 0)))
        .catch(() => undefined);
    }, 100);
    const started = performance.now();
    for (const child of children) child.proc.stdin?.write("go\n");
    const done = () => new Set(children.flatMap((c) => c.lines.filter((l) => l.type === "done").map((l) => l.tenant))).size;
    await waitUntil(() => done() === tenants.length, 30 * 60_000, `all ${tenants.length} tenant syncs`);
    const wallMs = performance.now() - started;
    clearInterval(sampling);
    const pages = Math.ceil(n / PAGE_SIZE);
    const idealMs = (tenants.length * pages * latencyMs) / (processes * concurrency);
    const problems = children.flatMap((c) => c.lines.filter((l) => l.type === "failed" || l.type === "error"));
    if (problems.length > 0) console.log(`… tenants: ${problems.length} job failures or pg-boss errors, e.g. ${JSON.stringify(problems[0])}`);
    return {
      tenants: tenants.length,
      n,
      latencyMs,
      processes,
      concurrencyPerProcess: concurrency,
      tenantsWallMs: Math.round(wallMs),
      idealMs: Math.round(idealMs),
      ratioToIdeal: Number((wallMs / idealMs).toFixed(3)),
      peakConnections: peak,
    };
  } finally {
    for (const child of children) child.proc.kill("SIGTERM");
    await Promise.all(children.map((c) => new Promise((resolve) => (c.proc.exitCode !== null ? resolve(null) : c.proc.once("exit", resolve)))));
    await boss.stop({ graceful: false, wait: true });
    await store.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${bossSchema} CASCADE`);
    await admin.end();
  }
}

/** The row on 1, 2 and 4 processes of `concurrency` jobs each. */
export async function runTenantRow(
  databaseUrl: string,
  options: { tenants: number; n: number; latencyMs: number; processes: readonly number[]; concurrency: number },
  log: (text: string) => void,
): Promise<TenantEntry[]> {
  const fake = await startFakeProcess(options.n, 42, { latencyMs: options.latencyMs });
  const tenants = Array.from({ length: options.tenants }, (_, i) => `tenant-${String(i + 1).padStart(3, "0")}`);
  const entries: TenantEntry[] = [];
  try {
    for (const processes of options.processes) {
      log(`${options.tenants} tenants × ${options.n.toLocaleString("en-US")} × ${options.latencyMs} ms on ${processes} worker process(es) × ${options.concurrency}`);
      entries.push(await sample(databaseUrl, fake, tenants, options.n, options.latencyMs, processes, options.concurrency));
    }
  } finally {
    await fake.stop();
  }
  return entries;
}
