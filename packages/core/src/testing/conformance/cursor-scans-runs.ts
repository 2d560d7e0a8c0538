// Cursor per scope, one-time domain scans, sync run records and the status summary.
import { describe, expect, it } from "vitest";
import { SKIP_REASONS } from "../../referral.js";
import type { Store, SyncRunRecord } from "../../store/store.js";
import { makeProcessedReferral } from "../processed-fixtures.js";
import { applyReferrals, type ConformanceContext, expectErrorCode, instant } from "./context.js";

function run(overrides: Partial<SyncRunRecord> & Pick<SyncRunRecord, "runId" | "startedAt">): SyncRunRecord {
  return {
    trigger: "schedule",
    full: false,
    status: "succeeded",
    finishedAt: null,
    counts: {
      pages: 2,
      fetched: 150,
      ingested: 12,
      updated: 3,
      unchanged: 130,
      skipped: Object.fromEntries(SKIP_REASONS.map((reason, i) => [reason, i])) as SyncRunRecord["counts"]["skipped"],
      failed: 1,
      domainScansRequested: 4,
      futureDated: 1,
      stale: 2,
      quarantined: 0,
      missedByIncremental: null,
    },
    errors: [{ referralId: "ref-x", code: "invalid_payload", message: "customerProfile.team: expected array" }],
    warnings: [{ code: "future_dated", message: "1 referral(s) dated after the run's start", count: 1 }],
    ...overrides,
  };
}

function withRunInstants(record: SyncRunRecord | null | undefined): SyncRunRecord | null | undefined {
  return record ? { ...record, startedAt: instant(record.startedAt), finishedAt: instant(record.finishedAt) } : record;
}

