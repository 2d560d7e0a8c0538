import { describe, expect, it } from "vitest";
import type { ReferralPageItem } from "../client/types.js";
import { parseReferral } from "../referral.js";
import { defaultScoringHooks } from "../rules/scoring.js";
import type { KnownReferral, ProcessedPage, ProcessedReferral } from "../store/store.js";
import { assertValidProcessedPage } from "../store/validate-page.js";
import { referenceExamples } from "../../test/fixtures/reference-examples.js";
import { canonicalJson, contentHash, hashCanonicalJson } from "./content-hash.js";
import { pageItemUpdatedAtMs, processReferral, type KeepDecision, type ReferralProcessingConfig } from "./process-referral.js";

const config: ReferralProcessingConfig = { rules: {}, scoringHooks: defaultScoringHooks() };

function item(payload: unknown): ReferralPageItem {
  const parsed = parseReferral(payload);
  return parsed.ok ? { ok: true, referral: parsed.referral } : { ok: false, referralId: parsed.referralId, issues: parsed.issues, raw: payload };
}

function keep(payload: unknown, known?: KnownReferral, cfg = config): KeepDecision {
  const decision = processReferral(item(payload), known, cfg);
  if (decision.kind !== "keep") throw new Error(`expected keep, got skip ${decision.reason}`);
  return decision;
}

function knownOf(payload: Record<string, unknown>, overrides: Partial<KnownReferral> = {}): KnownReferral {
  return {
    referralId: String(payload.id),
    contentHash: keep(payload).referral.contentHash,
    status: String(payload.status),
    substatus: String(payload.substatus),
    linkStatus: "unlinked",
    linkedCompanyId: null,
    ...overrides,
  };
}

describe("processReferral on the reference examples", () => {
  it.each([
    ["A", "co-sell", "alpenblick-logistik.de", "website", 15],
    ["B", "solution-provider", "brightdental.co.uk", "email", null],
    ["C", "marketplace", "kestrelanalytics.com", "email", null],
  ] as const)("ingests %s as %s with domain %s", (letter, type, domain, source, score) => {
    const d = keep(referenceExamples[letter]);
    expect(d.referral).toMatchObject({ referralType: type, domain, domainSource: source, azureTenantId: null });
    expect(d.referral.scoring.score).toBe(score);
    expect(d.unchanged).toBe(false);
    expect(d.known).toBeNull();
    expect(d.company).toMatchObject({ domain, provider: null, name: (referenceExamples[letter].customerProfile as { name: string }).name });
    expect(d.referral.payload).toEqual(referenceExamples[letter]);
  });

  it("keeps the website it read the domain from, and the first contact e-mail, for the raw lead", () => {
    const d = keep(referenceExamples.A);
    expect(d.referral.website).toContain("alpenblick-logistik.de");
    expect(d.referral.contactEmail).toBe("j.krueger@alpenblick-logistik.de");
    expect(d.referral.remoteUpdatedAt).toBe("2025-03-04T09:12:44.1234567Z");
  });

  it.each([
    ["D (closed, declined)", referenceExamples.D, "status"],
    ["E (outgoing)", referenceExamples.E, "direction"],
    ["a referral without any domain", { ...referenceExamples.B, customerProfile: { name: "X", team: [{ email: "x@gmail.com" }] } }, "no_domain"],
  ])("skips %s with reason %s", (_name, payload, reason) => {
    expect(processReferral(item(payload), undefined, config)).toMatchObject({ kind: "skip", reason });
  });

  it("reports an invalid payload with its issue paths and its id when it has one", () => {
    const decision = processReferral(item({ id: "r-1", status: 7 }), undefined, config);
    expect(decision).toEqual({ kind: "skip", referralId: "r-1", reason: "invalid_payload", issues: [expect.stringContaining("status")] });
  });
});

