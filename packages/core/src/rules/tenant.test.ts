import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { referenceExamples } from "../../test/fixtures/reference-examples.js";
import type { Referral } from "../referral.js";
import { defaultTenantExtractors, extractAzureTenantId } from "./tenant.js";
import type { TenantExtractor } from "./tenant.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER = "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e";
const asReferral = (value: unknown) => value as Referral;
const withIds = (ids: unknown) => asReferral({ id: "r-1", customerProfile: { ids } });

describe("extractAzureTenantId", () => {
  it.each([
    ["top-level azureTenantId", { azureTenantId: TENANT }],
    ["top-level customerTenantId", { customerTenantId: TENANT }],
    ["upper case with braces", { azureTenantId: `{${TENANT.toUpperCase()}}` }],
    ["surrounding whitespace", { azureTenantId: `  ${TENANT}\n` }],
    ["azureTenantId before customerTenantId", { azureTenantId: TENANT, customerTenantId: OTHER }],
    ["customerTenantId when azureTenantId is not a GUID", { azureTenantId: "contoso.onmicrosoft.com", customerTenantId: TENANT }],
    ["a top-level field before customerProfile.ids", { customerTenantId: TENANT, customerProfile: { ids: { tenantId: OTHER } } }],
  ])("reads %s", (_label, payload) => {
    expect(extractAzureTenantId(asReferral({ id: "r-1", ...payload }))).toBe(TENANT);
  });

  it.each([
    ["array entry { id, profileType: AzureTenant }", [{ id: "123456789", profileType: "Duns" }, { id: TENANT, profileType: "AzureTenant" }]],
    ["array entry { type: TenantId, value }", [{ type: "TenantId", value: TENANT }]],
    ["array entry with a tenant key", [{ tenantId: TENANT }]],
    ["case-insensitive type", [{ ProfileType: "AZURE_TENANT", Id: TENANT }]],
    ["the first valid GUID of several tenant entries", [{ profileType: "AzureTenant", id: "n/a" }, { profileType: "Tenant", id: TENANT }]],
    ["object form { tenantId }", { duns: "123456789", tenantId: TENANT }],
    ["object form { AzureTenantId }", { AzureTenantId: TENANT }],
    ["object form with a nested entry", { AzureTenant: { id: TENANT } }],
  ])("reads customerProfile.ids: %s", (_label, ids) => {
    expect(extractAzureTenantId(withIds(ids))).toBe(TENANT);
  });

  it.each([
    ["no ids (reference example A)", referenceExamples.A],
    ["no tenant field at all (reference example B)", referenceExamples.B],
    ["a GUID under a non-tenant type", { id: "r", customerProfile: { ids: [{ id: TENANT, profileType: "External" }] } }],
    ["a GUID under a non-tenant key", { id: "r", customerProfile: { ids: { externalId: TENANT } } }],
    ["a tenant name instead of an id", { id: "r", azureTenantId: "contoso.onmicrosoft.com" }],
    ["the nil GUID", { id: "r", azureTenantId: "00000000-0000-0000-0000-000000000000" }],
    ["unbalanced braces", { id: "r", azureTenantId: `{${TENANT}` }],
    ["a GUID without hyphens", { id: "r", azureTenantId: TENANT.replaceAll("-", "") }],
    ["a GUID with extra text", { id: "r", azureTenantId: `tenant ${TENANT}` }],
    ["a number", { id: "r", azureTenantId: 42 }],
    ["malformed ids", { id: "r", customerProfile: { ids: "tenant" } }],
  ])("returns null for %s", (_label, payload) => {
    expect(extractAzureTenantId(asReferral(payload))).toBeNull();
  });

  it("uses custom extractors instead of the defaults, skipping non-GUID candidates", () => {
    const fromNotes: TenantExtractor = (r) => r.details?.notes?.match(/tenant:\s*(\S+)/)?.[1];
    const referral = asReferral({ id: "r", azureTenantId: OTHER, details: { notes: `tenant: ${TENANT}` } });
    expect(extractAzureTenantId(referral, [() => "none", () => [7, "x", TENANT], fromNotes])).toBe(TENANT);
    expect(extractAzureTenantId(referral, [fromNotes, ...defaultTenantExtractors])).toBe(TENANT);
    expect(extractAzureTenantId(referral, [])).toBeNull();
  });

  it("never throws on arbitrary payloads and returns only lower-case GUIDs", () => {
    const payload = fc.oneof(
      fc.anything(),
      fc.record({ azureTenantId: fc.oneof(fc.uuid(), fc.anything()), customerProfile: fc.record({ ids: fc.anything() }) }),
      fc.record({ customerProfile: fc.record({ ids: fc.array(fc.record({ profileType: fc.constantFrom("AzureTenant", "Duns"), id: fc.oneof(fc.uuid(), fc.string()) })) }) }),
    );
    fc.assert(
      fc.property(payload, (value) => {
        const tenant = extractAzureTenantId(asReferral(value));
        if (tenant !== null) expect(tenant).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      }),
      { numRuns: 500 },
    );
  });
});
