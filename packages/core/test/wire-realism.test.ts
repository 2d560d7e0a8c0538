// What captured Partner Center payloads look like, end to end: the real client pages them from
// the fake over HTTP, the engine decides, the memory store keeps them.
import { afterEach, describe, expect, it } from "vitest";
import { parseReferral, teamMembers } from "../src/referral.js";
import { normalizeCompanyName } from "../src/rules/company-name.js";
import { extractDomain } from "../src/rules/domain.js";
import { contentHash } from "../src/sync/content-hash.js";
import { coSellFromMicrosoft, marketplaceLead, solutionProviderLead } from "./fixtures/reference-examples.js";
import { startHarness, type Harness } from "./engine-harness.js";

/** Reference example A with every optional field the wire sends as null set to null. */
function coSellWithNulls(): Record<string, unknown> {
  const a = structuredClone(coSellFromMicrosoft) as Record<string, any>;
  for (const field of ["expirationDateTime", "statusReason", "referralSource", "callToAction", "campaignId", "salesStage",
    "externalReferenceId", "lastModifiedVia", "lastRunId", "customerMarketplaceIntent"]) a[field] = null;
  a.customerProfile.address = { addressLine1: null, addressLine2: null, city: null, state: null, postalCode: null, country: null, region: null };
  a.customerProfile.team = a.customerProfile.team.map((m: object) => ({ ...m, contactPreference: { locale: null, disableNotifications: null } }));
  a.details = { ...a.details, notes: null, customerAction: null, customerRequestedContact: null,
    requirements: { ...a.details.requirements, solutions: [{ id: "SAPonAzure", name: null, type: "Category" }] } };
  a.inviteContext = { ...a.inviteContext, notes: null, invitedMpnId: null };
  return a;
}

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

describe("wire realism", () => {
  it("ingests a referral whose optional fields are all null with the right type and domain", async () => {
    const referral = coSellWithNulls();
    harness = await startHarness({ referrals: [referral] });
    const report = await harness.engine.run({ trigger: "manual" });
    expect(report.counts).toMatchObject({ ingested: 1, failed: 0 });
    const stored = await harness.memory.getReferral(String(referral.id));
    expect(stored).toMatchObject({ referralType: "co-sell", typeEvidence: "type=Shared", domain: "alpenblick-logistik.de" });
    expect(stored?.payload).toEqual(referral);
  });

  it("ingests a co-sell whose team and customerProfile.team are single objects (a team of one)", async () => {
    const referral = structuredClone(coSellFromMicrosoft) as Record<string, any>;
    referral.team = referral.team[0];
    referral.customerProfile.team = referral.customerProfile.team[0];
    delete referral.details.notes;
    expect(parseReferral(referral).ok).toBe(true);
    harness = await startHarness({ referrals: [referral] });
    const report = await harness.engine.run({ trigger: "manual" });
    expect(report.counts.skipped.invalid_payload).toBe(0);
    const stored = await harness.memory.getReferral(String(referral.id));
    expect(stored).toMatchObject({ referralType: "co-sell", domain: "alpenblick-logistik.de" });
    expect(teamMembers((stored?.payload as { team?: unknown }).team)).toHaveLength(1);
  });

  it("stores the decoded customer name and keeps the payload as received", async () => {
    const referral = structuredClone(solutionProviderLead) as Record<string, any>;
    referral.customerProfile.name = "VISTA OIL &amp; GAS ARGENTINA S.A.U.";
    harness = await startHarness({ referrals: [referral] });
    await harness.engine.run({ trigger: "manual" });
    const stored = await harness.memory.getReferral(String(referral.id));
    expect(stored?.customerName).toBe("VISTA OIL & GAS ARGENTINA S.A.U.");
    expect((stored?.payload as any).customerProfile.name).toBe("VISTA OIL &amp; GAS ARGENTINA S.A.U.");
    expect(stored?.contentHash).toBe(contentHash(referral));
    const [company] = await harness.memory.findCompanies({ domains: ["brightdental.co.uk"], normalizedNames: [] });
    expect(company).toMatchObject({ name: "VISTA OIL & GAS ARGENTINA S.A.U.", normalizedName: normalizeCompanyName("VISTA OIL & GAS ARGENTINA S.A.U.") });
    expect(company?.normalizedName).toBe("vista oil and gas argentina");
  });

  it("skips isSpam: true with its own reason, counted like the others", async () => {
    const spam: Record<string, unknown> = { ...structuredClone(solutionProviderLead), isSpam: true };
    const fine = { ...structuredClone(marketplaceLead), isSpam: false, quality: "Unknown", registrationStatus: "ReviewPending" };
    harness = await startHarness({ referrals: [spam, fine] });
    const report = await harness.engine.run({ trigger: "manual" });
    expect(report.counts.skipped.spam).toBe(1);
    expect(report.counts.ingested).toBe(1);
    expect(harness.eventsOf("referral.skipped").map((e) => [e.referralId, e.reason])).toEqual([[spam.id, "spam"]]);
    expect(harness.engine.metrics().referrals.skipped.spam).toBe(1);
  });

  it("keeps undocumented enum values as strings and never rejects them", () => {
    const referral = { ...structuredClone(coSellFromMicrosoft), salesStage: "100", qualification: "PartnerQualified",
      status: "Pending", substatus: "Verifying", registrationStatus: "ReviewPending", dealSensitivity: "None", quality: "Unknown" };
    const parsed = parseReferral(referral);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.referral).toMatchObject({ salesStage: "100", qualification: "PartnerQualified", substatus: "Verifying" });
  });

  it("moves the cursor by instants whatever the timestamp form (6 or 7 digits, Z or +00:00)", async () => {
    const at = (id: string, updatedDateTime: string) => ({ ...structuredClone(solutionProviderLead), id, updatedDateTime });
    const referrals = [
      at("a", "2025-05-20T14:03:10.1234567Z"),
      at("b", "2025-05-20T14:03:10.999999+00:00"),
      at("c", "2025-05-20T14:03:09.9999999Z"),
    ];
    harness = await startHarness({ referrals });
    const report = await harness.engine.run({ trigger: "manual" });
    expect(report.counts.ingested).toBe(3);
    expect(report.cursor.next).toBe("2025-05-20T14:03:10.999Z");
  });

  it("reads a domain from a single-object customer team like from an array", () => {
    const referral = structuredClone(solutionProviderLead) as Record<string, any>;
    referral.customerProfile.team = { email: "office@brightdental.co.uk" };
    const parsed = parseReferral(referral);
    expect(parsed.ok && extractDomain(parsed.referral)).toEqual({ domain: "brightdental.co.uk", source: "email", value: "office@brightdental.co.uk" });
  });
});

describe("the fake reads Partner Center's own related-referrals link", () => {
  it.each([["unquoted"], ["quoted"]])("filters engagementId eq <guid> %s", async (form) => {
    const a = structuredClone(coSellFromMicrosoft) as Record<string, any>;
    const other = { ...structuredClone(solutionProviderLead), id: "11111111-2222-4333-8444-555555555555" };
    harness = await startHarness({ referrals: [a, other] });
    const guid = String(a.engagementId);
    const filter = `engagementId eq ${form === "quoted" ? `'${guid}'` : guid}`;
    const ids: string[] = [];
    for await (const page of harness.client.listReferrals({ filter })) ids.push(...page.referrals.map((r) => (r.ok ? r.referral.id : "")));
    expect(ids).toEqual([a.id]);
  });
});
