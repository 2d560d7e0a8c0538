// The expiry watch's part of the contract: expiresAt kept and cleared, the expiresWithinDays
// filter, the urgency order, and announcements claimed once (docs/architecture.md "Expiry watch").
import { describe, expect, it } from "vitest";
import type { ExpiryAnnouncement } from "../../store/expiry.js";
import type { InboxQuery, Store } from "../../store/store.js";
import { makeProcessedReferral } from "../processed-fixtures.js";
import { applyReferrals, type ConformanceContext, expectErrorCode, instant, readReferral } from "./context.js";

const NOW = "2025-03-10T12:00:00.000Z";

/**
 * Deadlines relative to NOW: e1 passed an hour ago, e2 in 1 day, e3 in 3 days exactly, e4 in 5
 * days, e5 none (Active). e2 and e6 share a deadline; e6 was updated later. Urgency order is
 * e1, e6, e2, e3, e4, e5.
 */
async function seedDeadlines(store: Store): Promise<void> {
  await applyReferrals(store, [
    makeProcessedReferral({ referralId: "e1", expiresAt: "2025-03-10T11:00:00.000Z", remoteUpdatedAt: "2025-03-01T00:00:00.000Z" }),
    makeProcessedReferral({ referralId: "e2", expiresAt: "2025-03-11T12:00:00.000Z", remoteUpdatedAt: "2025-03-02T00:00:00.000Z" }),
    makeProcessedReferral({ referralId: "e3", expiresAt: "2025-03-13T12:00:00.000Z", remoteUpdatedAt: "2025-03-05T00:00:00.000Z" }),
    makeProcessedReferral({ referralId: "e4", expiresAt: "2025-03-15T12:00:00+00:00", remoteUpdatedAt: "2025-03-06T00:00:00.000Z" }),
    makeProcessedReferral({ referralId: "e5", status: "Active", substatus: "Accepted", expiresAt: null, remoteUpdatedAt: "2025-03-09T00:00:00.000Z" }),
    makeProcessedReferral({ referralId: "e6", expiresAt: "2025-03-11T12:00:00.000Z", remoteUpdatedAt: "2025-03-03T00:00:00.000Z" }),
  ]);
}

async function idsOf(store: Store, query: InboxQuery): Promise<string[]> {
  return (await store.queryInbox(query)).items.map((row) => row.referralId);
}

const claim = (referralId: string, thresholdDays: number, expiresAt = "2025-03-13T12:00:00.000Z"): ExpiryAnnouncement => ({
  referralId,
  thresholdDays,
  expiresAt,
});

