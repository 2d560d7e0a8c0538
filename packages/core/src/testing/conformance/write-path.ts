// The optional parts of the write path (issue 12): `readPageContext`, a lease renewed by
// `applyBatch`, and `payloadJson`. A store without `readPageContext`, or one that leaves
// `BatchOutcome.lease` out, only has to show that it still writes such pages correctly.
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../sync/content-hash.js";
import type { RunLock, RunLockResult, Store } from "../../store/store.js";
import { makeCompanyUpsert, makeProcessedPage, makeProcessedReferral } from "../processed-fixtures.js";
import { applyReferrals, type ConformanceContext, instant, readReferral, seedCompanies, sleep } from "./context.js";

const SHORT_TTL_MS = 50;
const PAST_SHORT_TTL_MS = 200;
const LONG_TTL_MS = 60 * 60 * 1000;

function held(result: RunLockResult): RunLock {
  expect(result.acquired, "the lock should have been acquired").toBe(true);
  if (!result.acquired) throw new Error("lock not acquired");
  return result.lock;
}

function byDomain<T extends { domain: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
}

export function describeWritePath<S extends Store>(ctx: ConformanceContext<S>): void {
  describe("readPageContext (optional)", () => {
    it("answers exactly what getKnownReferrals and findCompanies answer for the same query", async () => {
      const read = ctx.store.readPageContext?.bind(ctx.store);
      await seedCompanies(ctx.store, [
        makeCompanyUpsert({ domain: "contoso.com", normalizedName: "contoso" }),
        makeCompanyUpsert({ domain: "contoso.de", normalizedName: "contoso" }),
        makeCompanyUpsert({ domain: "fabrikam.com", normalizedName: "fabrikam" }),
      ]);
      await applyReferrals(ctx.store, [
        makeProcessedReferral({ referralId: "ctx-a", contentHash: "hash-a" }),
        makeProcessedReferral({ referralId: "ctx-b", status: "Closed", contentHash: "hash-b" }),
      ]);
      // Stores without it get the two calls from the engine: nothing more to check.
      if (read === undefined) return;
      const query = { referralIds: ["ctx-b", "ctx-unknown", "ctx-a"], domains: ["contoso.com", "nowhere.example"], normalizedNames: ["contoso", "cont"] };
      const context = await read(query);
      expect(context.known).toEqual(await ctx.store.getKnownReferrals(query.referralIds));
      expect(byDomain(context.companies)).toEqual(byDomain(await ctx.store.findCompanies(query)));
      expect(context.companies.map((c) => c.domain).sort()).toEqual(["contoso.com", "contoso.de"]);

      const empty = await read({ referralIds: [], domains: [], normalizedNames: [] });
      expect(empty.known).toEqual(new Map());
      expect(empty.companies).toEqual([]);
    });
  });

  describe("applyBatch with a lease (optional)", () => {
    it("renews the writer's own lease with the page: the lock outlives its first lease", async () => {
      const lock = held(await ctx.store.acquireRunLock({ owner: "run-1", ttlMs: SHORT_TTL_MS }));
      const referral = makeProcessedReferral({ referralId: "lease-own" });
      const outcome = await ctx.store.applyBatch(makeProcessedPage([referral], { lease: { owner: "run-1", ttlMs: LONG_TTL_MS } }));

      expect(outcome.referrals.map((r) => r.outcome)).toEqual(["inserted"]);
      expect((await readReferral(ctx.store, "lease-own")).contentHash).toBe(referral.contentHash);
      if (outcome.lease === undefined) return; // the store renews through RunLock.renew only
      expect(outcome.lease.renewed).toBe(true);
      expect(Date.parse(outcome.lease.expiresAt ?? "")).toBeGreaterThan(Date.now() + LONG_TTL_MS / 2);
      await sleep(PAST_SHORT_TTL_MS);
      expect((await ctx.store.acquireRunLock({ owner: "run-2", ttlMs: LONG_TTL_MS })).acquired).toBe(false);
      const running = (await ctx.store.getSyncStatus("default")).running;
      expect(running?.owner).toBe("run-1");
      expect(instant(running?.expiresAt)).toBe(instant(outcome.lease.expiresAt));
      expect(await lock.renew(LONG_TTL_MS)).toBe(true);
    });

    it("still writes the page when another run holds the lease, says renewed: false and leaves that lease alone", async () => {
      const stale = held(await ctx.store.acquireRunLock({ owner: "run-1", ttlMs: SHORT_TTL_MS }));
      await sleep(PAST_SHORT_TTL_MS);
      const other = held(await ctx.store.acquireRunLock({ owner: "run-2", ttlMs: LONG_TTL_MS }));
      const before = (await ctx.store.getSyncStatus("default")).running;

      const outcome = await ctx.store.applyBatch(
        makeProcessedPage([makeProcessedReferral({ referralId: "lease-lost" })], { lease: { owner: stale.owner, ttlMs: LONG_TTL_MS } }),
      );

      expect(outcome.referrals.map((r) => r.outcome)).toEqual(["inserted"]);
      expect(await ctx.store.getReferral("lease-lost")).not.toBeNull();
      const after = (await ctx.store.getSyncStatus("default")).running;
      expect(after?.owner).toBe("run-2");
      expect(instant(after?.expiresAt)).toBe(instant(before?.expiresAt));
      if (outcome.lease !== undefined) expect(outcome.lease.renewed).toBe(false);
      expect(await stale.renew(LONG_TTL_MS)).toBe(false);
      await other.release();
    });
  });

  describe("payloadJson", () => {
    it("stores the same payload whether or not the page carries its canonical JSON", async () => {
      const payload = { id: "json-a", status: "New", nested: { b: [1, "two", null], a: "Zoë – \"quoted\"" }, updatedDateTime: "2025-03-04T09:12:44.123Z" };
      const withJson = makeProcessedReferral({ referralId: "json-a", payload, payloadJson: canonicalJson(payload) });
      const without = makeProcessedReferral({ referralId: "json-b", payload: { ...payload, id: "json-b" } });
      await applyReferrals(ctx.store, [withJson, without]);

      expect((await readReferral(ctx.store, "json-a")).payload).toEqual(payload);
      expect((await readReferral(ctx.store, "json-b")).payload).toEqual({ ...payload, id: "json-b" });
    });
  });
}
