import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { referenceExamples } from "../../test/fixtures/reference-examples.js";
import { parseReferral, type Referral } from "../referral.js";
import { classifyParsedReferral, classifyReferral, defaultClassificationRules } from "./classify.js";
import type { ClassificationRule } from "./classify.js";

const independent = { id: "r-1", type: "Independent" };

describe("classifyReferral", () => {
  it.each([
    ["A", "co-sell", "type=Shared"],
    ["B", "solution-provider", "type=Independent, qualification=Direct, target[].type=BusinessProfileLocation"],
    ["C", "marketplace", "referralSource=AppSource, callToAction=ContactMe, customerMarketplaceIntent=Yes"],
    ["D", "co-sell", "type=Shared"],
    ["E", "co-sell", "type=Shared"],
  ] as const)("classifies reference example %s as %s", (letter, type, evidence) => {
    expect(classifyReferral(referenceExamples[letter])).toEqual({ type, evidence });
  });

  it.each(["A", "B", "C", "D", "E"] as const)("classifies reference example %s the same once parsed (classifyParsedReferral)", (letter) => {
    const parsed = parseReferral(referenceExamples[letter]);
    if (!parsed.ok) throw new Error(`example ${letter} must be valid`);
    expect(classifyParsedReferral(parsed.referral)).toEqual(classifyReferral(referenceExamples[letter]));
  });

  it.each([
    [
      "partner-invited Independent",
      { ...independent, qualification: "SalesQualified", inviteContext: { invitedBy: { organizationId: "a1b2-partner" } } },
      "co-sell",
      "inviteContext.invitedBy.organizationId=a1b2-partner (partner)",
    ],
    [
      "partner invite wins over a marketplace signal",
      { ...independent, referralSource: "AppSource", inviteContext: { invitedBy: { organizationId: "p-9" } } },
      "co-sell",
      "inviteContext.invitedBy.organizationId=p-9 (partner)",
    ],
    [
      "Shared wins over a marketplace signal",
      { id: "r", type: "shared", callToAction: "GetItNow" },
      "co-sell",
      "type=shared",
    ],
    [
      "marketplace wins over Independent + Direct",
      { ...independent, qualification: "Direct", customerMarketplaceIntent: "Yes" },
      "marketplace",
      "customerMarketplaceIntent=Yes",
    ],
    ["Independent + Direct without a target", { ...independent, qualification: "DIRECT" }, "solution-provider", "type=Independent, qualification=DIRECT"],
    [
      "Independent + SalesQualified from msft",
      { ...independent, qualification: "SalesQualified", inviteContext: { invitedBy: { organizationId: "MSFT" } } },
      "co-sell",
      "type=Independent, qualification=SalesQualified, invitedBy=MSFT",
    ],
    [
      "Independent + MarketingQualified without an inviter",
      { ...independent, qualification: "marketingqualified" },
      "co-sell",
      "type=Independent, qualification=marketingqualified, invitedBy=(none)",
    ],
  ])("applies the rule order: %s", (_name, referral, type, evidence) => {
    expect(classifyReferral(referral)).toEqual({ type, evidence });
  });

  it.each([
    ["None", "None"],
    ["no", "no"],
    ["UNKNOWN", "UNKNOWN"],
    ["blank", "   "],
    ["not applicable", "Not Applicable"],
  ])("ignores a negative marketplace value (%s)", (_name, value) => {
    const referral = { ...independent, qualification: "Direct", referralSource: value, callToAction: null };
    expect(classifyReferral(referral).type).toBe("solution-provider");
  });

  describe("marketplace intent is not a yes/no", () => {
    const lead = { ...independent, qualification: "Direct" };
    it.each([["HaveNotDecided"], ["No"], ["Maybe"], ["SomethingNew"], ["none"], [""]])(
      "reads customerMarketplaceIntent %j as no marketplace signal",
      (value) => {
        expect(classifyReferral({ ...lead, customerMarketplaceIntent: value }).type).toBe("solution-provider");
      },
    );

    it.each([["Yes"], ["yes"], ["TRUE"]])("reads customerMarketplaceIntent %j as a marketplace signal", (value) => {
      expect(classifyReferral({ ...lead, customerMarketplaceIntent: value })).toEqual({
        type: "marketplace",
        evidence: `customerMarketplaceIntent=${value}`,
      });
    });

    const withAttributes = (attributes: unknown) => ({ ...lead, details: { requirements: { additionalRequirements: { attributes } } } });

    it("reads the 2024 attribute form with the same affirmative-only rule and says it decided", () => {
      expect(classifyReferral(withAttributes([{ type: "Other", id: "Yes" }, { type: "CustomerMarketplaceIntent", id: "Yes" }]))).toEqual({
        type: "marketplace",
        evidence: "details.requirements.additionalRequirements.attributes[type=CustomerMarketplaceIntent].id=Yes",
      });
      for (const id of ["HaveNotDecided", "No", "Unheard"]) {
        expect(classifyReferral(withAttributes([{ type: "CustomerMarketplaceIntent", id }])).type).toBe("solution-provider");
      }
    });

    it.each([["not an array", { attributes: "Yes" }], ["null entries", { attributes: [null, 3, { type: null }] }], ["null", null]])(
      "ignores an attribute list that is %s",
      (_name, additionalRequirements) => {
        const referral = { ...lead, details: { requirements: { additionalRequirements } } };
        expect(classifyReferral(referral).type).toBe("solution-provider");
      },
    );
  });

  it("treats an empty or msft inviter as Microsoft, not a partner", () => {
    for (const organizationId of ["", "  ", "msft", " Msft "]) {
      const referral = { ...independent, qualification: "SalesQualified", inviteContext: { invitedBy: { organizationId } } };
      expect(classifyReferral(referral).type).toBe("co-sell");
      expect(classifyReferral(referral).evidence).toMatch(/^type=Independent, qualification=SalesQualified/);
    }
  });

  it.each([
    ["unknown type value", { id: "r", type: "Exclusive", qualification: "Direct" }],
    ["unknown qualification", { ...independent, qualification: "HyperQualified" }],
    ["Independent + None", { ...independent, qualification: "None" }],
    ["empty referral", { id: "r" }],
  ])("falls back for %s", (_name, referral) => {
    const result = classifyReferral(referral);
    expect(result.type).toBe("solution-provider");
    expect(result.evidence).toMatch(/^fallback:/);
  });

  it("uses the fallback option", () => {
    expect(classifyReferral({ id: "r" }, undefined, { fallback: "marketplace" })).toEqual({
      type: "marketplace",
      evidence: "fallback: no classification rule matched",
    });
  });

  it("ignores a fallback that is not a referral type", () => {
    const options = { fallback: "vip" } as unknown as { fallback: "co-sell" };
    expect(classifyReferral({ id: "r" }, undefined, options).type).toBe("solution-provider");
  });

  describe("custom rules", () => {
    const tagged: ClassificationRule = {
      name: "campaign",
      type: "marketplace",
      match: (r) => (r.campaignId?.startsWith("MKT-") ? `campaignId=${r.campaignId}` : null),
    };

    it("runs a host rule placed before the defaults", () => {
      const rules = [tagged, ...defaultClassificationRules];
      expect(classifyReferral({ ...referenceExamples.A, campaignId: "MKT-7" }, rules)).toEqual({
        type: "marketplace",
        evidence: "campaignId=MKT-7",
      });
      expect(classifyReferral(referenceExamples.A, rules).type).toBe("co-sell");
    });

    it("treats a throwing rule as not matching", () => {
      const broken: ClassificationRule = {
        name: "broken",
        type: "marketplace",
        match: () => {
          throw new Error("rule bug");
        },
      };
      expect(classifyReferral(referenceExamples.A, [broken, ...defaultClassificationRules])).toEqual({
        type: "co-sell",
        evidence: "type=Shared",
      });
    });

    it("uses the rule name as evidence when a rule matches with an empty string", () => {
      const always: ClassificationRule = { name: "always", type: "co-sell", match: () => "" };
      expect(classifyReferral({ id: "r" }, [always])).toEqual({ type: "co-sell", evidence: "always" });
    });

    it("skips malformed rules", () => {
      const rules = [
        null,
        { name: "bad type", type: "vip", match: () => "yes" },
        { name: "no match fn", type: "co-sell" },
        { name: "returns number", type: "co-sell", match: () => 1 },
      ] as unknown as ClassificationRule[];
      expect(classifyReferral(referenceExamples.A, rules).evidence).toMatch(/^fallback:/);
    });

    it("falls back on an empty table", () => {
      expect(classifyReferral(referenceExamples.A, []).type).toBe("solution-provider");
    });

    it("keeps the default table frozen", () => {
      expect(Object.isFrozen(defaultClassificationRules)).toBe(true);
      expect(defaultClassificationRules.map((r) => r.name)).toEqual([
        "shared",
        "partner-invited",
        "marketplace-signal",
        "solution-provider-profile",
        "microsoft-qualified",
      ]);
    });
  });

  describe("hostile payloads", () => {
    it.each([
      ["null", null],
      ["undefined", undefined],
      ["a number", 7],
      ["a string", "type=Shared"],
      ["an array", [referenceExamples.A]],
      ["a type of the wrong JSON type", { id: "r", type: 1 }],
      ["an inviteContext string", { id: "r", type: "Independent", qualification: "None", inviteContext: "partner" }],
      ["a target that is not an array", { id: "r", type: "Independent", qualification: "x", target: "BusinessProfileLocation" }],
    ])("never throws on %s", (_name, payload) => {
      const result = classifyReferral(payload);
      expect(result.type).toBe("solution-provider");
      expect(result.evidence).toMatch(/^fallback:/);
    });

    it("still reads the valid fields of an otherwise invalid payload", () => {
      expect(classifyReferral({ type: "Shared", details: { dealValue: "lots" } })).toEqual({
        type: "co-sell",
        evidence: "type=Shared",
      });
      expect(classifyReferral({ id: 5, type: "Independent", qualification: "Direct", referralSource: 9 }).type).toBe(
        "solution-provider",
      );
      // A malformed inviteContext counts as no inviter, i.e. Microsoft.
      const badInvite = { id: "r", type: "Independent", qualification: "SalesQualified", inviteContext: "partner" };
      expect(classifyReferral(badInvite).evidence).toBe("type=Independent, qualification=SalesQualified, invitedBy=(none)");
    });

    it("keeps evidence short and on one line with HTML, SQL and 100 KB values", () => {
      const huge = `<b>${"x".repeat(100_000)}</b>`;
      const html = classifyReferral({ id: "r", referralSource: huge });
      expect(html.type).toBe("marketplace");
      expect(html.evidence.length).toBeLessThan(120);

      const sql = classifyReferral({ id: "r", callToAction: "x'); DROP TABLE referrals;--\n\r" });
      expect(sql).toEqual({ type: "marketplace", evidence: "callToAction=x'); DROP TABLE referrals;--" });
    });

    it("survives throwing getters", () => {
      const payload = Object.defineProperty({ id: "r" }, "type", {
        enumerable: true,
        get: () => {
          throw new Error("boom");
        },
      });
      expect(classifyReferral(payload).type).toBe("solution-provider");
    });

    it("never throws on arbitrary input", () => {
      const referralLike = fc.record(
        {
          id: fc.oneof(fc.string(), fc.anything()),
          type: fc.oneof(fc.constantFrom("Shared", "Independent", "shared"), fc.anything()),
          qualification: fc.oneof(fc.constantFrom("Direct", "SalesQualified", "None"), fc.anything()),
          referralSource: fc.anything(),
          inviteContext: fc.anything(),
          target: fc.anything(),
        },
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(fc.oneof(fc.anything(), referralLike), (value) => {
          const result = classifyReferral(value);
          expect(["co-sell", "marketplace", "solution-provider"]).toContain(result.type);
          expect(result.evidence.length).toBeGreaterThan(0);
        }),
        { numRuns: 500 },
      );
    });
  });

  it("passes rules a typed Referral", () => {
    const seen: Referral[] = [];
    classifyReferral(referenceExamples.B, [{ name: "spy", type: "co-sell", match: (r) => (seen.push(r), null) }]);
    expect(seen[0]?.customerProfile?.name).toBe("Bright Dental Clinic");
  });
});
