// Tenant views (Store.forTenant): every row belongs to one tenant, the same referral id is one row
// per tenant, domain scans are shared, bad ids are refused. A store without views must be a
// single-tenant store of the default tenant, which is all these tests check of it.
import { describe, expect, it } from "vitest";
import type { ReferralActionRecord, Store } from "../../store/store.js";
import { emptyCounts } from "../../sync/report.js";
import { DEFAULT_TENANT } from "../../tenants/tenant.js";
import { makeCompanyUpsert, makeProcessedReferral } from "../processed-fixtures.js";
import { applyReferrals, type ConformanceContext, expectErrorCode, seedCompanies, tenantOf } from "./context.js";

/** The store under test and two tenant views of it, none of them the store's own tenant. */
export interface TenantViews {
  store: Store;
  a: Store;
  b: Store;
}

/** `it`, given the views of `ctx.store`; a store without `forTenant` only has to be the default tenant. */
export function itWithTenants<S extends Store>(ctx: ConformanceContext<S>) {
  return (name: string, test: (views: TenantViews) => Promise<void>): void => {
    it(name, async () => {
      const store = ctx.store;
      if (store.forTenant === undefined) {
        expect(tenantOf(store)).toBe(DEFAULT_TENANT);
        return;
      }
      const [first, second] = ["a", "b"].includes(tenantOf(store)) ? ["tenant-a", "tenant-b"] : ["a", "b"];
      await test({ store, a: store.forTenant(first as string), b: store.forTenant(second as string) });
    });
  };
}

const SHARED = "shared.example";
const inboxOf = async (store: Store): Promise<[string, string, string | null][]> =>
  (await store.queryInbox({})).items.map((row) => [row.tenant, row.referralId, row.customerName]);

function action(id: string): ReferralActionRecord {
  return { id, referralId: "ref-1", action: "accept", actor: null, outcome: "succeeded", requestId: null, input: {}, error: null, at: "2025-10-01T08:00:00.000Z" };
}

