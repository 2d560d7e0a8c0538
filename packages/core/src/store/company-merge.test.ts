import { describe, expect, it } from "vitest";
import { mergeCompanyFacts } from "./company-merge.js";

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
