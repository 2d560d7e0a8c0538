// Two copies of the worker, started at once as child processes against the machine's PostgreSQL
// (DATABASE_URL), sync exactly once: one takes the run lock and writes every referral, the other
// skips its tick naming the run in flight, and no referral is fetched or written twice.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createPgStore } from "@pc-referrals/pg-store";
import { generateReferrals, startFakePartnerCenter, type FakePartnerCenter } from "@pc-referrals/core/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const root = fileURLToPath(new URL("..", import.meta.url));
const schema = `example_worker_${randomBytes(4).toString("hex")}`;

interface LogLine {
  msg?: string;
  pid?: number;
  runId?: string;
  runningRunId?: string | null;
  status?: string;
  counts?: { pages: number; fetched: number; ingested: number; updated: number; unchanged: number };
}

interface Copy {
  child: ChildProcess;
  lines: LogLine[];
  stderr: string[];
  /** Resolves with the first line for which `match` is true. */
  waitFor(match: (line: LogLine) => boolean, what: string): Promise<LogLine>;
  exited: Promise<number | null>;
}

function startCopy(env: Record<string, string>): Copy {
  const child = spawn(process.execPath, ["--conditions=@pc-referrals/source", "--import", "tsx", "src/main.ts"], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: LogLine[] = [];
  const stderr: string[] = [];
  const waiters: Array<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  let buffered = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const part of parts) {
      if (part.trim() === "") continue;
      const line = JSON.parse(part) as LogLine;
      lines.push(line);
      for (const w of waiters.filter((x) => x.match(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    lines,
    stderr,
    exited,
    waitFor(match, what) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then((code) => reject(new Error(`worker exited (${code}) before ${what}: ${stderr.join("")}`)));
      });
    },
  };
}

const tickDone = (l: LogLine) => l.msg === "sync_run_finished" || l.msg === "sync_tick_skipped" || l.msg === "sync_run_failed";

describe("examples/worker", () => {
  let fake: FakePartnerCenter;
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });

  beforeAll(async () => {
    // Slow pages keep the first run in flight while the second copy's first tick comes.
    fake = await startFakePartnerCenter({ referrals: generateReferrals(400, { seed: 21 }), latencyMs: 1000 });
  });

  afterAll(async () => {
    await fake.stop();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it("two copies started at once against PostgreSQL sync exactly once, and both stop cleanly on SIGTERM", async () => {
    const env = {
      DATABASE_URL,
      WORKER_DB_SCHEMA: schema,
      WORKER_ACCESS_TOKEN: fake.entra.issueAccessToken(),
      PARTNER_CENTER_ENABLED: "true",
      PARTNER_CENTER_CLIENT_ID: fake.tokenProviderOptions.clientId,
      PARTNER_CENTER_API_URL: fake.url,
      PARTNER_CENTER_SYNC_INTERVAL: "3600",
    };
    const copies = [startCopy(env), startCopy(env)];
    const ticks = await Promise.all(copies.map((c) => c.waitFor(tickDone, "its first tick")));

    const finished = ticks.filter((t) => t.msg === "sync_run_finished");
    const skipped = ticks.filter((t) => t.msg === "sync_tick_skipped");
    expect(finished).toHaveLength(1);
    expect(skipped).toHaveLength(1);
    const run = finished[0];
    expect(run?.status).toBe("succeeded");
    expect(skipped[0]?.runningRunId).toBe(run?.runId);

    // Every page was listed once: one listing of 400 referrals, 100 a page.
    const listings = fake.requests.filter((r) => r.method === "GET" && r.path.endsWith("/referrals"));
    expect(listings).toHaveLength(4);
    expect(run?.counts?.fetched).toBe(400);

    const store = createPgStore({ connectionString: DATABASE_URL, schema });
    try {
      const runs = await store.listRuns();
      expect(runs.map((r) => [r.runId, r.status])).toEqual([[run?.runId, "succeeded"]]);
      const status = await store.getSyncStatus("default");
      expect(status.referralCount).toBe(run?.counts?.ingested);
      expect(status.referralCount).toBeGreaterThan(0);
    } finally {
      await store.close();
    }

    for (const c of copies) c.child.kill("SIGTERM");
    expect(await Promise.all(copies.map((c) => c.exited))).toEqual([0, 0]);
    for (const c of copies) expect(c.lines.some((l) => l.msg === "worker_stopped")).toBe(true);
  }, 90_000);

  it("exits 2 naming DATABASE_URL when it is not set, and 5 when the database cannot be reached", async () => {
    const base = { PARTNER_CENTER_ENABLED: "true", PARTNER_CENTER_CLIENT_ID: "app", PARTNER_CENTER_API_URL: fake.url, WORKER_ACCESS_TOKEN: "t" };
    const unset = startCopy({ ...base, DATABASE_URL: "" });
    expect(await unset.exited).toBe(2);
    const failed = unset.lines.find((l) => l.msg === "worker_start_failed") as { error?: { code: string; message: string } } | undefined;
    expect(failed?.error?.code).toBe("config_invalid");
    expect(failed?.error?.message).toContain("DATABASE_URL");

    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const unreachable = startCopy({ ...base, DATABASE_URL: "postgres://postgres@127.0.0.1:1/none", WORKER_DB_SCHEMA: schema });
    expect(await unreachable.exited).toBe(5);
    expect(unreachable.lines.some((l) => l.msg === "worker_start_failed")).toBe(true);
  }, 30_000);
});