export function describeExpiry<S extends Store>(ctx: ConformanceContext<S>): void {
  describe("expiry watch", () => {
    it("expiry: keeps expiresAt as an instant on the referral and its inbox row, and clears it when a later copy has none", async () => {
      await applyReferrals(ctx.store, [makeProcessedReferral({ referralId: "x1", expiresAt: "2025-03-18T09:12:44+01:00" })]);
      expect((await readReferral(ctx.store, "x1")).expiresAt).toBe("2025-03-18T08:12:44.000Z");
      const [row] = (await ctx.store.queryInbox({})).items;
      expect(instant(row?.expiresAt)).toBe("2025-03-18T08:12:44.000Z");

      // Accepted: the deadline no longer applies.
      await applyReferrals(ctx.store, [
        makeProcessedReferral({ referralId: "x1", status: "Active", substatus: "Accepted", contentHash: "hash-2", expiresAt: null }),
      ]);
      expect((await readReferral(ctx.store, "x1")).expiresAt).toBeNull();
      expect(await idsOf(ctx.store, { expiresWithinDays: 365, now: NOW })).toEqual([]);
    });

    it("expiry: expiresWithinDays keeps deadlines up to now + days (past ones included, the bound inclusive), never rows without one", async () => {
      await seedDeadlines(ctx.store);
      expect((await idsOf(ctx.store, { expiresWithinDays: 3, now: NOW })).sort()).toEqual(["e1", "e2", "e3", "e6"]);
      expect(await idsOf(ctx.store, { expiresWithinDays: 0, now: NOW })).toEqual(["e1"]);
      expect((await idsOf(ctx.store, { expiresWithinDays: 1.5, now: NOW })).sort()).toEqual(["e1", "e2", "e6"]);
      const page = await ctx.store.queryInbox({ expiresWithinDays: 30, now: NOW, pageSize: 2 });
      expect(page.total).toBe(5);
      expect(page.items).toHaveLength(2);
    });

    it("expiry: sort urgency puts the soonest deadline first, rows without one last, ties in inbox order; it pages and filters", async () => {
      await seedDeadlines(ctx.store);
      expect(await idsOf(ctx.store, { sort: "urgency" })).toEqual(["e1", "e6", "e2", "e3", "e4", "e5"]);
      expect(await idsOf(ctx.store, { sort: "urgency", page: 2, pageSize: 2 })).toEqual(["e2", "e3"]);
      expect(await idsOf(ctx.store, { sort: "urgency", expiresWithinDays: 3, now: NOW })).toEqual(["e1", "e6", "e2", "e3"]);
      expect(await idsOf(ctx.store, { sort: "updated" })).toEqual(["e5", "e4", "e3", "e6", "e2", "e1"]);
    });

    it.each([
      ["a negative expiresWithinDays", { expiresWithinDays: -1 }],
      ["a NaN expiresWithinDays", { expiresWithinDays: Number.NaN }],
      ["an infinite expiresWithinDays", { expiresWithinDays: Number.POSITIVE_INFINITY }],
      ["a text expiresWithinDays", { expiresWithinDays: "3" as unknown as number }],
      ["an unknown sort", { sort: "soonest" as unknown as "urgency" }],
      ["a now that is no timestamp", { expiresWithinDays: 3, now: "tomorrow" }],
    ])("expiry: rejects %s with invalid_input", async (_name, query) => {
      await expectErrorCode(ctx.store.queryInbox(query), "invalid_input");
    });

    it("expiry: claimExpiryAnnouncements claims each (referral, threshold, deadline) once, in input order, duplicates once", async () => {
      const first = await ctx.store.claimExpiryAnnouncements([claim("a", 3), claim("b", 3), claim("a", 1), claim("a", 3)]);
      expect(first).toEqual([claim("a", 3), claim("b", 3), claim("a", 1)]);
      expect(await ctx.store.claimExpiryAnnouncements([claim("a", 3), claim("b", 3), claim("a", 1)])).toEqual([]);
      // The same deadline written another way is the same announcement; a moved deadline is a new one.
      expect(await ctx.store.claimExpiryAnnouncements([claim("a", 3, "2025-03-13T13:00:00+01:00")])).toEqual([]);
      expect(await ctx.store.claimExpiryAnnouncements([claim("a", 3, "2025-03-20T12:00:00Z"), claim("c", 0.5)])).toEqual([
        claim("a", 3, "2025-03-20T12:00:00.000Z"),
        claim("c", 0.5),
      ]);
      expect(await ctx.store.claimExpiryAnnouncements([])).toEqual([]);
    });

    it("expiry: two concurrent claims of the same announcement: exactly one gets it", async () => {
      const [x, y] = await Promise.all([
        ctx.store.claimExpiryAnnouncements([claim("race", 1)]),
        ctx.store.claimExpiryAnnouncements([claim("race", 1)]),
      ]);
      expect([...(x ?? []), ...(y ?? [])]).toEqual([claim("race", 1)]);
    });

    it.each([
      ["an empty referralId", { referralId: "", thresholdDays: 3, expiresAt: NOW }],
      ["a zero threshold", { referralId: "a", thresholdDays: 0, expiresAt: NOW }],
      ["a NaN threshold", { referralId: "a", thresholdDays: Number.NaN, expiresAt: NOW }],
      ["a deadline that is no timestamp", { referralId: "a", thresholdDays: 3, expiresAt: "soon" }],
    ])("expiry: rejects a claim with %s as invalid_input and records none of it", async (_name, bad) => {
      await expectErrorCode(ctx.store.claimExpiryAnnouncements([claim("good", 3), bad as ExpiryAnnouncement]), "invalid_input");
      expect(await ctx.store.claimExpiryAnnouncements([claim("good", 3)])).toEqual([claim("good", 3)]);
    });
  });
}
