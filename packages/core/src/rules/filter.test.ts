import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { referenceExamples } from "../../test/fixtures/reference-examples.js";
import { parseReferral } from "../referral.js";
import { defaultFilterRules, evaluateFilter, filterParsedReferral } from "./filter.js";

const base = { id: "r-1", direction: "Incoming", status: "New", substatus: "Pending" };

describe("evaluateFilter", () => {
  it.each([
    ["A", { ingest: true }],
    ["B", { ingest: true }],
    ["C", { ingest: true }],
    ["D", { ingest: false, reason: "status" }],
    ["E", { ingest: false, reason: "direction" }],
  ] as const)("decides reference example %s", (letter, expected) => {
    expect(evaluateFilter(referenceExamples[letter])).toEqual(expected);
  });

  it.each(["A", "B", "C", "D", "E"] as const)("gives reference example %s the same verdict once parsed (filterParsedReferral)", (letter) => {
    const parsed = parseReferral(referenceExamples[letter]);
    if (!parsed.ok) throw new Error(`example ${letter} must be valid`);
    for (const rules of [undefined, { statuses: ["Closed"] }, { directions: ["Outgoing"], excludedSubstatuses: [] }]) {
      expect(filterParsedReferral(parsed.referral, rules)).toEqual(evaluateFilter(referenceExamples[letter], rules));
    }
  });

  it.each([
    ["lower case", { direction: "incoming", status: "new", substatus: "pending" }, { ingest: true }],
    ["upper case and padding", { direction: " INCOMING ", status: "\tACTIVE\n", substatus: "ACCEPTED" }, { ingest: true }],
    ["excluded substatus in another case", { substatus: " declined " }, { ingest: false, reason: "substatus" }],
  ])("compares case-insensitively and trimmed: %s", (_name, patch, expected) => {
    expect(evaluateFilter({ ...base, ...patch })).toEqual(expected);
  });

  it.each([
    ["missing direction", { direction: undefined }, { ingest: false, reason: "direction" }],
    ["null direction", { direction: null }, { ingest: false, reason: "direction" }],
    ["blank direction", { direction: "   " }, { ingest: false, reason: "direction" }],
    ["missing status", { status: undefined }, { ingest: false, reason: "status" }],
    ["empty status", { status: "" }, { ingest: false, reason: "status" }],
    ["missing substatus", { substatus: undefined }, { ingest: true }],
    ["null substatus", { substatus: null }, { ingest: true }],
  ])("handles %s", (_name, patch, expected) => {
    expect(evaluateFilter({ ...base, ...patch })).toEqual(expected);
  });

  it.each([
    ["direction before status", { direction: "Outgoing", status: "Closed", substatus: "Won" }, "direction"],
    ["status before substatus", { status: "Closed", substatus: "Won" }, "status"],
    ["validation before everything", { id: 42, direction: "Outgoing" }, "invalid_payload"],
  ])("reports the first failing rule: %s", (_name, patch, reason) => {
    expect(evaluateFilter({ ...base, ...patch })).toEqual({ ingest: false, reason });
  });

  it.each([
    ["an unknown direction", { direction: "Sideways" }, "direction"],
    ["an unknown status", { status: "Archived" }, "status"],
  ])("skips %s", (_name, patch, reason) => {
    expect(evaluateFilter({ ...base, ...patch })).toEqual({ ingest: false, reason });
  });

  it.each([[true], ["true"], [" TRUE "]])("skips a referral Partner Center flagged isSpam: %j with reason spam", (isSpam) => {
    expect(evaluateFilter({ ...base, isSpam })).toEqual({ ingest: false, reason: "spam" });
  });

  it.each([[false], [null], ["false"], [0], [{}]])("ingests a referral with isSpam: %j", (isSpam) => {
    expect(evaluateFilter({ ...base, isSpam })).toEqual({ ingest: true });
  });

  it("ingests flagged spam when skipSpam is false", () => {
    expect(evaluateFilter({ ...base, isSpam: true }, { skipSpam: false })).toEqual({ ingest: true });
  });

  it("passes an unknown substatus (only listed ones are excluded)", () => {
    expect(evaluateFilter({ ...base, substatus: "OnHold" })).toEqual({ ingest: true });
  });

  describe("overridden rules as plain data", () => {
    it("takes rules from parsed JSON and keeps defaults for the rest", () => {
      const rules = JSON.parse('{"statuses":["new"]}') as { statuses: string[] };
      expect(evaluateFilter({ ...base, status: "Active", substatus: "Accepted" }, rules)).toEqual({
        ingest: false,
        reason: "status",
      });
      expect(evaluateFilter({ ...base, direction: "Outgoing" }, rules)).toEqual({ ingest: false, reason: "direction" });
    });

    it("ingests outgoing referrals when asked to", () => {
      expect(evaluateFilter(referenceExamples.E, { directions: ["Incoming", "Outgoing"] })).toEqual({ ingest: true });
    });

    it("ingests closed ones when the status and substatus lists allow them", () => {
      const rules = { statuses: ["New", "Active", "Closed"], excludedSubstatuses: ["Lost"] };
      expect(evaluateFilter(referenceExamples.D, rules)).toEqual({ ingest: true });
      expect(evaluateFilter({ ...referenceExamples.D, substatus: "lost" }, rules)).toEqual({
        ingest: false,
        reason: "substatus",
      });
    });

    it("excludes nothing with an empty exclusion list", () => {
      expect(evaluateFilter({ ...base, status: "Active", substatus: "Won" }, { excludedSubstatuses: [] })).toEqual({
        ingest: true,
      });
    });

    it("ignores malformed rule values instead of throwing", () => {
      const rules = { directions: "Incoming", statuses: [null, 5, "new"] } as unknown as Partial<typeof defaultFilterRules>;
      expect(evaluateFilter(base, rules)).toEqual({ ingest: true });
      expect(evaluateFilter({ ...base, status: "Active" }, rules)).toEqual({ ingest: false, reason: "status" });
    });

    it("does not let callers change the defaults", () => {
      expect(Object.isFrozen(defaultFilterRules)).toBe(true);
      expect(Object.isFrozen(defaultFilterRules.directions)).toBe(true);
    });
  });

  describe("hostile payloads", () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    it.each([
      ["null", null],
      ["undefined", undefined],
      ["a number", 42],
      ["a string", "<script>alert(1)</script>"],
      ["an array", [base]],
      ["an object without id", { direction: "Incoming", status: "New" }],
      ["a blank id", { ...base, id: "   " }],
      ["a numeric status", { ...base, status: 1 }],
      ["an object as direction", { ...base, direction: { value: "Incoming" } }],
      ["a string as team", { ...base, team: "everyone" }],
      ["a throwing getter", Object.defineProperty({ ...base }, "status", { enumerable: true, get: () => { throw new Error("boom"); } })],
      ["a revoked proxy", revoked.proxy],
    ])("rejects %s as invalid_payload", (_name, payload) => {
      expect(evaluateFilter(payload)).toEqual({ ingest: false, reason: "invalid_payload" });
    });

    it.each([
      ["HTML", "<img src=x onerror=alert(1)>"],
      ["SQL", "New'; DROP TABLE referrals; --"],
      ["100 KB", "N".repeat(100_000)],
    ])("treats %s text in an enum field as just another unknown value", (_name, text) => {
      expect(evaluateFilter({ ...base, status: text })).toEqual({ ingest: false, reason: "status" });
    });

    it("never throws on arbitrary input", () => {
      fc.assert(
        fc.property(fc.anything(), (value) => {
          const decision = evaluateFilter(value);
          expect(typeof decision.ingest).toBe("boolean");
        }),
        { numRuns: 300 },
      );
    });
  });
});
