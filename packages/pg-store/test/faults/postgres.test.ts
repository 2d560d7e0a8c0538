// Faults on PostgreSQL with real child processes: SIGKILL mid-run, three processes racing for one
// schema, and the server terminating the app's connections mid-page and between runs.
import { generateReferrals } from "@pc-referrals/core/testing";
import type pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { BACKENDS, databaseUrl, useBackend } from "../backends.js";
import type { ChildConfig } from "./child.js";
import { expectReportRecorded, expectSyncedOnce, killAllChildren, reportOf, spawnChild, useFaultsFake } from "./harness.js";

/** Child processes and PGlite starts take seconds each, more on a busy 2-core machine. */
const CASE_TIMEOUT_MS = 90_000;
const REFERRALS = generateReferrals(200, { seed: 32, invalidRatio: 0.05 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Only where PostgreSQL is configured (always under CI, see backends.ts); nothing is defined otherwise.
describe.each(BACKENDS.filter((name) => name === "postgres"))("faults on %s (real child processes)", (backend) => {
  const h = useBackend(backend, import.meta.filename);
  const world = useFaultsFake(REFERRALS);

  const configFor = (applicationName: string): ChildConfig => {
    const url = new URL(databaseUrl());
    url.searchParams.set("application_name", applicationName);
    return world.childConfig({ connectionString: url.toString(), schema: h.schema });
  };
  const appBackends = (applicationName: string) =>
    h.sql<{ pid: number; waiting: boolean }>(
      `SELECT pid, wait_event_type = 'Lock' AS waiting FROM pg_stat_activity WHERE application_name = $1`,
      [applicationName],
    );
  // Terminates the app's connections and waits until those backends are gone (the app may reconnect).
  const terminateApp = async (applicationName: string): Promise<number> => {
    const rows = await h.sql<{ pid: number }>(
      // Materialized first: in one WHERE the planner may call pg_terminate_backend on every row.
      `WITH app AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE application_name = $1)
       SELECT pid FROM app WHERE pg_terminate_backend(pid)`,
      [applicationName],
    );
    const pids = rows.map((r) => r.pid);
    await waitFor(async () => (await h.sql(`SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [pids])).length === 0);
    return pids.length;
  };

  afterEach(async () => {
    await killAllChildren();
    await h.closeStores();
    await h.reset();
  });

  it("item 4 and item 5: SIGKILL mid-run, rerun at once: the rerun syncs, every referral once, the killed run is failed/abandoned", async () => {
    const app = `pcr-faults-kill-${process.pid}`;
    const killed = await spawnChild(configFor(app));
    killed.send({ cmd: "run" });
    const { runId: killedRunId } = await killed.next((line) => line.type === "started");
    await killed.next((line) => line.type === "page" && line.page === 3);
    await killed.kill();

    const rerun = await spawnChild(configFor(app));
    const report = reportOf(await rerun.ask({ cmd: "run" }));
    expect(report.status).toBe("succeeded");

    const store = h.store();
    await expectSyncedOnce(store, world.expected);
    await expectReportRecorded(store, report);
    const abandoned = (await store.listRuns()).find((run) => run.runId === killedRunId);
    expect(abandoned).toMatchObject({ status: "failed", errors: [expect.objectContaining({ referralId: null, code: "abandoned" })] });
    expect((await store.getSyncStatus("default")).running).toBeNull();
  }, CASE_TIMEOUT_MS);

  it("three processes on one schema: one syncs, the other two get sync_in_progress naming its run", async () => {
    const children = await Promise.all([1, 2, 3].map((n) => spawnChild(configFor(`pcr-faults-three-${n}-${process.pid}`))));
    for (const child of children) expect(await child.ask({ cmd: "open" })).toMatchObject({ type: "opened" });

    const answers = await Promise.all(children.map((child) => child.ask({ cmd: "run" })));
    const reports = answers.filter((line) => line.type === "report").map(reportOf);
    const refused = answers.filter((line) => line.type === "error");
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report?.status).toBe("succeeded");
    expect(refused).toEqual([
      expect.objectContaining({ code: "sync_in_progress", runningRunId: report?.runId }),
      expect.objectContaining({ code: "sync_in_progress", runningRunId: report?.runId }),
    ]);

    const store = h.store();
    await expectSyncedOnce(store, world.expected);
    if (report) await expectReportRecorded(store, report);
  }, CASE_TIMEOUT_MS);

  it("item 6 and pg_terminate_backend of the app's connections mid-page and between runs: store_error, then every referral once", async () => {
    const app = `pcr-faults-term-${process.pid}`;
    const child = await spawnChild(configFor(app));
    const store = h.store();

    // Mid-page: hold raw_leads so the first page's transaction blocks inside applyBatch, then
    // terminate every connection of the app (the run lock's own one included).
    const locker = await (h.adminPool as pg.Pool).connect();
    try {
      await locker.query("BEGIN");
      await locker.query(`LOCK TABLE "${h.schema}".raw_leads IN SHARE MODE`);
      child.send({ cmd: "run" });
      await waitFor(async () => (await appBackends(app)).some((b) => b.waiting));
      expect(await terminateApp(app)).toBeGreaterThanOrEqual(2);
    } finally {
      await locker.query("ROLLBACK");
      locker.release();
    }
    const first = reportOf(await child.next((line) => line.type === "report" || line.type === "error"));
    // The page itself is retried on a fresh connection; the run stops at the lock renewal after it.
    // The lease is renewed inside each page's write (by token, on the pool): when the pool has not yet
    // seen the lock connection's death as page 1 is written, that renewal succeeds and the lost
    // advisory lock is detected at the next page instead, so the run stops after page 1 or page 2.
    expect(first.status).toBe("failed");
    expect(first.counts.pages).toBeGreaterThanOrEqual(1);
    expect(first.counts.pages).toBeLessThanOrEqual(2);
    expect(first.errors.map((e) => e.code)).not.toContain("sync_in_progress");
    expect(first.errors).toContainEqual(expect.objectContaining({ referralId: null, code: "store_error", message: expect.stringMatching(/run lock/) }));
    expect(first.cursor.next).toBeNull();
    await expectReportRecorded(store, first);
    expect((await store.getSyncStatus("default")).running).toBeNull();

    const second = reportOf(await child.ask({ cmd: "run" }));
    expect(second.status).toBe("succeeded");
    await expectSyncedOnce(store, world.expected);
    await expectReportRecorded(store, second);

    // Between runs: the pool's idle connections are killed; the next run reconnects.
    await terminateApp(app);
    await sleep(50);
    const third = reportOf(await child.ask({ cmd: "run" }));
    expect(third).toMatchObject({ status: "succeeded", counts: { ingested: 0 } });
    await expectSyncedOnce(store, world.expected);
    await expectReportRecorded(store, third);
  }, CASE_TIMEOUT_MS);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await sleep(20);
  }
}
