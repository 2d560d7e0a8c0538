// Item 6: a run whose lock renewal fails (the store lost the lock's connection) reports a store
// failure of its own, so nobody goes looking for a second process.
import { afterEach, describe, expect, it } from "vitest";
import { generateReferrals } from "../src/testing/generate-referrals.js";
import { startHarness, type Harness } from "./engine-harness.js";

const referrals = generateReferrals(300, { seed: 6, invalidRatio: 0 });

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("item 6: losing the lock's own connection is reported as store_error, not sync_in_progress", () => {
  it("stops the run with store_error naming the lost run lock, logs run_lock_lost, and keeps the pages written", async () => {
    h = await startHarness({ referrals });
    const acquire = h.memory.acquireRunLock.bind(h.memory);
    let renewals = 0;
    h.memory.acquireRunLock = async (request) => {
      const result = await acquire(request);
      if (!result.acquired) return result;
      const lock = result.lock;
      // The lock's connection resets after the second page: the store's renew() then fails.
      const renew = async (ttl: number) => (++renewals <= 2 ? lock.renew(ttl) : Promise.reject(new Error("connection reset by peer")));
      return { acquired: true, lock: { owner: lock.owner, expiresAt: lock.expiresAt, release: () => lock.release(), renew } };
    };
    const report = await h.engine.run({ trigger: "schedule" });

    expect(report.status).toBe("failed");
    expect(report.errors.map((e) => e.code)).toEqual(["store_error"]);
    expect(report.errors[0]?.message).toMatch(/run lock could not be renewed.*connection reset by peer/);
    expect(report.errors[0]?.message).not.toMatch(/already running/);
    expect(report.counts.pages).toBe(3);
    expect(h.logLines.map((l) => l.msg)).toContain("run_lock_lost");
    // Nothing holds the lock afterwards: the next run goes ahead.
    expect((await h.memory.getSyncStatus("default")).running).toBeNull();
  });
});
