// Reads the engine relies on: known referrals, link candidates, referral types per domain.
import { describe, expect, it } from "vitest";
import type { Store } from "../../store/store.js";
import { makeCompanyUpsert, makeProcessedPage, makeProcessedReferral } from "../processed-fixtures.js";
import { applyReferrals, type ConformanceContext, instant, readReferral, seedCompanies } from "./context.js";

const T_REMOTE = "2025-03-04T09:12:44.123Z";

export function describeLookups<S extends Store>(ctx: ConformanceContext<S>): void {
  describe("getKnownReferrals", () => {
    it("returns what is stored of the known ids only", async () => {
      await applyReferrals(ctx.store, [
        makeProcessedReferral({ referralId: "ref-a", contentHash: "hash-a" }),
        makeProcessedReferral({ referralId: "ref-b", status: "Closed", substatus: "Won", contentHash: "hash-b" }),
      ]);
      const known = await ctx.store.getKnownReferrals(["ref-b", "ref-unknown", "ref-a"]);
      // remoteUpdatedAt is optional; when a store returns it, it is the stored instant.
      for (const k of known.values()) if (k.remoteUpdatedAt !== undefined) expect(instant(k.remoteUpdatedAt)).toBe(instant(T_REMOTE));
      const withoutTime = [...known].map(([id, { remoteUpdatedAt: _, ...rest }]) => [id, rest] as const);
      expect(new Map(withoutTime.sort(([a], [b]) => a.localeCompare(b)))).toEqual(
        new Map([
          ["ref-a", { referralId: "ref-a", contentHash: "hash-a", status: "New", substatus: "Pending", linkStatus: "unlinked", linkedCompanyId: null }],
          ["ref-b", { referralId: "ref-b", contentHash: "hash-b", status: "Closed", substatus: "Won", linkStatus: "unlinked", linkedCompanyId: null }],
        ]),
      );
      expect(await ctx.store.getKnownReferrals([])).toEqual(new Map());
    });
  });

  describe("findCompanies", () => {
    it("matches an exact domain or an exact normalized name, each company once", async () => {
      const ids = await seedCompanies(ctx.store, [
        makeCompanyUpsert({ domain: "contoso.com", normalizedName: "contoso" }),
        makeCompanyUpsert({ domain: "contoso.de", normalizedName: "contoso" }),
        makeCompanyUpsert({ domain: "fabrikam.com", normalizedName: "fabrikam" }),
        makeCompanyUpsert({ domain: "sub.contoso.com", normalizedName: "contoso sub" }),
      ]);
      const found = await ctx.store.findCompanies({ domains: ["contoso.com", "nowhere.example"], normalizedNames: ["contoso", "cont"] });
      expect(found.map((c) => c.id).sort()).toEqual([ids["contoso.com"], ids["contoso.de"]].sort());
      expect(found.find((c) => c.domain === "contoso.de")).toMatchObject({ domain: "contoso.de", normalizedName: "contoso" });
    });

    it("returns nothing for no match or an empty query", async () => {
      await seedCompanies(ctx.store, [makeCompanyUpsert()]);
      expect(await ctx.store.findCompanies({ domains: ["CONTOSO.COM"], normalizedNames: ["Contoso"] })).toEqual([]);
      expect(await ctx.store.findCompanies({ domains: [], normalizedNames: [] })).toEqual([]);
    });
  });

  describe("referralTypesByDomain", () => {
    it("lists the distinct types per domain in REFERRAL_TYPES order and omits domains without any", async () => {
      await applyReferrals(ctx.store, [
        makeProcessedReferral({ referralId: "r1", domain: "contoso.com", referralType: "solution-provider" }),
        makeProcessedReferral({ referralId: "r2", domain: "contoso.com", referralType: "co-sell" }),
        makeProcessedReferral({ referralId: "r3", domain: "contoso.com", referralType: "solution-provider" }),
        makeProcessedReferral({ referralId: "r4", domain: "fabrikam.com", referralType: "marketplace" }),
        makeProcessedReferral({ referralId: "r5", domain: null, referralType: "marketplace" }),
      ]);
      const types = await ctx.store.referralTypesByDomain(["contoso.com", "fabrikam.com", "nowhere.example"]);
      expect(new Map([...types].sort(([a], [b]) => a.localeCompare(b)))).toEqual(
        new Map([
          ["contoso.com", ["co-sell", "solution-provider"]],
          ["fabrikam.com", ["marketplace"]],
        ]),
      );
      expect(await ctx.store.referralTypesByDomain([])).toEqual(new Map());
    });

    it("follows a referral that moved to another domain or type", async () => {
      await applyReferrals(ctx.store, [makeProcessedReferral({ referralId: "r1", domain: "contoso.com" })]);
      await applyReferrals(ctx.store, [
        makeProcessedReferral({ referralId: "r1", domain: "fabrikam.com", referralType: "marketplace", contentHash: "hash-2" }),
      ]);
      const types = await ctx.store.referralTypesByDomain(["contoso.com", "fabrikam.com"]);
      expect([...types]).toEqual([["fabrikam.com", ["marketplace"]]]);
    });
  });

  describe("getReferral", () => {
    it("returns null for an unknown referral", async () => {
      expect(await ctx.store.getReferral("ref-unknown")).toBeNull();
    });

    it("is not affected by later changes to the page or to returned objects", async () => {
      const referral = makeProcessedReferral({
        referralId: "ref-a",
        scoring: { score: 1, segment: "New", reasons: ["a"] },
        payload: { id: "ref-a", nested: { list: [1, 2] } },
      });
      const page = makeProcessedPage([referral], { companies: [makeCompanyUpsert({ reasons: ["r"] })] });
      await ctx.store.applyBatch(page);
      const before = await readReferral(ctx.store, "ref-a");

      referral.scoring.reasons.push("mutated");
      (referral.payload.nested as { list: number[] }).list.push(3);
      page.companies[0]?.reasons.push("mutated");
      const returned = await ctx.store.getReferral("ref-a");
      returned?.reasons.push("mutated");
      (returned?.payload.nested as { list: number[] }).list.push(4);
      const [company] = await ctx.store.findCompanies({ domains: ["contoso.com"], normalizedNames: [] });
      company?.reasons.push("mutated");

      expect(await readReferral(ctx.store, "ref-a")).toEqual(before);
      expect((await ctx.store.findCompanies({ domains: ["contoso.com"], normalizedNames: [] }))[0]?.reasons).toEqual(["r"]);
    });
  });
}
