// Faults on embedded PGlite with real child processes: one data folder, several processes, SIGKILL.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateReferrals } from "@pc-referrals/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPgStore } from "../../src/index.js";
import type { ChildConfig } from "./child.js";
import { expectReportRecorded, expectSyncedOnce, killAllChildren, reportOf, spawnChild, useFaultsFake } from "./harness.js";

/** Child processes and PGlite starts take seconds each, more on a busy 2-core machine. */
const CASE_TIMEOUT_MS = 90_000;
const REFERRALS = generateReferrals(200, { seed: 31, invalidRatio: 0.05 });
const SCHEMA = "faults";

describe("faults on PGlite (real child processes)", () => {
  const world = useFaultsFake(REFERRALS);
  let dataDir: string;
  let config: ChildConfig;

  beforeEach(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), "pcr-faults-")), "pgdata");
    config = world.childConfig({ dataDir, schema: SCHEMA });
  });
  afterEach(async () => {
    await killAllChildren();
    await rm(join(dataDir, ".."), { recursive: true, force: true });
  });

  it("item 3: a second process opening the same dataDir gets store_locked naming the holder, until the holder exits or dies", async () => {
    const first = await spawnChild(config);
    expect(await first.ask({ cmd: "open" })).toMatchObject({ type: "opened" });

    const second = await spawnChild(config);
    const refused = await second.ask({ cmd: "open" });
    expect(refused).toMatchObject({ type: "error", code: "store_locked", holder: { pid: first.pid } });
    expect(refused.message).toMatch(new RegExp(`process ${first.pid} on .*PostgreSQL`, "s"));
    const report = reportOf(await second.ask({ cmd: "run" }));
    expect(report).toMatchObject({ status: "failed", errors: [expect.objectContaining({ code: "store_locked" })] });

    // A clean exit gives the folder back.
    expect(await first.ask({ cmd: "exit" })).toMatchObject({ type: "closed" });
    expect(await second.ask({ cmd: "open" })).toMatchObject({ type: "opened" });

    // A killed holder leaves its lock file behind; the next opener sees its pid is gone and takes over.
    await second.kill();
    const third = await spawnChild(config);
    expect(await third.ask({ cmd: "open" })).toMatchObject({ type: "opened" });
  }, CASE_TIMEOUT_MS);

  it("item 4 and item 5: SIGKILL mid-sync, rerun at once: the rerun syncs, every referral once, the killed run is failed/abandoned", async () => {
    const killed = await spawnChild(config);
    killed.send({ cmd: "run" });
    const { runId: killedRunId } = await killed.next((line) => line.type === "started");
    await killed.next((line) => line.type === "page" && line.page === 3);
    await killed.kill();

    const rerun = await spawnChild(config);
    const report = reportOf(await rerun.ask({ cmd: "run" }));
    expect(report.status).toBe("succeeded");
    expect(await rerun.ask({ cmd: "exit" })).toMatchObject({ type: "closed" });

    const store = createPgStore({ dataDir, schema: SCHEMA });
    try {
      await expectSyncedOnce(store, world.expected);
      await expectReportRecorded(store, report);
      const abandoned = (await store.listRuns()).find((run) => run.runId === killedRunId);
      expect(abandoned).toMatchObject({ status: "failed", errors: [expect.objectContaining({ referralId: null, code: "abandoned" })] });
      expect(abandoned?.finishedAt).not.toBeNull();
      expect((await store.getSyncStatus("default")).running).toBeNull();
    } finally {
      await store.close();
    }
  }, CASE_TIMEOUT_MS);
});
