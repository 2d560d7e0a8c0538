// Cross-run failure state (quarantine, item 13 of issue 9) and the reconcile summary of the status (item 16).
import { describe, expect, it } from "vitest";
import type { ReferralFailureBatch, ReferralFailureInput, ReferralFailureState } from "../../store/referral-failures.js";
import type { Store, SyncRunRecord } from "../../store/store.js";
import { emptyCounts } from "../../sync/report.js";
import { type ConformanceContext, expectErrorCode, instant } from "./context.js";

const T1 = "2025-05-01T10:00:00.000Z";
const T2 = "2025-05-01T10:10:00.000Z";
const T3 = "2025-05-01T10:20:00.000Z";

function failure(referralId: string, overrides: Partial<ReferralFailureInput> = {}): ReferralFailureInput {
  return {
    referralId,
    contentHash: `hash-of-${referralId}`,
    updatedAt: "2025-04-01T08:00:00.000Z",
    error: { code: "internal", message: "CRM rejects this customer" },
    ...overrides,
  };
}

function batch(runId: string, at: string, failed: ReferralFailureInput[], succeeded: string[] = []): ReferralFailureBatch {
  return { scope: "tenant-a", runId, quarantineAfter: 3, at, failed, succeeded };
}

/** Timestamps as instants, so stores may format them their own way. */
function normalized(states: ReferralFailureState[]): ReferralFailureState[] {
  return states.map((s) => ({ ...s, updatedAt: instant(s.updatedAt), quarantinedAt: instant(s.quarantinedAt) }));
}

async function record(store: Store, request: ReferralFailureBatch): Promise<ReferralFailureState[]> {
  return normalized(await store.recordReferralFailures(request));
}

function fullRun(runId: string, startedAt: string, status: SyncRunRecord["status"], missed: number | null): SyncRunRecord {
  return { runId, trigger: "schedule", full: missed !== null, status, startedAt, finishedAt: startedAt, counts: { ...emptyCounts(), missedByIncremental: missed }, errors: [], warnings: [] };
}