export function describeCursorScansRuns<S extends Store>(ctx: ConformanceContext<S>): void {
  describe("cursor", () => {
    it("is null until advanced, then holds the last value written for its scope only", async () => {
      expect(await ctx.store.getCursor("tenant-a")).toBeNull();
      await ctx.store.advanceCursor("tenant-a", { updatedAt: "2025-03-04T09:00:00.000Z" });
      await ctx.store.advanceCursor("tenant-b", { updatedAt: "2025-01-01T00:00:00.000Z" });
      await ctx.store.advanceCursor("tenant-a", { updatedAt: "2025-03-05T12:34:56.789Z" });
      expect(instant((await ctx.store.getCursor("tenant-a"))?.updatedAt)).toBe("2025-03-05T12:34:56.789Z");
      expect(instant((await ctx.store.getCursor("tenant-b"))?.updatedAt)).toBe("2025-01-01T00:00:00.000Z");
      expect(await ctx.store.getCursor("tenant-c")).toBeNull();
    });

    it("item 15: remembers orderHonoured: false with the mark, and forgets it when written without it", async () => {
      await ctx.store.advanceCursor("tenant-a", { updatedAt: "2025-03-04T09:00:00.000Z", orderHonoured: false });
      const flagged = await ctx.store.getCursor("tenant-a");
      expect(flagged && { ...flagged, updatedAt: instant(flagged.updatedAt) }).toEqual({ updatedAt: "2025-03-04T09:00:00.000Z", orderHonoured: false });
      expect((await ctx.store.getSyncStatus("tenant-a")).cursor?.orderHonoured).toBe(false);
      await ctx.store.advanceCursor("tenant-a", { updatedAt: "2025-03-04T09:00:00.000Z", orderHonoured: true });
      expect(Object.keys((await ctx.store.getCursor("tenant-a")) ?? {})).toEqual(["updatedAt"]);
      await ctx.store.advanceCursor("tenant-a", { updatedAt: "2025-03-04T10:00:00.000Z", orderHonoured: false });
      await ctx.store.advanceCursor("tenant-a", { updatedAt: "2025-03-04T11:00:00.000Z" });
      expect((await ctx.store.getCursor("tenant-a"))?.orderHonoured).toBeUndefined();
    });

    it("item 15: rejects an orderHonoured that is not a boolean as invalid_input", async () => {
      await expectErrorCode(ctx.store.advanceCursor("tenant-a", { updatedAt: "2025-03-04T09:00:00.000Z", orderHonoured: "no" as never }), "invalid_input");
    });
  });

  describe("domain scans", () => {
    it("claims each domain once, returning only the newly claimed ones in input order", async () => {
      expect(await ctx.store.claimDomainScans(["b.example", "a.example", "b.example"])).toEqual(["b.example", "a.example"]);
      expect(await ctx.store.claimDomainScans(["a.example", "c.example", "b.example"])).toEqual(["c.example"]);
      expect(await ctx.store.claimDomainScans(["a.example", "b.example", "c.example"])).toEqual([]);
      expect(await ctx.store.claimDomainScans([])).toEqual([]);
    });

    it("treats a domain with a recorded scan as claimed", async () => {
      await ctx.store.recordDomainScan({ domain: "fabrikam.com", status: "done", result: { provider: "M365" } });
      expect(await ctx.store.claimDomainScans(["fabrikam.com"])).toEqual([]);
    });

    it.skipIf(!ctx.inspect.domainScans)("stores the scan outcome and replaces it when recorded again", async () => {
      const scans = async () =>
        ((await ctx.inspect.domainScans?.(ctx.store)) ?? []).sort((a, b) => a.domain.localeCompare(b.domain));
      await ctx.store.claimDomainScans(["contoso.com", "fabrikam.com"]);
      await ctx.store.recordDomainScan({ domain: "contoso.com", status: "failed", error: "DNS timeout" });
      expect(await scans()).toEqual([
        { domain: "contoso.com", status: "failed", result: null, error: "DNS timeout" },
        { domain: "fabrikam.com", status: "claimed", result: null, error: null },
      ]);
      const result = { mx: ["contoso-com.mail.protection.outlook.com"] };
      await ctx.store.recordDomainScan({ domain: "contoso.com", status: "done", result });
      expect((await scans())[0]).toEqual({
        domain: "contoso.com",
        status: "done",
        result,
        error: null,
      });
    });
  });

  describe("sync runs", () => {
    it("inserts a run and replaces it by runId", async () => {
      const started = run({ runId: "run-1", startedAt: "2025-03-04T10:00:00.000Z", status: "running" });
      await ctx.store.recordRun(started);
      expect((await ctx.store.listRuns()).map(withRunInstants)).toEqual([started]);
      const finished = { ...started, status: "partial" as const, finishedAt: "2025-03-04T10:01:30.500Z" };
      await ctx.store.recordRun(finished);
      expect((await ctx.store.listRuns()).map(withRunInstants)).toEqual([finished]);
    });

    it("lists runs newest first, up to the limit", async () => {
      for (const [runId, startedAt] of [
        ["run-b", "2025-03-04T10:10:00.000Z"],
        ["run-c", "2025-03-04T10:20:00.000Z"],
        ["run-a", "2025-03-04T10:00:00.000Z"],
      ] as const) {
        await ctx.store.recordRun(run({ runId, startedAt }));
      }
      expect((await ctx.store.listRuns()).map((r) => r.runId)).toEqual(["run-c", "run-b", "run-a"]);
      expect((await ctx.store.listRuns({ limit: 2 })).map((r) => r.runId)).toEqual(["run-c", "run-b"]);
    });

    it.each([0, -1, 1.5])("rejects limit %s as invalid_input", async (limit) => {
      await expectErrorCode(ctx.store.listRuns({ limit }), "invalid_input");
    });
  });

  describe("getSyncStatus", () => {
    it("is empty on a new store", async () => {
      expect(await ctx.store.getSyncStatus("tenant-a")).toEqual({
        lastRun: null,
        lastSucceededRun: null,
        lastReconcile: null,
        quarantined: [],
        warnings: [],
        running: null,
        cursor: null,
        referralCount: 0,
      });
    });

    it("summarizes runs, the lock holder, the scope's cursor and the referral count", async () => {
      const ok = run({ runId: "run-1", startedAt: "2025-03-04T10:00:00.000Z", status: "succeeded" });
      const partial = run({ runId: "run-2", startedAt: "2025-03-04T10:10:00.000Z", status: "partial" });
      const failed = run({ runId: "run-3", startedAt: "2025-03-04T10:20:00.000Z", status: "failed" });
      for (const r of [partial, failed, ok]) await ctx.store.recordRun(r);
      await ctx.store.advanceCursor("tenant-a", { updatedAt: "2025-03-04T09:00:00.000Z" });
      await applyReferrals(ctx.store, [makeProcessedReferral({ referralId: "r1" }), makeProcessedReferral({ referralId: "r2" })]);
      const lock = await ctx.store.acquireRunLock({ owner: "worker-1", ttlMs: 60_000 });

      const status = await ctx.store.getSyncStatus("tenant-a");
      expect(withRunInstants(status.lastRun)).toEqual(failed);
      expect(withRunInstants(status.lastSucceededRun)).toEqual(partial);
      expect(status.running?.owner).toBe("worker-1");
      expect(instant(status.running?.expiresAt)).toBe(lock.acquired ? instant(lock.lock.expiresAt) : "not acquired");
      expect(instant(status.cursor?.updatedAt)).toBe("2025-03-04T09:00:00.000Z");
      expect(status.referralCount).toBe(2);
      expect((await ctx.store.getSyncStatus("tenant-b")).cursor).toBeNull();
    });
  });
}
