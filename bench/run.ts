// `pnpm bench`: the end-to-end sync against the physical limit, everything on loopback. The fake
// Partner Center runs in its own process; this process runs the real client, engine and store
// (PostgreSQL at DATABASE_URL and PGlite). For each N × latency × store it interleaves L (fetch-only,
// the lower bound) and S (a full sync) so that S/L holds on a noisy machine, then times the CLI's
// first run in fresh processes and, at N = 2,000, the naive baseline B. Prints the tables, writes
// results/latest.json and the results section of README.md (`--quick`: results/quick.json only).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { createPartnerCenterClient, createStaticTokenProvider, type ListReferralsQuery } from "@pc-referrals/core";
import { startFakeProcess } from "../packages/core/scripts/bench/fake-process.js";
import { databaseUrl, openDatabase, postgresProblem, STORE_KINDS, type BenchDatabase, type StoreKind } from "./lib/databases.js";
import { prepareFirstRuns } from "./lib/first-run.js";
import { runInbox } from "./lib/inbox.js";
import { idleShare, profiled, selfTimeTable, topSelfTime, type CpuProfile } from "./lib/profile.js";
import { resultTables, spread, syncEntry, tenantTable, type Entry, type Spread, type SpreadKey } from "./lib/report.js";
import { isTenantEntry, runTenantRow } from "./lib/tenants.js";
import { BASELINE_PAUSE_MS, fetchOnly, fullSync, naiveBaseline, recordingClient } from "./lib/samples.js";

const here = (path: string) => new URL(path, import.meta.url);
const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    sizes: { type: "string" },
    latencies: { type: "string" },
    stores: { type: "string" },
    profile: { type: "boolean", default: false },
    inbox: { type: "boolean" },
    "no-inbox": { type: "boolean" },
    "tenants-only": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log(`pnpm bench [--quick] [--runs N] [--sizes 2000,10000] [--latencies 0,150] [--stores postgres,pglite] [--profile] [--inbox|--no-inbox]
  --quick     N = 2,000 only, 3 runs, no inbox; writes results/quick.json (latest.json and README.md untouched)
  --inbox     the inbox entry (100,000 referrals on PostgreSQL) in a quick or partial run too
  --profile   also profile S (0 ms, 2,000, PostgreSQL) and a first run; top 10 self time into README.md
  --tenants-only  only the tenant row (50 tenants × 2,000 at 150 ms on 1, 2 and 4 worker processes; --quick: 10 × 500);
              writes results/tenants.json (--quick: tenants-quick.json) and the tenants section of README.md`);
  process.exit(0);
}

const list = (raw: string | undefined, fallback: number[]) => (raw === undefined ? fallback : raw.split(",").map((v) => Number(v.trim())));
const quick = flags.quick === true;
const runs = Number(flags.runs ?? (quick ? 3 : 5));
const sizes = list(flags.sizes, quick ? [2_000] : [2_000, 10_000, 100_000]);
const latencies = list(flags.latencies, [0, 150]);
const custom = flags.runs !== undefined || flags.sizes !== undefined || flags.latencies !== undefined || flags.stores !== undefined;
const tenantsOnly = flags["tenants-only"] === true;
// The tenant row runs on PostgreSQL only: pg-boss's point is many processes on one database.
const wantedStores = (tenantsOnly ? ["postgres"] : (flags.stores?.split(",").map((s) => s.trim()) ?? STORE_KINDS)) as StoreKind[];
const inboxWanted = flags["no-inbox"] === true ? false : (flags.inbox ?? (!quick && !custom));
const SEED = 42;
const PAGE_SIZE = 100;
/** The rule: 100,000 runs at 150 ms only if that keeps the bench under 10 minutes. */
const LARGE_LATENCY_BUDGET_MS = 10 * 60_000;
const SCHEMA = "pcr_bench_sync";
const INBOX_N = 100_000;
const BASELINE_SCHEMA = "pcr_bench_baseline";

const notes: string[] = [];
const note = (text: string) => {
  notes.push(text);
  console.log(`note: ${text}`);
};
const stores = wantedStores.filter((kind) => STORE_KINDS.includes(kind));
if (stores.includes("postgres")) {
  const problem = await postgresProblem();
  if (problem !== null) {
    stores.splice(stores.indexOf("postgres"), 1);
    note(`PostgreSQL skipped: ${problem}.`);
  }
}
if (runs < 1 || !Number.isInteger(runs) || sizes.some((n) => !Number.isInteger(n) || n < 1) || latencies.some((l) => !Number.isInteger(l) || l < 0)) {
  throw new Error("--runs, --sizes and --latencies take positive whole numbers.");
}

