import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldCompanyUpserts, mergeCompanyFacts } from "./company-merge.js";
import type { CompanyUpsert } from "./store.js";

const stored = {
  name: "Contoso Ltd",
  normalizedName: "contoso",
  provider: "M365",
  azureTenantId: "tid-1",
  segment: "Existing",
  score: 55,
  reasons: ["azure_tenant"],
};
const empty = { name: null, normalizedName: null, provider: null, azureTenantId: null, segment: null, score: null, reasons: [] };

describe("mergeCompanyFacts", () => {
  it.each([
    ["keeps every stored fact when the upsert has none", stored, empty, stored],
    ["fills facts a company lacked", empty, stored, stored],
    [
      "keeps the first name but lets newer facts and non-empty reasons win",
      stored,
      { name: "Contoso GmbH", normalizedName: "contoso gmbh", provider: "Other", azureTenantId: "tid-2", segment: "New", score: 0, reasons: ["co_sell"] },
      { name: "Contoso Ltd", normalizedName: "contoso", provider: "Other", azureTenantId: "tid-2", segment: "New", score: 0, reasons: ["co_sell"] },
    ],
  ])("%s", (_name, existing, next, expected) => {
    expect(mergeCompanyFacts(existing, next)).toEqual(expected);
  });

  it("returns reasons the caller can change without touching its inputs", () => {
    const merged = mergeCompanyFacts(stored, empty);
    merged.reasons.push("later");
    expect(stored.reasons).toEqual(["azure_tenant"]);
  });
});

describe("foldCompanyUpserts", () => {
  const base: CompanyUpsert = {
    domain: "contoso.com",
    name: "Contoso",
    normalizedName: "contoso",
    provider: null,
    azureTenantId: null,
    segment: null,
    score: 15,
    reasons: ["co-sell"],
  };

  it("merges one upsert per domain in first-seen order: first name, later non-null facts", () => {
    const merged = foldCompanyUpserts([
      base,
      { ...base, domain: "fabrikam.com", name: "Fabrikam" },
      { ...base, name: "Contoso Ltd", provider: "M365", azureTenantId: "t", segment: "Existing", score: 70, reasons: ["tenant"] },
      { ...base, name: "Contoso 3", score: null, segment: null, reasons: [] },
    ]);
    expect(merged).toEqual([
      { ...base, provider: "M365", azureTenantId: "t", segment: "Existing", score: 70, reasons: ["tenant"] },
      { ...base, domain: "fabrikam.com", name: "Fabrikam" },
    ]);
  });

  it("keeps the tenant's segment when a later referral of the page scores without one", () => {
    const tenant = { ...base, provider: "M365", azureTenantId: "t", segment: "Existing", score: 55, reasons: ["tenant"] };
    expect(foldCompanyUpserts([tenant, base])).toEqual([{ ...tenant, score: 15, reasons: ["co-sell"] }]);
  });

  it("gives the company a store reaches by applying the same upserts one by one", () => {
    const text = fc.option(fc.constantFrom("a", "b", "c"), { nil: null });
    const upsert = fc.record({
      domain: fc.constantFrom("x.com", "y.com"),
      name: text,
      normalizedName: text,
      provider: text,
      azureTenantId: text,
      segment: text,
      score: fc.option(fc.integer({ min: -5, max: 100 }), { nil: null }),
      reasons: fc.array(fc.constantFrom("r1", "r2"), { maxLength: 2 }),
    });
    fc.assert(
      fc.property(fc.constantFrom<Omit<CompanyUpsert, "domain">>(stored, empty), fc.array(upsert, { maxLength: 6 }), (existing, upserts) => {
        for (const domain of ["x.com", "y.com"]) {
          const own = upserts.filter((u) => u.domain === domain);
          const oneByOne = own.reduce((facts, u) => mergeCompanyFacts(facts, u), existing);
          const folded = foldCompanyUpserts(own).reduce((facts, u) => mergeCompanyFacts(facts, u), existing);
          expect(folded).toEqual(oneByOne);
        }
      }),
    );
  });
});