export function describeReferralFailures<S extends Store>(ctx: ConformanceContext<S>): void {
  describe("referral failures (item 13: quarantine)", () => {
    it("item 13: counts the consecutive runs a referral failed in and quarantines it at the threshold", async () => {
      expect(await ctx.store.listReferralFailures("tenant-a")).toEqual([]);
      const first = await record(ctx.store, batch("run-1", T1, [failure("r-bad"), failure("r-other")]));
      expect(first.map((s) => [s.referralId, s.failures, s.quarantinedAt])).toEqual([
        ["r-bad", 1, null],
        ["r-other", 1, null],
      ]);
      await record(ctx.store, batch("run-2", T2, [failure("r-bad")]));
      const third = await record(ctx.store, batch("run-3", T3, [failure("r-bad", { error: { code: "store_error", message: "too long" } })]));

      const expected: ReferralFailureState = {
        referralId: "r-bad",
        failures: 3,
        contentHash: "hash-of-r-bad",
        updatedAt: "2025-04-01T08:00:00.000Z",
        lastError: { code: "store_error", message: "too long" },
        lastRunId: "run-3",
        quarantinedAt: T3,
      };
      expect(third).toEqual([expected]);
      expect(normalized(await ctx.store.listReferralFailures("tenant-a")).map((s) => [s.referralId, s.failures])).toEqual([
        ["r-bad", 3],
        ["r-other", 1],
      ]);
      const status = await ctx.store.getSyncStatus("tenant-a");
      expect(normalized(status.quarantined)).toEqual([expected]);
      expect(status.warnings).toEqual([expect.objectContaining({ code: "referrals_quarantined", count: 1 })]);

      // Still failing: it stays quarantined since the same time.
      const fourth = await record(ctx.store, batch("run-4", "2025-05-01T10:30:00.000Z", [failure("r-bad")]));
      expect(fourth).toEqual([expect.objectContaining({ failures: 4, quarantinedAt: T3 })]);
    });

    it("item 13: a referral failing again in the same run, or listed twice, counts once (its last entry wins)", async () => {
      await record(ctx.store, batch("run-1", T1, [failure("r-bad")]));
      const again = await record(ctx.store, batch("run-1", T1, [failure("r-bad", { error: { code: "internal", message: "page 2" } })]));
      expect(again).toEqual([expect.objectContaining({ failures: 1, lastError: { code: "internal", message: "page 2" } })]);
      const twice = await record(ctx.store, batch("run-2", T2, [failure("r-bad"), failure("r-bad", { updatedAt: "2025-04-02T00:00:00.000Z" })]));
      expect(twice).toEqual([
        expect.objectContaining({ failures: 2, updatedAt: "2025-04-02T00:00:00.000Z" }),
        expect.objectContaining({ failures: 2, updatedAt: "2025-04-02T00:00:00.000Z" }),
      ]);
    });

    it("item 13: a success drops the state, and a changed content hash starts the count again and leaves quarantine", async () => {
      for (const [runId, at] of [["run-1", T1], ["run-2", T2], ["run-3", T3]] as const) {
        await record(ctx.store, batch(runId, at, [failure("r-bad"), failure("r-ok")]));
      }
      expect((await ctx.store.getSyncStatus("tenant-a")).quarantined.map((s) => s.referralId)).toEqual(["r-bad", "r-ok"]);

      const changed = await record(ctx.store, batch("run-4", "2025-05-01T10:30:00.000Z", [failure("r-bad", { contentHash: "new-hash" })], ["r-ok"]));

      expect(changed).toEqual([expect.objectContaining({ failures: 1, contentHash: "new-hash", quarantinedAt: null })]);
      expect(normalized(await ctx.store.listReferralFailures("tenant-a")).map((s) => s.referralId)).toEqual(["r-bad"]);
      const status = await ctx.store.getSyncStatus("tenant-a");
      expect(status.quarantined).toEqual([]);
      expect(status.warnings).toEqual([]);
      // Succeeded ids without state, and an empty batch, change nothing.
      expect(await record(ctx.store, batch("run-5", T3, [], ["r-unknown"]))).toEqual([]);
      expect((await ctx.store.listReferralFailures("tenant-a")).length).toBe(1);
    });

    it("item 13: keeps each scope's failures apart", async () => {
      await record(ctx.store, { ...batch("run-1", T1, [failure("r-bad")]), quarantineAfter: 1 });
      expect((await ctx.store.listReferralFailures("tenant-b")).length).toBe(0);
      expect((await ctx.store.getSyncStatus("tenant-b")).quarantined).toEqual([]);
      await record(ctx.store, { ...batch("run-2", T2, [], ["r-bad"]), scope: "tenant-b" });
      expect((await ctx.store.getSyncStatus("tenant-a")).quarantined.map((s) => s.referralId)).toEqual(["r-bad"]);
    });

    it.each([
      ["an empty scope", { scope: "" }],
      ["an empty runId", { runId: "" }],
      ["quarantineAfter 0", { quarantineAfter: 0 }],
      ["a fractional quarantineAfter", { quarantineAfter: 1.5 }],
      ["a bad time", { at: "yesterday" }],
      ["an empty referral id", { failed: [failure("")] }],
      ["a bad updatedAt", { failed: [failure("r1", { updatedAt: "soon" })] }],
      ["a non-string succeeded id", { succeeded: [42 as unknown as string] }],
    ])("item 13: rejects %s as invalid_input and writes nothing", async (_name, overrides) => {
      await expectErrorCode(ctx.store.recordReferralFailures({ ...batch("run-1", T1, [failure("r-good")]), ...overrides }), "invalid_input");
      expect(await ctx.store.listReferralFailures("tenant-a")).toEqual([]);
    });
  });

  describe("last reconcile (item 16)", () => {
    it("item 16: getSyncStatus names the newest full run that landed, and a non-zero missedByIncremental is a warning", async () => {
      await ctx.store.recordRun(fullRun("full-1", "2025-05-01T00:00:00.000Z", "succeeded", 3));
      await ctx.store.recordRun(fullRun("incr-1", "2025-05-01T01:00:00.000Z", "succeeded", null));
      await ctx.store.recordRun(fullRun("full-2", "2025-05-01T02:00:00.000Z", "failed", 9));
      let status = await ctx.store.getSyncStatus("tenant-a");
      expect(status.lastReconcile?.runId).toBe("full-1");
      expect(status.lastReconcile?.counts.missedByIncremental).toBe(3);
      expect(status.warnings).toEqual([expect.objectContaining({ code: "missed_by_incremental", count: 3 })]);

      await ctx.store.recordRun(fullRun("full-3", "2025-05-01T03:00:00.000Z", "partial", 0));
      status = await ctx.store.getSyncStatus("tenant-a");
      expect(status.lastReconcile?.runId).toBe("full-3");
      expect(status.warnings).toEqual([]);
    });
  });
}