export function describeTenants<S extends Store>(ctx: ConformanceContext<S>): void {
  const itViews = itWithTenants(ctx);

  describe("tenants: rows per tenant", () => {
    itViews("stores the same referral id once per tenant, each view reading only its own", async ({ store, a, b }) => {
      await applyReferrals(a, [
        makeProcessedReferral({ referralId: "ref-1", customerName: "Alpha Customer", domain: SHARED, contentHash: "hash-a" }),
        makeProcessedReferral({ referralId: "ref-2", customerName: "Alpha Two", domain: "alpha.example" }),
      ]);
      await applyReferrals(b, [
        makeProcessedReferral({ referralId: "ref-1", referralType: "marketplace", customerName: "Beta Customer", domain: SHARED, contentHash: "hash-b" }),
      ]);

      expect(await a.getReferral("ref-1")).toMatchObject({ tenant: a.tenant, customerName: "Alpha Customer" });
      expect(await b.getReferral("ref-1")).toMatchObject({ tenant: b.tenant, customerName: "Beta Customer" });
      expect(await b.getReferral("ref-2")).toBeNull();
      expect(await store.getReferral("ref-1")).toBeNull();

      expect(await inboxOf(a)).toEqual([
        [a.tenant, "ref-1", "Alpha Customer"],
        [a.tenant, "ref-2", "Alpha Two"],
      ]);
      expect(await inboxOf(b)).toEqual([[b.tenant, "ref-1", "Beta Customer"]]);
      expect(await inboxOf(store)).toEqual([]);
      expect((await b.queryInbox({ q: "Alpha" })).total).toBe(0);

      const knownA = await a.getKnownReferrals(["ref-1", "ref-2"]);
      const knownB = await b.getKnownReferrals(["ref-1", "ref-2"]);
      expect([...knownA.keys()].sort()).toEqual(["ref-1", "ref-2"]);
      expect([knownA.get("ref-1")?.contentHash, knownB.get("ref-1")?.contentHash, knownB.has("ref-2")]).toEqual(["hash-a", "hash-b", false]);

      expect((await a.listReferralDomains({})).items.map((r) => [r.domain, r.referralCount])).toEqual([
        ["alpha.example", 1],
        [SHARED, 1],
      ]);
      expect((await b.listReferralDomains({})).items.map((r) => [r.domain, r.referralTypes])).toEqual([[SHARED, ["marketplace"]]]);
      expect(Object.fromEntries(await a.referralTypesByDomain([SHARED]))).toEqual({ [SHARED]: ["co-sell"] });
      expect(Object.fromEntries(await b.referralTypesByDomain([SHARED]))).toEqual({ [SHARED]: ["marketplace"] });
      expect(Object.fromEntries(await store.referralTypesByDomain([SHARED]))).toEqual({});

      const counts = await Promise.all([a, b, store].map(async (s) => (await s.getSyncStatus("scope")).referralCount));
      expect(counts).toEqual([2, 1, 0]);
    });

    itViews("keeps companies per tenant: another tenant's company is not found and cannot be linked", async ({ a, b }) => {
      const idsA = await seedCompanies(a, [makeCompanyUpsert({ domain: SHARED, name: "Alpha view of it" })]);
      const idsB = await seedCompanies(b, [makeCompanyUpsert({ domain: SHARED, name: "Beta view of it" })]);
      const [companyA, companyB] = [idsA[SHARED] as string, idsB[SHARED] as string];
      expect(companyA).not.toBe(companyB);

      const found = await a.findCompanies({ domains: [SHARED], normalizedNames: [] });
      expect(found.map((c) => [c.id, c.name])).toEqual([[companyA, "Alpha view of it"]]);
      if (b.readPageContext !== undefined) {
        const context = await b.readPageContext({ referralIds: [], domains: [SHARED], normalizedNames: [] });
        expect(context.companies.map((c) => c.id)).toEqual([companyB]);
      }
      expect(await a.getCompany(companyB)).toBeNull();
      expect(await a.setCompanyExternalId({ companyId: companyB, externalId: "CRM-1" })).toBeNull();
      expect((await b.getCompany(companyB))?.externalId).toBeNull();

      await applyReferrals(a, [makeProcessedReferral({ referralId: "ref-1", domain: SHARED })]);
      await expectErrorCode(a.setManualLink({ referralId: "ref-1", companyId: companyB }), "invalid_input");
      expect(await a.setManualLink({ referralId: "ref-1", companyId: companyA })).toMatchObject({ linkedCompanyId: companyA });
      expect(await b.setManualLink({ referralId: "ref-1", companyId: companyB })).toBeNull();
    });

    itViews("keeps cursors, runs, referral failures, expiry claims and the audit trail per tenant", async ({ store, a, b }) => {
      await a.advanceCursor("scope", { updatedAt: "2025-03-04T09:00:00.000Z" });
      expect(await b.getCursor("scope")).toBeNull();
      expect((await b.getSyncStatus("scope")).cursor).toBeNull();
      expect(await store.getCursor("scope")).toBeNull();

      const startedAt = "2025-03-04T10:00:00.000Z";
      await a.recordRun({ runId: "run-a", trigger: "manual", full: false, status: "succeeded", startedAt, finishedAt: startedAt, counts: emptyCounts(), errors: [], warnings: [] });
      expect((await a.listRuns()).map((r) => r.runId)).toEqual(["run-a"]);
      expect(await b.listRuns()).toEqual([]);
      expect((await b.getSyncStatus("scope")).lastRun).toBeNull();

      const failure = { referralId: "ref-1", contentHash: "h", updatedAt: null, error: { code: "internal", message: "CRM said no" } };
      await a.recordReferralFailures({ scope: "scope", runId: "run-a", quarantineAfter: 1, at: startedAt, failed: [failure], succeeded: [] });
      expect((await a.listReferralFailures("scope")).map((f) => f.referralId)).toEqual(["ref-1"]);
      expect(await b.listReferralFailures("scope")).toEqual([]);
      expect((await b.getSyncStatus("scope")).quarantined).toEqual([]);

      const claim = { referralId: "ref-1", thresholdDays: 3, expiresAt: "2025-03-13T12:00:00.000Z" };
      expect(await a.claimExpiryAnnouncements([claim])).toHaveLength(1);
      expect(await b.claimExpiryAnnouncements([claim])).toHaveLength(1);
      expect(await a.claimExpiryAnnouncements([claim])).toEqual([]);

      await a.recordReferralAction(action("audit-a"));
      await b.recordReferralAction(action("audit-b"));
      expect((await a.listReferralActions()).map((r) => r.id)).toEqual(["audit-a"]);
      expect((await b.listReferralActions({ referralId: "ref-1" })).map((r) => r.id)).toEqual(["audit-b"]);
      expect(await store.listReferralActions()).toEqual([]);
    });

    itViews("shares domain scans between tenants", async ({ store, a, b }) => {
      expect(await a.claimDomainScans([SHARED, "alpha.example"])).toEqual([SHARED, "alpha.example"]);
      expect(await b.claimDomainScans([SHARED, "beta.example"])).toEqual(["beta.example"]);
      expect(await store.claimDomainScans(["alpha.example", "beta.example"])).toEqual([]);
    });
  });

  describe("tenants: views", () => {
    itViews("names its tenant; a view of a view is the sibling view; the store's own tenant is the store", async ({ store, a, b }) => {
      expect(a.tenant).not.toBe(b.tenant);
      expect(store.forTenant?.(DEFAULT_TENANT).tenant).toBe(DEFAULT_TENANT);
      await applyReferrals(b, [makeProcessedReferral({ referralId: "ref-b" })]);
      const sibling = a.forTenant?.(b.tenant as string);
      expect([sibling?.tenant, (await sibling?.getReferral("ref-b"))?.referralId]).toEqual([b.tenant, "ref-b"]);

      await applyReferrals(store, [makeProcessedReferral({ referralId: "ref-own" })]);
      const own = store.forTenant?.(tenantOf(store));
      expect(own?.tenant).toBe(tenantOf(store));
      expect((await own?.getReferral("ref-own"))?.tenant).toBe(tenantOf(store));
      const defaultView = a.forTenant?.(DEFAULT_TENANT);
      expect(await defaultView?.getReferral("ref-b")).toBeNull();
      // The default tenant's view and the root store are one set of rows.
      if (tenantOf(store) === DEFAULT_TENANT) expect((await defaultView?.getReferral("ref-own"))?.tenant).toBe(DEFAULT_TENANT);
    });

    itViews("refuses a malformed tenant id with invalid_input", async ({ store }) => {
      for (const id of ["Bad Id", "", "a".repeat(64), "-leading-dash", undefined]) {
        await expectErrorCode(Promise.resolve().then(() => store.forTenant?.(id as string)), "invalid_input");
      }
    });
  });
}
