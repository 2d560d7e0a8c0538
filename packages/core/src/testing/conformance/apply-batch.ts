// applyBatch on referrals: insert, update, unchanged, outcomes, link decisions, raw leads.
import { describe, expect, it } from "vitest";
import type { ReferralOutcome, Store } from "../../store/store.js";
import { makeCompanyUpsert, makeProcessedPage, makeProcessedReferral } from "../processed-fixtures.js";
import { applyReferrals, type ConformanceContext, expectedStored, readReferral, seedCompanies, tenantOf } from "./context.js";

const T1 = "2025-03-04T10:00:00.000Z";
const T2 = "2025-03-05T11:30:00.000Z";

const TWO_COMPANIES = [makeCompanyUpsert(), makeCompanyUpsert({ domain: "fabrikam.com", normalizedName: "fabrikam" })];

function unlinkedOutcome(
  referralId: string,
  outcome: ReferralOutcome["outcome"],
  previousStatus: string | null,
  previousSubstatus: string | null,
): ReferralOutcome {
  return { referralId, outcome, previousStatus, previousSubstatus, linkStatus: "unlinked", linkedCompanyId: null };
}

export function describeApplyBatch<S extends Store>(ctx: ConformanceContext<S>): void {
  describe("applyBatch: referrals", () => {
    it("inserts new referrals and stores every field", async () => {
      const a = makeProcessedReferral({
        referralId: "ref-a",
        azureTenantId: "0f7c3a52-1111-4c1e-9a61-4e2b8c0d7f10",
        scoring: { score: 70, segment: "Existing", reasons: ["azure_tenant", "co_sell"] },
        remoteUpdatedAt: "2025-03-04T09:12:44.123Z",
      });
      const b = makeProcessedReferral({
        referralId: "ref-b",
        referralType: "marketplace",
        typeEvidence: "referralSource=Marketplace",
        status: "Active",
        substatus: "Accepted",
        direction: null,
        customerName: null,
        domain: null,
        remoteUpdatedAt: null,
        contentHash: "hash-b",
      });
      const outcome = await applyReferrals(ctx.store, [a, b], { syncedAt: T1 });
      expect(outcome).toEqual({
        referrals: [
          unlinkedOutcome("ref-a", "inserted", null, null),
          unlinkedOutcome("ref-b", "inserted", null, null),
        ],
        companies: [],
      });
      expect(await readReferral(ctx.store, "ref-a")).toEqual(expectedStored(a, { syncedAt: T1, tenant: tenantOf(ctx.store) }));
      expect(await readReferral(ctx.store, "ref-b")).toEqual(expectedStored(b, { syncedAt: T1, tenant: tenantOf(ctx.store) }));
    });

    it("is idempotent: re-applying a page reports unchanged and duplicates nothing", async () => {
      const page = makeProcessedPage([
        makeProcessedReferral({ referralId: "ref-a" }),
        makeProcessedReferral({ referralId: "ref-b", status: "Active", substatus: "Received" }),
      ]);
      await ctx.store.applyBatch(page);
      const again = await ctx.store.applyBatch(page);
      expect(again.referrals).toEqual([
        unlinkedOutcome("ref-a", "unchanged", "New", "Pending"),
        unlinkedOutcome("ref-b", "unchanged", "Active", "Received"),
      ]);
      expect((await ctx.store.queryInbox({})).total).toBe(2);
      expect((await ctx.store.getSyncStatus("default")).referralCount).toBe(2);
    });

    it("moves only the sync time of a referral whose content hash is unchanged", async () => {
      const first = makeProcessedReferral({ referralId: "ref-a", scoring: { score: 10, segment: "New", reasons: ["x"] } });
      await applyReferrals(ctx.store, [first], { syncedAt: T1 });
      const sameHash = makeProcessedReferral({
        referralId: "ref-a",
        customerName: "Renamed Ltd",
        status: "Closed",
        scoring: { score: 99, segment: "Other", reasons: ["y"] },
        payload: { id: "ref-a", changed: true },
      });
      const outcome = await applyReferrals(ctx.store, [sameHash], { syncedAt: T2 });
      expect(outcome.referrals[0]?.outcome).toBe("unchanged");
      expect(await readReferral(ctx.store, "ref-a")).toEqual(expectedStored(first, { syncedAt: T2, firstSeenAt: T1, tenant: tenantOf(ctx.store) }));
    });

    it("refreshes every field of a referral whose content hash changed and keeps its first-seen time", async () => {
      await applyReferrals(ctx.store, [makeProcessedReferral({ referralId: "ref-a" })], { syncedAt: T1 });
      const changed = makeProcessedReferral({
        referralId: "ref-a",
        referralType: "solution-provider",
        typeEvidence: "qualification=Direct",
        status: "Closed",
        substatus: "Won",
        customerName: "Contoso Holdings",
        domain: "contoso.net",
        azureTenantId: "9a8b7c6d-0000-4e00-8000-00000000abcd",
        scoring: { score: 55, segment: "Existing", reasons: ["azure_tenant"] },
        contentHash: "hash-2",
        remoteUpdatedAt: "2025-03-05T08:00:00.000Z",
        payload: { id: "ref-a", status: "Closed", substatus: "Won", details: { dealValue: 1200.5 } },
      });
      const outcome = await applyReferrals(ctx.store, [changed], { syncedAt: T2 });
      expect(outcome.referrals).toEqual([
        unlinkedOutcome("ref-a", "updated", "New", "Pending"),
      ]);
      expect(await readReferral(ctx.store, "ref-a")).toEqual(expectedStored(changed, { syncedAt: T2, firstSeenAt: T1, tenant: tenantOf(ctx.store) }));
    });

    it("reports one outcome per referral in input order", async () => {
      await applyReferrals(ctx.store, [
        makeProcessedReferral({ referralId: "ref-m" }),
        makeProcessedReferral({ referralId: "ref-z" }),
      ]);
      const outcome = await applyReferrals(ctx.store, [
        makeProcessedReferral({ referralId: "ref-z", contentHash: "hash-2" }),
        makeProcessedReferral({ referralId: "ref-a" }),
        makeProcessedReferral({ referralId: "ref-m" }),
      ]);
      expect(outcome.referrals.map((r) => [r.referralId, r.outcome])).toEqual([
        ["ref-z", "updated"],
        ["ref-a", "inserted"],
        ["ref-m", "unchanged"],
      ]);
    });

    it("accepts an empty page", async () => {
      expect(await ctx.store.applyBatch(makeProcessedPage([]))).toEqual({ referrals: [], companies: [] });
    });
  });

  describe("applyBatch: link decisions", () => {
    it("stores the page's link for new and changed referrals", async () => {
      const ids = await seedCompanies(ctx.store, TWO_COMPANIES);
      const contoso = ids["contoso.com"] as string;
      const fabrikam = ids["fabrikam.com"] as string;
      const linked = makeProcessedReferral({
        referralId: "ref-a",
        link: { status: "auto_linked", companyId: contoso, candidateIds: [contoso] },
      });
      const inserted = await applyReferrals(ctx.store, [linked]);
      expect(inserted.referrals[0]).toMatchObject({ linkStatus: "auto_linked", linkedCompanyId: contoso });
      expect((await ctx.store.getKnownReferrals(["ref-a"])).get("ref-a")).toMatchObject({
        linkStatus: "auto_linked",
        linkedCompanyId: contoso,
      });

      const multi = makeProcessedReferral({
        referralId: "ref-a",
        contentHash: "hash-2",
        link: { status: "multi_candidate", companyId: null, candidateIds: [contoso, fabrikam] },
      });
      const updated = await applyReferrals(ctx.store, [multi]);
      expect(updated.referrals[0]).toMatchObject({ outcome: "updated", linkStatus: "multi_candidate", linkedCompanyId: null });
      expect(await readReferral(ctx.store, "ref-a")).toMatchObject({ linkStatus: "multi_candidate", linkedCompanyId: null });
      expect((await ctx.store.getKnownReferrals(["ref-a"])).get("ref-a")).toMatchObject({
        linkStatus: "multi_candidate",
        linkedCompanyId: null,
      });
    });

    it.each([{ manual: "link" }, { manual: "unlink" }])("keeps a manual $manual whatever a later page decides", async ({ manual }) => {
      const ids = await seedCompanies(ctx.store, TWO_COMPANIES);
      const contoso = ids["contoso.com"] as string;
      const fabrikam = ids["fabrikam.com"] as string;
      await applyReferrals(ctx.store, [makeProcessedReferral({ referralId: "ref-a" })]);
      const manualCompany = manual === "link" ? fabrikam : null;
      await ctx.store.setManualLink({ referralId: "ref-a", companyId: manualCompany });
      const expected = { linkStatus: manual === "link" ? "manual_linked" : "manual_unlinked", linkedCompanyId: manualCompany };
      expect((await ctx.store.getKnownReferrals(["ref-a"])).get("ref-a")).toMatchObject(expected);

      const resync = makeProcessedReferral({
        referralId: "ref-a",
        contentHash: "hash-2",
        status: "Active",
        link: { status: "auto_linked", companyId: contoso, candidateIds: [contoso] },
      });
      const outcome = await applyReferrals(ctx.store, [resync]);
      expect(outcome.referrals[0]).toMatchObject({ outcome: "updated", ...expected });
      expect(await readReferral(ctx.store, "ref-a")).toMatchObject({ status: "Active", ...expected });
      const known = await ctx.store.getKnownReferrals(["ref-a"]);
      expect(known.get("ref-a")).toMatchObject(expected);
    });
  });

  describe("applyBatch: raw leads", () => {
    it.skipIf(!ctx.inspect.rawLeads)("writes a raw lead per new or changed referral, none for unchanged", async () => {
      const rawLeads = async () => (await ctx.inspect.rawLeads?.(ctx.store)) ?? [];
      const first = makeProcessedReferral({ referralId: "ref-a", website: "https://www.contoso.com/about" });
      await applyReferrals(ctx.store, [first]);
      await applyReferrals(ctx.store, [first]);
      const changed = makeProcessedReferral({ referralId: "ref-a", contentHash: "hash-2", payload: { id: "ref-a", v: 2 } });
      await applyReferrals(ctx.store, [changed]);
      await applyReferrals(ctx.store, [changed]);

      const leads = (await rawLeads()).sort((x, y) => x.contentHash.localeCompare(y.contentHash));
      expect(leads.map(({ createdAt: _createdAt, ...rest }) => rest)).toEqual([
        {
          source: "partnercenter",
          referralId: "ref-a",
          domain: "contoso.com",
          companyName: "Contoso Ltd",
          email: "buyer@contoso.com",
          website: "https://www.contoso.com/about",
          payload: first.payload,
          contentHash: "hash-1",
        },
        {
          source: "partnercenter",
          referralId: "ref-a",
          domain: "contoso.com",
          companyName: "Contoso Ltd",
          email: "buyer@contoso.com",
          website: null,
          payload: { id: "ref-a", v: 2 },
          contentHash: "hash-2",
        },
      ]);
      for (const lead of leads) expect(Number.isNaN(Date.parse(lead.createdAt))).toBe(false);
    });
  });

  describe("item 2: applyBatch never replaces a referral with an older copy", () => {
    const newer = makeProcessedReferral({ referralId: "ref-a", contentHash: "hash-new", remoteUpdatedAt: "2025-03-05T08:00:00.000Z", payload: { v: "new" } });
    const older = makeProcessedReferral({
      referralId: "ref-a",
      contentHash: "hash-old",
      status: "Closed",
      substatus: "Lost",
      remoteUpdatedAt: "2025-03-04T08:00:00.000Z",
      payload: { v: "old" },
    });

    it("item 2: an older copy on a later page is stale: nothing but the sync time moves, no raw lead", async () => {
      await applyReferrals(ctx.store, [newer], { syncedAt: T1 });
      const outcome = await applyReferrals(ctx.store, [older], { syncedAt: T2 });
      expect(outcome.referrals).toEqual([unlinkedOutcome("ref-a", "stale", "New", "Pending")]);
      expect(await readReferral(ctx.store, "ref-a")).toEqual(expectedStored(newer, { syncedAt: T2, firstSeenAt: T1, tenant: tenantOf(ctx.store) }));
      if (ctx.inspect.rawLeads) expect((await ctx.inspect.rawLeads(ctx.store)).map((l) => l.contentHash)).toEqual(["hash-new"]);
    });

    it("item 2: within one page the older copy after the newer one is stale; the newer one after an older one updates", async () => {
      const outcome = await applyReferrals(ctx.store, [newer, older], { syncedAt: T1 });
      expect(outcome.referrals.map((r) => r.outcome)).toEqual(["inserted", "stale"]);
      expect(await readReferral(ctx.store, "ref-a")).toEqual(expectedStored(newer, { syncedAt: T1, tenant: tenantOf(ctx.store) }));
      const reversed = await applyReferrals(ctx.store, [
        { ...older, referralId: "ref-b" },
        { ...newer, referralId: "ref-b" },
      ]);
      expect(reversed.referrals.map((r) => r.outcome)).toEqual(["inserted", "updated"]);
      expect((await readReferral(ctx.store, "ref-b")).contentHash).toBe("hash-new");
    });

    it("item 2: an equal or unknown remoteUpdatedAt on either side follows the content-hash rules", async () => {
      await applyReferrals(ctx.store, [newer]);
      const sameTime = { ...older, remoteUpdatedAt: newer.remoteUpdatedAt };
      expect((await applyReferrals(ctx.store, [sameTime])).referrals[0]?.outcome).toBe("updated");
      const undated = { ...newer, contentHash: "hash-undated", remoteUpdatedAt: null };
      expect((await applyReferrals(ctx.store, [undated])).referrals[0]?.outcome).toBe("updated");
      expect((await applyReferrals(ctx.store, [older])).referrals[0]?.outcome).toBe("updated");
      expect((await readReferral(ctx.store, "ref-a")).contentHash).toBe("hash-old");
    });
  });
}