const started = performance.now();
const databases = new Map<StoreKind, BenchDatabase>();
for (const kind of stores) databases.set(kind, await openDatabase(kind));
const warmed = new Set<StoreKind>();
let listQuery: ListReferralsQuery | null = null;
const entries: Entry[] = [];
const fakeCpuPerRequest: number[] = [];

/** All samples of one (n, latency, store). */
async function measure(db: BenchDatabase, n: number, latencyMs: number, fake: Awaited<ReturnType<typeof startFakeProcess>>) {
  const label = `${n.toLocaleString("en-US")} × ${latencyMs} ms × ${db.kind}`;
  const base = createPartnerCenterClient({ tokenProvider: createStaticTokenProvider(fake.token), baseUrl: fake.url });
  const { client, lastQuery } = recordingClient(base);
  try {
    if (!warmed.has(db.kind)) {
      // One discarded S and L per store: JIT, pool and PGlite caches as a long-running host has them.
      console.log(`… ${label}: warm-up`);
      await fullSync(db, client, fake, SCHEMA);
      listQuery = lastQuery();
      await fetchOnly(base, listQuery ?? {}, n);
      warmed.add(db.kind);
    }
    const figures: Partial<Record<SpreadKey, number[]>> = {};
    const add = (key: SpreadKey, value: number) => (figures[key] ??= []).push(value);
    for (let i = 0; i < runsOf(n); i++) {
      console.log(`… ${label}: L and S, run ${i + 1}/${runsOf(n)}`);
      let l = 0;
      const runL = async () => (l = await fetchOnly(base, listQuery ?? {}, n));
      // Alternate which goes first, so neither always meets a machine the other has just warmed.
      if (i % 2 === 1) await runL();
      const cpuBefore = (await fake.stats()).cpuMs;
      const s = await fullSync(db, client, fake, SCHEMA);
      if (latencyMs === 0) fakeCpuPerRequest.push(((await fake.stats()).cpuMs - cpuBefore) / (s.apiRequests + s.incrementalRequests));
      if (i % 2 === 0) await runL();
      add("wallMs", s.wallMs);
      add("fetchOnlyMs", l);
      add("ratioSL", s.wallMs / l);
      add("referralsPerSec", (n / s.wallMs) * 1000);
      add("apiRequests", s.apiRequests);
      add("sqlRoundTripsPerPage", s.statements / s.pages);
      add("incrementalRequests", s.incrementalRequests);
      add("incrementalWallMs", s.incrementalWallMs);
    }
    const wallMedian = spread(figures.wallMs ?? []).median;
    if (n === 2_000) {
      // One run: the pauses alone make B take (pages − 1) s, so five would cost minutes for a ratio that is not close.
      console.log(`… ${label}: naive baseline B`);
      add("baselineRatioBS", (await naiveBaseline(db, base, listQuery ?? {}, BASELINE_SCHEMA)) / wallMedian);
    }
    // First runs at 0 ms only: at 150 ms one adds the same pages × latency to the same start-up, and
    // the start-up target and the peak RSS ratio are both at 0 ms.
    const firstRuns = latencyMs === 0 ? await prepareFirstRuns(fake, db) : null;
    try {
      for (let i = 0; firstRuns !== null && i < runsOf(n); i++) {
        console.log(`… ${label}: first run ${i + 1}/${runsOf(n)} (pc-referrals sync --full in a new process)`);
        const sample = await firstRuns.run();
        add("firstRunWallMs", sample.wallMs);
        add("peakRssMb", sample.peakRssMb);
      }
    } finally {
      await firstRuns?.close();
    }
    const spreads: Partial<Record<SpreadKey, Spread>> = {};
    for (const [key, values] of Object.entries(figures) as Array<[SpreadKey, number[]]>) spreads[key] = spread(values);
    entries.push(syncEntry(n, latencyMs, db.kind, spreads));
  } finally {
    await base.close();
  }
}

/**
 * Runs per row. At 100,000 a full run takes three: each S there is a minute on this 2-core machine,
 * and five of L, S and first run per store would alone pass the 12 minutes the whole bench gets.
 */
const LARGE_N = 100_000;
const LARGE_RUNS = 3;
const runsOf = (n: number): number => (n >= LARGE_N && flags.runs === undefined ? Math.min(runs, LARGE_RUNS) : runs);

