// Company upserts by domain, and the all-or-nothing rule of a page.
import { describe, expect, it } from "vitest";
import type { Company, ProcessedReferral, Store } from "../../store/store.js";
import { makeCompanyUpsert, makeProcessedPage, makeProcessedReferral } from "../processed-fixtures.js";
import { applyReferrals, type ConformanceContext, instant, readReferral, seedCompanies } from "./context.js";

async function companyOf(store: Store, domain: string): Promise<Company> {
  const [company, ...rest] = await store.findCompanies({ domains: [domain], normalizedNames: [] });
  expect(rest).toEqual([]);
  expect(company, `company ${domain} should exist`).toBeDefined();
  return company as Company;
}

/**
 * Portable ways to make a page fail, which every store must reject as a whole: an empty
 * `referralId`, and a payload that JSON cannot represent (a BigInt).
 */
const EMPTY_ID = makeProcessedReferral({ referralId: "", domain: "fabrikam.com" });
const BIGINT_PAYLOAD = makeProcessedReferral({
  referralId: "ref-bad",
  domain: "fabrikam.com",
  payload: { id: "ref-bad", dealValue: 10n },
});
const FAILURE_TRIGGERS: Array<{ name: string; bad: ProcessedReferral }> = [
  { name: "an empty referralId", bad: EMPTY_ID },
  { name: "a payload that is not JSON-serializable", bad: BIGINT_PAYLOAD },
];

