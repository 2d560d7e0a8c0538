// The store-level run lock: one holder at a time, a lease that expires, safe release and renewal.
// Expiry is checked with a 50 ms lease and a real wait, because SQL stores use the database clock.
import { describe, expect, it } from "vitest";
import { SKIP_REASONS } from "../../referral.js";
import type { RunLock, RunLockResult, Store, SyncRunRecord } from "../../store/store.js";
import { type ConformanceContext, expectErrorCode, instant, sleep } from "./context.js";

const SHORT_TTL_MS = 50;
const PAST_SHORT_TTL_MS = 200;
const LONG_TTL_MS = 60 * 60 * 1000;

function held(result: RunLockResult): RunLock {
  expect(result.acquired, "the lock should have been acquired").toBe(true);
  if (!result.acquired) throw new Error("lock not acquired");
  return result.lock;
}

function runningRecord(runId: string): SyncRunRecord {
  return {
    runId,
    trigger: "schedule",
    full: false,
    status: "running",
    startedAt: new Date(Date.now() - 1000).toISOString(),
    finishedAt: null,
    counts: {
      pages: 1,
      fetched: 20,
      ingested: 20,
      updated: 0,
      unchanged: 0,
      skipped: Object.fromEntries(SKIP_REASONS.map((reason) => [reason, 0])) as SyncRunRecord["counts"]["skipped"],
      failed: 0,
      domainScansRequested: 0,
      quarantined: 0,
      missedByIncremental: null,
      futureDated: 0,
      stale: 0,
    },
    errors: [],
    warnings: [],
  };
}