describe("processReferral on referrals the store already has", () => {
  it("keeps a stored referral current even when the filter now skips it, without a company upsert", () => {
    const closed = { ...referenceExamples.A, status: "Closed", substatus: "Declined" };
    const d = keep(closed, knownOf(referenceExamples.A));
    expect(d.unchanged).toBe(false);
    expect(d.referral).toMatchObject({ status: "Closed", substatus: "Declined" });
    expect(d.company).toBeNull();
  });

  it("marks the same content as unchanged and upserts no company", () => {
    const d = keep(referenceExamples.A, knownOf(referenceExamples.A));
    expect(d.unchanged).toBe(true);
    expect(d.company).toBeNull();
  });

  it("upserts the company again when a still-ingestible referral changed", () => {
    const d = keep({ ...referenceExamples.A, substatus: "Received" }, knownOf(referenceExamples.A));
    expect(d.unchanged).toBe(false);
    expect(d.company?.domain).toBe("alpenblick-logistik.de");
  });

  it("keeps a stored referral that lost its domain, with a null domain", () => {
    const noDomain = { ...referenceExamples.B, customerProfile: { name: "Bright Dental Clinic" } };
    const d = keep(noDomain, knownOf(referenceExamples.B));
    expect(d.referral).toMatchObject({ domain: null, domainSource: null, website: null });
    expect(d.company).toBeNull();
  });
});

describe("processReferral with rules and hooks", () => {
  it("sets the M365 provider and the Existing segment when a tenant id is present", () => {
    const tenant = "8f1b2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d";
    const d = keep({ ...referenceExamples.A, azureTenantId: tenant });
    expect(d.referral).toMatchObject({ azureTenantId: tenant, scoring: { score: 70, segment: "Existing" } });
    expect(d.company).toMatchObject({ provider: "M365", azureTenantId: tenant, score: 70, segment: "Existing" });
  });

  it("applies the host's filter rules", () => {
    const cfg = { ...config, rules: { filter: { statuses: ["Closed"], excludedSubstatuses: [] } } };
    expect(processReferral(item(referenceExamples.D), undefined, cfg).kind).toBe("keep");
  });

  it("throws when a host hook throws, so the engine can fail that referral alone", () => {
    const cfg = {
      ...config,
      scoringHooks: [
        () => {
          throw new Error("hook broke");
        },
      ],
    };
    expect(() => processReferral(item(referenceExamples.A), undefined, cfg)).toThrow("hook broke");
  });
});

describe("pageItemUpdatedAtMs", () => {
  it.each([
    [item(referenceExamples.A), Date.parse("2025-03-04T09:12:44.123Z")],
    [item({ id: "", updatedDateTime: "2025-01-01T00:00:00Z" }), Date.parse("2025-01-01T00:00:00Z")],
    [item({ ...referenceExamples.A, updatedDateTime: "yesterday" }), null],
    [{ ok: false, referralId: null, issues: [], raw: "garbage" } satisfies ReferralPageItem, null],
  ])("reads valid and raw payloads (%#)", (pageItem, expected) => {
    expect(pageItemUpdatedAtMs(pageItem)).toBe(expected);
  });
});

describe("item 4: the payload is serialized once", () => {
  it("sets payloadJson to the canonical JSON its content hash was computed from", () => {
    const { referral } = keep(referenceExamples.A);
    expect(referral.payloadJson).toBe(canonicalJson(referral.payload));
    expect(referral.contentHash).toBe(hashCanonicalJson(referral.payloadJson as string));
    expect(referral.contentHash).toBe(contentHash(referral.payload));
  });

  it("page validation trusts payloadJson instead of serializing the payload again", () => {
    const { referral } = keep(referenceExamples.A);
    let serialized = 0;
    const payload = { ...referral.payload, toJSON: () => (serialized++, referral.payload) };
    const page = (r: ProcessedReferral): ProcessedPage => ({ runId: "run-1", syncedAt: "2025-01-01T00:00:00.000Z", referrals: [r], companies: [] });
    const link = { status: "unlinked" as const, companyId: null, candidateIds: [] };
    assertValidProcessedPage(page({ ...referral, payload, link }));
    expect(serialized).toBe(0);
    // Without payloadJson the payload is still checked by serializing it.
    const { payloadJson: _json, ...withoutJson } = referral;
    assertValidProcessedPage(page({ ...withoutJson, payload, link }));
    expect(serialized).toBe(1);
  });
});