export function describeCompanies<S extends Store>(ctx: ConformanceContext<S>): void {
  describe("applyBatch: companies", () => {
    it("creates a company with a new id and stores every field", async () => {
      const upsert = makeCompanyUpsert({ provider: "M365", azureTenantId: "tid-1", segment: "Existing", score: 55, reasons: ["azure_tenant"] });
      const outcome = await ctx.store.applyBatch(makeProcessedPage([], { companies: [upsert] }));
      expect(outcome.companies).toHaveLength(1);
      const [created] = outcome.companies;
      expect(created).toMatchObject({ domain: "contoso.com", created: true });
      expect(typeof created?.companyId === "string" && created.companyId.length > 0).toBe(true);

      const company = await companyOf(ctx.store, "contoso.com");
      const { createdAt, updatedAt, ...fields } = company;
      expect(fields).toEqual({ id: created?.companyId, ...upsert, externalId: null });
      expect(Number.isNaN(Date.parse(createdAt))).toBe(false);
      expect(instant(updatedAt)).toBe(instant(createdAt));
    });

    it("updates a company by domain: first name kept, new facts win, reasons replaced", async () => {
      const ids = await seedCompanies(ctx.store, [makeCompanyUpsert({ segment: "New", score: 10, reasons: ["first"] })]);
      const before = await companyOf(ctx.store, "contoso.com");
      const outcome = await ctx.store.applyBatch(
        makeProcessedPage([], {
          companies: [
            makeCompanyUpsert({
              name: "Contoso Holdings",
              normalizedName: "contoso holdings",
              provider: "M365",
              azureTenantId: "tid-2",
              segment: "Existing",
              score: 55,
              reasons: ["azure_tenant", "co_sell"],
            }),
          ],
        }),
      );
      expect(outcome.companies).toEqual([{ companyId: ids["contoso.com"], domain: "contoso.com", created: false }]);
      const after = await companyOf(ctx.store, "contoso.com");
      expect(after).toMatchObject({
        id: ids["contoso.com"],
        name: "Contoso Ltd",
        normalizedName: "contoso",
        provider: "M365",
        azureTenantId: "tid-2",
        segment: "Existing",
        score: 55,
        reasons: ["azure_tenant", "co_sell"],
      });
      expect(instant(after.createdAt)).toBe(instant(before.createdAt));
      expect(Date.parse(after.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before.updatedAt));
    });

    it("never clears stored facts with nulls or an empty reason list", async () => {
      const full = makeCompanyUpsert({ provider: "M365", azureTenantId: "tid-1", segment: "Existing", score: 55, reasons: ["azure_tenant"] });
      await seedCompanies(ctx.store, [full]);
      await seedCompanies(ctx.store, [makeCompanyUpsert({ name: null, normalizedName: null })]);
      const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = await companyOf(ctx.store, "contoso.com");
      expect(fields).toEqual({ ...full, externalId: null });
    });

    it("takes the first non-null name when the stored one is null", async () => {
      await seedCompanies(ctx.store, [makeCompanyUpsert({ name: null, normalizedName: null })]);
      await seedCompanies(ctx.store, [makeCompanyUpsert({ name: "Contoso GmbH", normalizedName: "contoso gmbh" })]);
      expect(await companyOf(ctx.store, "contoso.com")).toMatchObject({ name: "Contoso GmbH", normalizedName: "contoso gmbh" });
    });

    it("reports company outcomes in input order", async () => {
      const ids = await seedCompanies(ctx.store, [makeCompanyUpsert({ domain: "zeta.example" })]);
      const outcome = await ctx.store.applyBatch(
        makeProcessedPage([], {
          companies: [makeCompanyUpsert({ domain: "zeta.example" }), makeCompanyUpsert({ domain: "alpha.example" })],
        }),
      );
      expect(outcome.companies.map((c) => [c.domain, c.created])).toEqual([
        ["zeta.example", false],
        ["alpha.example", true],
      ]);
      expect(outcome.companies[0]?.companyId).toBe(ids["zeta.example"]);
      expect(outcome.companies[1]?.companyId).not.toBe(ids["zeta.example"]);
    });
  });

  describe("applyBatch: a page is all or nothing", () => {
    it.each(FAILURE_TRIGGERS)("rejects a page holding $name and keeps nothing of it", async ({ bad }) => {
      const original = makeProcessedReferral({ referralId: "ref-old" });
      await applyReferrals(ctx.store, [original], { syncedAt: "2025-03-04T10:00:00.000Z" });
      const storedBefore = await readReferral(ctx.store, "ref-old");
      const leadsBefore = (await ctx.inspect.rawLeads?.(ctx.store))?.length;

      const page = makeProcessedPage(
        [
          makeProcessedReferral({ referralId: "ref-old", status: "Closed", contentHash: "hash-2" }),
          makeProcessedReferral({ referralId: "ref-new", domain: "fabrikam.com" }),
          bad,
        ],
        {
          syncedAt: "2025-03-06T10:00:00.000Z",
          companies: [makeCompanyUpsert({ domain: "fabrikam.com", normalizedName: "fabrikam" })],
        },
      );
      await expect(ctx.store.applyBatch(page)).rejects.toBeDefined();

      expect(await readReferral(ctx.store, "ref-old")).toEqual(storedBefore);
      expect(await ctx.store.getReferral("ref-new")).toBeNull();
      expect(await ctx.store.getReferral("ref-bad")).toBeNull();
      expect((await ctx.store.queryInbox({})).total).toBe(1);
      expect(await ctx.store.findCompanies({ domains: ["fabrikam.com"], normalizedNames: ["fabrikam"] })).toEqual([]);
      expect(await ctx.store.referralTypesByDomain(["fabrikam.com"])).toEqual(new Map());
      expect(await ctx.store.claimDomainScans(["fabrikam.com"])).toEqual(["fabrikam.com"]);
      if (leadsBefore !== undefined) expect((await ctx.inspect.rawLeads?.(ctx.store))?.length).toBe(leadsBefore);
    });

    it("stays usable after a rejected page", async () => {
      const good = makeProcessedReferral({ referralId: "ref-new" });
      await expect(ctx.store.applyBatch(makeProcessedPage([good, EMPTY_ID]))).rejects.toBeDefined();
      const outcome = await applyReferrals(ctx.store, [good]);
      expect(outcome.referrals[0]?.outcome).toBe("inserted");
    });
  });
}