/** What 100,000 at `latencyMs` would add: pages × latency for every L and S of every store (first runs are at 0 ms only). */
const latencyCostMs = (n: number, latencyMs: number) => Math.ceil(n / PAGE_SIZE) * latencyMs * runsOf(n) * 2 * stores.length;

/** The tenant row's size: the 50 × 2,000 at 150 ms, or 10 × 500 with --quick. */
const TENANT_ROW = { tenants: quick ? 10 : 50, n: quick ? 500 : 2_000, latencyMs: 150, processes: [1, 2, 4], concurrency: 2 };

try {
  for (const n of tenantsOnly ? [] : sizes) {
    for (const latencyMs of latencies) {
      if (n >= 100_000 && latencyMs > 0) {
        const cost = latencyCostMs(n, latencyMs);
        if (cost > LARGE_LATENCY_BUDGET_MS) {
          note(
            `${n.toLocaleString("en-US")} at ${latencyMs} ms not run: its ${Math.ceil(n / PAGE_SIZE)} pages × ${latencyMs} ms × ${runsOf(n)} runs × (L + S) × ${stores.length} stores = ${Math.round(cost / 60_000)} min of latency alone, over the 10-minute rule.`,
          );
          continue;
        }
      }
      const fake = await startFakeProcess(n, SEED, { latencyMs });
      try {
        for (const kind of stores) await measure(databases.get(kind) as BenchDatabase, n, latencyMs, fake);
      } finally {
        await fake.stop();
      }
    }
  }
  if (fakeCpuPerRequest.length > 0) {
    note(`the fake spent ${spread(fakeCpuPerRequest).median.toFixed(2)} ms of CPU per request served at 0 ms (median), in its own process.`);
  }
  if (databases.has("postgres") && (tenantsOnly || !custom)) {
    entries.push(...(await runTenantRow(databaseUrl(), TENANT_ROW, (text) => console.log(`… tenants: ${text}`))));
    notes.push(
      `Tenant row: ${TENANT_ROW.tenants} tenants × ${TENANT_ROW.n.toLocaleString("en-US")} referrals at ${TENANT_ROW.latencyMs} ms per page, createTenantWorker with ${TENANT_ROW.concurrency} jobs per process, pg-boss 10 on each process's store pool; ideal = tenants × pages × latency ÷ (processes × jobs); connections: peak of pg_stat_activity for the database (the sampler excluded).`,
    );
  }
  if (tenantsOnly) {
    const tables = tenantTable(entries.filter(isTenantEntry), false);
    console.log(`\npnpm bench --tenants-only${quick ? " --quick" : ""}\n\n${tables}\n`);
    for (const text of notes) console.log(`note: ${text}`);
    const out = quick ? "./results/tenants-quick.json" : "./results/tenants.json";
    await mkdir(here("./results/"), { recursive: true });
    await writeFile(here(out), `${JSON.stringify(entries, null, 2)}\n`);
    console.log(`\nwrote bench/${out.slice(2)}`);
    if (!quick) {
      await writeReadme("tenants", [`Command: \`pnpm bench --tenants-only\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC. Machine: ${await machine()}.`, "", tenantTable(entries.filter(isTenantEntry), true), "", ...notes.map((t) => `- ${t}`)].join("\n"));
    }
  } else if (inboxWanted && databases.has("postgres")) {
    console.log(`… inbox: ${INBOX_N.toLocaleString("en-US")} referrals on PostgreSQL, ${runs} runs`);
    entries.push(await runInbox(INBOX_N, runs, (text) => console.log(`… inbox: ${text}`)));
  }
  if (!tenantsOnly) await finishSyncBench();
} finally {
  for (const db of databases.values()) await db.close();
}