export function describeRunLock<S extends Store>(ctx: ConformanceContext<S>): void {
  describe("run lock", () => {
    it("is acquired when free, with a lease ending ttl from now", async () => {
      const before = Date.now();
      const lock = held(await ctx.store.acquireRunLock({ owner: "worker-1", ttlMs: LONG_TTL_MS }));
      expect(lock.owner).toBe("worker-1");
      // Loose bounds: a database clock may differ a little from this process's clock.
      const expiresAt = Date.parse(lock.expiresAt);
      expect(expiresAt).toBeGreaterThan(before + LONG_TTL_MS - 60_000);
      expect(expiresAt).toBeLessThan(Date.now() + LONG_TTL_MS + 60_000);
    });

    it("is refused to another owner while the lease runs, naming the holder", async () => {
      const lock = held(await ctx.store.acquireRunLock({ owner: "worker-1", ttlMs: LONG_TTL_MS }));
      const other = await ctx.store.acquireRunLock({ owner: "worker-2", ttlMs: LONG_TTL_MS });
      expect(other.acquired).toBe(false);
      if (!other.acquired) {
        expect(other.holder).toBe("worker-1");
        expect(instant(other.expiresAt)).toBe(instant(lock.expiresAt));
      }
    });

    it("is granted again to the owner that holds it", async () => {
      held(await ctx.store.acquireRunLock({ owner: "worker-1", ttlMs: LONG_TTL_MS }));
      const again = held(await ctx.store.acquireRunLock({ owner: "worker-1", ttlMs: LONG_TTL_MS }));
      expect(again.owner).toBe("worker-1");
    });

    it("is free after release, and releasing twice is harmless", async () => {
      const lock = held(await ctx.store.acquireRunLock({ owner: "worker-1", ttlMs: LONG_TTL_MS }));
      await lock.release();
      await lock.release();
      expect((await ctx.store.getSyncStatus("default")).running).toBeNull();
      expect(held(await ctx.store.acquireRunLock({ owner: "worker-2", ttlMs: LONG_TTL_MS })).owner).toBe("worker-2");
    });

    it("can be taken by another owner once the lease has expired", async () => {
      held(await ctx.store.acquireRunLock({ owner: "worker-1", ttlMs: SHORT_TTL_MS }));
      await sleep(PAST_SHORT_TTL_MS);
      expect((await ctx.store.getSyncStatus("default")).running).toBeNull();
      expect(held(await ctx.store.acquireRunLock({ owner: "worker-2", ttlMs: LONG_TTL_MS })).owner).toBe("worker-2");
    });

    it("is not freed or renewed by a stale holder after another owner took the expired lease", async () => {
      const stale = held(await ctx.store.acquireRunLock({ owner: "worker-1", ttlMs: SHORT_TTL_MS }));
      await sleep(PAST_SHORT_TTL_MS);
      held(await ctx.store.acquireRunLock({ owner: "worker-2", ttlMs: LONG_TTL_MS }));

      expect(await stale.renew(LONG_TTL_MS)).toBe(false);
      await stale.release();
      expect((await ctx.store.getSyncStatus("default")).running?.owner).toBe("worker-2");
      const third = await ctx.store.acquireRunLock({ owner: "worker-3", ttlMs: LONG_TTL_MS });
      expect(third).toMatchObject({ acquired: false, holder: "worker-2" });
    });

    it("extends its lease on renew while held", async () => {
      const lock = held(await ctx.store.acquireRunLock({ owner: "worker-1", ttlMs: SHORT_TTL_MS }));
      expect(await lock.renew(LONG_TTL_MS)).toBe(true);
      await sleep(PAST_SHORT_TTL_MS);
      expect((await ctx.store.getSyncStatus("default")).running?.owner).toBe("worker-1");
      expect(await ctx.store.acquireRunLock({ owner: "worker-2", ttlMs: LONG_TTL_MS })).toMatchObject({
        acquired: false,
        holder: "worker-1",
      });
    });

    it("cannot be renewed after release", async () => {
      const lock = held(await ctx.store.acquireRunLock({ owner: "worker-1", ttlMs: LONG_TTL_MS }));
      await lock.release();
      expect(await lock.renew(LONG_TTL_MS)).toBe(false);
      expect((await ctx.store.getSyncStatus("default")).running).toBeNull();
    });

    describe("item 5: a lease taken over from an expired holder marks that holder's run failed with code abandoned", () => {
      it("marks the expired owner's running record failed/abandoned, with finishedAt, keeping its counts", async () => {
        await ctx.store.recordRun(runningRecord("run-a"));
        held(await ctx.store.acquireRunLock({ owner: "run-a", ttlMs: SHORT_TTL_MS }));
        await sleep(PAST_SHORT_TTL_MS);
        held(await ctx.store.acquireRunLock({ owner: "run-b", ttlMs: LONG_TTL_MS }));

        const [a] = (await ctx.store.listRuns()).filter((r) => r.runId === "run-a");
        expect(a).toMatchObject({ status: "failed", counts: runningRecord("run-a").counts });
        expect(a?.finishedAt).not.toBeNull();
        expect(Date.parse(a?.finishedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(a?.startedAt ?? ""));
        expect(a?.errors).toEqual([{ referralId: null, code: "abandoned", message: expect.stringContaining("run-b") }]);
      });

      it("leaves finished runs and the new owner's own record alone", async () => {
        const finished: SyncRunRecord = { ...runningRecord("run-a"), status: "succeeded", finishedAt: new Date().toISOString() };
        await ctx.store.recordRun(finished);
        held(await ctx.store.acquireRunLock({ owner: "run-a", ttlMs: SHORT_TTL_MS }));
        await sleep(PAST_SHORT_TTL_MS);
        held(await ctx.store.acquireRunLock({ owner: "run-b", ttlMs: LONG_TTL_MS }));
        // Re-acquiring one's own lease is no takeover.
        await ctx.store.recordRun(runningRecord("run-b"));
        held(await ctx.store.acquireRunLock({ owner: "run-b", ttlMs: LONG_TTL_MS }));

        const byId = new Map((await ctx.store.listRuns()).map((r) => [r.runId, r]));
        expect(byId.get("run-a")).toMatchObject({ status: "succeeded", errors: [] });
        expect(byId.get("run-b")).toMatchObject({ status: "running", finishedAt: null, errors: [] });
      });

      it("does not touch the holder's run while its lease is live or after it released", async () => {
        await ctx.store.recordRun(runningRecord("run-a"));
        const lock = held(await ctx.store.acquireRunLock({ owner: "run-a", ttlMs: LONG_TTL_MS }));
        expect((await ctx.store.acquireRunLock({ owner: "run-b", ttlMs: LONG_TTL_MS })).acquired).toBe(false);
        await lock.release();
        held(await ctx.store.acquireRunLock({ owner: "run-b", ttlMs: LONG_TTL_MS }));
        expect((await ctx.store.listRuns()).find((r) => r.runId === "run-a")).toMatchObject({ status: "running", errors: [] });
      });
    });

    it.each([
      { owner: "", ttlMs: 1000 },
      { owner: "worker-1", ttlMs: 0 },
      { owner: "worker-1", ttlMs: -5 },
      { owner: "worker-1", ttlMs: Number.NaN },
    ])("rejects owner $owner with ttlMs $ttlMs as invalid_input", async (request) => {
      await expectErrorCode(ctx.store.acquireRunLock(request), "invalid_input");
    });
  });
}
