import { readFileSync } from "node:fs";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { PcReferralsError } from "../errors.js";
import { parseReferral } from "../referral.js";
import { toTicks } from "./fake-odata.js";
import { createSeededRandom, generateReferrals } from "./generate-referrals.js";

// ajv ships CommonJS whose `module.exports` is the class with itself as `.default`; under NodeNext only `.default` is typed.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;
const schema: unknown = JSON.parse(readFileSync(new URL("../../test/fixtures/referral.schema.json", import.meta.url), "utf8"));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(schema as object, "pc");
const validReferral = ajv.getSchema("pc#/$defs/referral");

const NOW = Date.UTC(2026, 0, 15);
const referrals = generateReferrals(1000, { seed: 42, now: NOW });
const values = (pick: (r: Record<string, unknown>) => unknown) =>
  new Set(referrals.flatMap((r) => [pick(r)].flat()).filter((v) => v !== undefined));
const get = (value: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((v, key) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[key] : undefined), value);
const emails = (r: Record<string, unknown>): string[] =>
  ((get(r, "customerProfile.team") as { email?: string }[] | undefined) ?? []).map((m) => m.email ?? "").filter(Boolean);

describe("generateReferrals", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    expect(generateReferrals(50, { seed: 7 })).toEqual(generateReferrals(50, { seed: 7 }));
    expect(generateReferrals(50, { seed: 7 })).not.toEqual(generateReferrals(50, { seed: 8 }));
  });

  it("produces referrals that all validate against the JSON Schema", () => {
    if (!validReferral) throw new Error("schema not loaded");
    const failures = referrals.filter((r) => !validReferral(r)).map(() => validReferral.errors);
    expect(failures).toEqual([]);
  });

  it("makes floor(count × invalidRatio) invalid ids that the zod schema rejects", () => {
    const invalid = referrals.filter((r) => !parseReferral(r).ok);
    expect(invalid).toHaveLength(10);
    for (const r of invalid) expect(String(r.id).trim()).toBe("");
    expect(generateReferrals(200, { seed: 1, invalidRatio: 0 }).every((r) => parseReferral(r).ok)).toBe(true);
    expect(generateReferrals(200, { seed: 1, invalidRatio: 0.5 }).filter((r) => !parseReferral(r).ok)).toHaveLength(100);
  });

  it.each([
    ["status", (r: Record<string, unknown>) => r.status, ["None", "New", "Active", "Closed"]],
    ["substatus", (r: Record<string, unknown>) => r.substatus, ["None", "Pending", "Received", "Accepted", "Won", "Lost", "Declined", "Expired"]],
    ["type", (r: Record<string, unknown>) => r.type, ["Independent", "Shared"]],
    ["qualification", (r: Record<string, unknown>) => r.qualification, ["None", "Direct", "MarketingQualified", "SalesQualified"]],
    ["direction", (r: Record<string, unknown>) => r.direction, ["Incoming", "Outgoing"]],
    ["target type", (r: Record<string, unknown>) => ((r.target as { type: string }[] | undefined) ?? []).map((t) => t.type), ["None", "BusinessProfileLocation", "SolutionProfile"]],
    ["salesStage", (r: Record<string, unknown>) => r.salesStage, ["Qualify", "Develop", "Propose", "Close"]],
    ["customer size", (r: Record<string, unknown>) => get(r, "customerProfile.size"), [
      "1to9employees", "10to50employees", "51to250employees", "251to1000employees",
      "1001to5000employees", "5001to10000employees", "10001to20000employees", "Morethan20000employees",
    ]],
    ["assistanceRequestCode", (r: Record<string, unknown>) => get(r, "inviteContext.assistanceRequestCode"), [
      "Unknown", "GeneralOrOther", "CustomerTechnicalArchitecture", "ProofOfConceptOrDemo",
      "QuotesOrLicensing", "PostSalesCustomerSuccess", "WorkloadSpecificValueProposition",
    ]],
    ["solution type", (r: Record<string, unknown>) => ((get(r, "details.requirements.solutions") as { type: string }[] | undefined) ?? []).map((s) => s.type), ["None", "Category", "Name"]],
  ])("covers every %s value in 1,000 referrals", (_name, pick, expected) => {
    expect([...values(pick)].sort()).toEqual([...expected].sort());
  });

  it("keeps status and substatus in the allowed pairs", () => {
    const allowed: Record<string, string[]> = {
      None: ["None"], New: ["Pending", "Received"], Active: ["Accepted"], Closed: ["Won", "Lost", "Declined", "Expired"],
    };
    for (const r of referrals) expect(allowed[r.status as string]).toContain(r.substatus);
  });

  it("covers the three referral types the classifier tells apart", () => {
    const coSell = referrals.filter((r) => r.type === "Shared" || (get(r, "inviteContext.invitedBy.organizationId") ?? "msft") !== "msft");
    const marketplace = referrals.filter((r) => r.referralSource !== undefined && r.callToAction !== undefined);
    const solutionProvider = referrals.filter(
      (r) => r.type === "Independent" && r.qualification === "Direct" && r.referralSource === undefined &&
        (r.target as { type: string }[] | undefined)?.[0]?.type === "BusinessProfileLocation",
    );
    for (const group of [coSell, marketplace, solutionProvider]) expect(group.length).toBeGreaterThan(50);
    expect(values((r) => r.customerMarketplaceIntent).size).toBeGreaterThan(0);
  });

  it("covers IDN, multi-level, consumer-only and several-contact customers", () => {
    const domains = new Set(referrals.flatMap((r) => emails(r).map((e) => e.slice(e.indexOf("@") + 1))));
    const has = (test: (d: string) => boolean) => [...domains].some(test);
    expect(has((d) => /[äöü]/.test(d) && d.endsWith(".de"))).toBe(true);
    expect(has((d) => d.endsWith(".рф"))).toBe(true);
    expect(has((d) => d.startsWith("xn--") || d.includes(".xn--"))).toBe(true);
    for (const suffix of [".co.uk", ".com.au", ".co.jp"]) expect(has((d) => d.endsWith(suffix))).toBe(true);
    const consumer = /@(gmail\.com|outlook\.com|hotmail\.com|icloud\.com|yahoo\.com|gmx\.de|web\.de|yandex\.ru|mail\.ru|aol\.com)$/;
    expect(referrals.some((r) => emails(r).length > 0 && emails(r).every((e) => consumer.test(e)))).toBe(true);
    expect(referrals.some((r) => new Set(emails(r)).size >= 2)).toBe(true);
    expect(referrals.some((r) => emails(r).length === 0)).toBe(true);
    expect(referrals.some((r) => /https?:\/\/|www\./.test(String(get(r, "details.notes") ?? "")))).toBe(true);
  });

  it("puts Azure tenants in customerProfile.ids as arrays and as objects, and leaves optional parts out", () => {
    const ids = referrals.map((r) => get(r, "customerProfile.ids"));
    const isTenant = (e: unknown) => (e as { profileType?: string } | null)?.profileType === "AzureTenant";
    expect(ids.some((v) => Array.isArray(v) && v.some(isTenant))).toBe(true);
    expect(ids.some((v) => !Array.isArray(v) && isTenant(v))).toBe(true);
    for (const part of ["details", "consent", "customerProfile.address", "customerProfile.size", "name", "inviteContext"]) {
      expect(referrals.some((r) => get(r, part) === undefined), part).toBe(true);
    }
  });

  it("writes 7-digit timestamps spread over the months before now", () => {
    const updated = referrals.map((r) => String(r.updatedDateTime));
    for (const stamp of updated) expect(stamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    const months = new Set(updated.map((s) => s.slice(0, 7)));
    expect(months.size).toBeGreaterThanOrEqual(10);
    const nowTicks = BigInt(NOW) * 10_000n;
    for (const r of referrals) {
      expect(toTicks(r.updatedDateTime)! <= nowTicks).toBe(true);
      expect(toTicks(r.createdDateTime)! <= toTicks(r.updatedDateTime)!).toBe(true);
    }
  });

  it("defaults `now` to a fixed instant so output does not depend on the clock", () => {
    expect(generateReferrals(3)).toEqual(generateReferrals(3, { seed: 1, now: Date.UTC(2025, 10, 1) }));
  });

  it.each([
    [-1, {}],
    [1.5, {}],
    [10, { invalidRatio: 2 }],
    [10, { seed: 0.5 }],
    [10, { now: Number.NaN }],
  ])("rejects count %s with options %j as config_invalid", (count, options) => {
    let error: unknown;
    try {
      generateReferrals(count, options);
    } catch (caught) {
      error = caught;
    }
    expect(PcReferralsError.hasCode(error, "config_invalid")).toBe(true);
  });
});

describe("createSeededRandom", () => {
  it("repeats its sequence for a seed and stays in [0, 1)", () => {
    const a = createSeededRandom(99);
    const b = createSeededRandom(99);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
  });
});