async function finishSyncBench(): Promise<void> {
  if (sizes.some((n) => runsOf(n) !== runs)) notes.push(`N = ${LARGE_N.toLocaleString("en-US")} has ${LARGE_RUNS} runs, not ${runs}: at about a minute per S, five would take the bench past 12 minutes.`);
  notes.push("firstRunWallMs and peakRssMb are measured at 0 ms only (at 150 ms a first run adds the same latency to the same start-up).");
  notes.push(`B (the naive baseline) runs once per store and latency: one transaction per referral and a ${BASELINE_PAUSE_MS / 1000} s pause between pages; B/S divides it by the median S.`);

  let profileSection: string | null = null;
  if (flags.profile && databases.has("postgres")) profileSection = await profile(databases.get("postgres") as BenchDatabase);

  const totalS = (performance.now() - started) / 1000;
  const tables = resultTables(entries, false);
  console.log(`\npnpm bench${quick ? " --quick" : ""}: ${runs} runs each, ${totalS.toFixed(0)} s in all\n\n${tables}\n`);
  for (const text of notes) console.log(`note: ${text}`);
  await mkdir(here("./results/"), { recursive: true });
  const out = quick || custom ? "./results/quick.json" : "./results/latest.json";
  await writeFile(here(out), `${JSON.stringify(entries, null, 2)}\n`);
  console.log(`\nwrote bench/${out.slice(2)}`);
  if (!quick && !custom) await writeReadme("results", await resultsSection(totalS));
  if (profileSection !== null) await writeReadme("profile", profileSection);
}

async function machine(): Promise<string> {
  const cpu = cpus();
  let postgres = "not reachable";
  const db = databases.get("postgres");
  if (db) {
    const sql = await db.connect();
    try {
      postgres = `PostgreSQL ${String(((await sql.query("SHOW server_version")) as { rows: Array<{ server_version: string }> }).rows[0]?.server_version)}`;
    } finally {
      sql.release();
    }
  }
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${postgres} on 127.0.0.1, PGlite 0.5 in a temporary folder`;
}

async function resultsSection(totalS: number): Promise<string> {
  return [
    `Command: \`pnpm bench\` (${runs} runs per row, ${Math.round(totalS)} s in all), ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC.`,
    `Machine: ${await machine()}.`,
    "",
    "Medians, (min–max) beside them.",
    "",
    resultTables(entries, true),
    "",
    ...notes.map((text) => `- ${text}`),
  ].join("\n");
}

/** S at 0 ms, 2,000, PostgreSQL under the profiler, and one first run under `--cpu-prof`; the top 10 of each. */
async function profile(db: BenchDatabase): Promise<string> {
  const dir = here("./results/profiles/");
  await mkdir(dir, { recursive: true });
  const fake = await startFakeProcess(2_000, SEED, { latencyMs: 0 });
  const client = createPartnerCenterClient({ tokenProvider: createStaticTokenProvider(fake.token), baseUrl: fake.url });
  try {
    console.log("… profile: S, 2,000 × 0 ms × postgres");
    await fullSync(db, client, fake, SCHEMA);
    const warm = await profiled(new URL("./sync-2000-postgres.cpuprofile", dir).pathname, () => fullSync(db, client, fake, SCHEMA));
    console.log("… profile: first run, 2,000 × 0 ms × postgres");
    const firstRuns = await prepareFirstRuns(fake, db);
    let first: CpuProfile;
    let firstMs: number;
    try {
      const sample = await firstRuns.run({ profileDir: dir.pathname });
      firstMs = sample.wallMs;
      first = JSON.parse(await readFile(sample.profile as string, "utf8")) as CpuProfile;
    } finally {
      await firstRuns.close();
    }
    const section = [
      `Command: \`pnpm bench ${process.argv.slice(2).join(" ")}\`, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; profiles in bench/results/profiles/ (not committed).`,
      "",
      `S at 0 ms, 2,000 referrals, PostgreSQL, warm process (${warm.result.wallMs.toFixed(0)} ms under the profiler; idle ${(idleShare(warm.profile) * 100).toFixed(0)} % of it, waiting on PostgreSQL and the fake), top 10 by self time:`,
      "",
      selfTimeTable(topSelfTime(warm.profile)),
      "",
      `First run (\`pc-referrals sync --full\` in a new process, ${firstMs.toFixed(0)} ms under \`--cpu-prof\`; idle ${(idleShare(first) * 100).toFixed(0)} %), top 10 by self time:`,
      "",
      selfTimeTable(topSelfTime(first)),
    ].join("\n");
    console.log(`\n${section}\n`);
    return section;
  } finally {
    await client.close();
    await fake.stop();
  }
}

async function writeReadme(part: "results" | "profile" | "tenants", section: string): Promise<void> {
  const file = here("./README.md");
  const text = await readFile(file, "utf8");
  const start = `<!-- bench:${part}:start -->`;
  const end = `<!-- bench:${part}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`bench/README.md lacks the ${start} … ${end} markers`);
  await writeFile(file, `${text.slice(0, from + start.length)}\n${section}\n${text.slice(to)}`);
  console.log(`wrote the ${part} section of bench/README.md`);
}
