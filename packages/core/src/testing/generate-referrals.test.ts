import { describe, expect, it } from "vitest";
import { wireSchemaErrors, withDocumentedTeams } from "../../test/support/wire-schema.js";
import { PcReferralsError } from "../errors.js";
import { decodeHtmlEntities } from "../rules/html-text.js";
import { parseReferral, teamMembers } from "../referral.js";
import { toTicks } from "./fake-odata.js";
import { createSeededRandom, generateReferrals } from "./generate-referrals.js";
import { hasSingleObjectTeam } from "./wire-texture.js";

const NOW = Date.UTC(2026, 0, 15);
const referrals = generateReferrals(1000, { seed: 42, now: NOW });
const values = (pick: (r: Record<string, unknown>) => unknown) =>
  new Set(referrals.flatMap((r) => [pick(r)].flat()).filter((v) => v !== undefined));
const get = (value: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((v, key) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[key] : undefined), value);
const emails = (r: Record<string, unknown>): string[] =>
  teamMembers(get(r, "customerProfile.team")).map((m) => m.email ?? "").filter(Boolean);

describe("generateReferrals", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    expect(generateReferrals(50, { seed: 7 })).toEqual(generateReferrals(50, { seed: 7 }));
    expect(generateReferrals(50, { seed: 7 })).not.toEqual(generateReferrals(50, { seed: 8 }));
  });

  it("produces referrals that all validate against the JSON Schema, but for single-object teams", () => {
    const arrayTeams = referrals.filter((r) => !hasSingleObjectTeam(r));
    expect(arrayTeams.length).toBeGreaterThan(900);
    expect(arrayTeams.map((r) => wireSchemaErrors("referral", r)).filter((e) => e !== null)).toEqual([]);
  });

  it("sends a team of one as a single object in a share, valid once wrapped in an array", () => {
    const single = referrals.filter(hasSingleObjectTeam);
    expect(single.length).toBeGreaterThan(10);
    for (const r of single) {
      expect(wireSchemaErrors("referral", r)).not.toBeNull();
      expect(wireSchemaErrors("referral", withDocumentedTeams(r))).toBeNull();
      expect(parseReferral(r).ok || String(r.id).trim() === "").toBe(true);
    }
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
    // "100" is what captured payloads carry; null is the wire's "absent".
    ["salesStage", (r: Record<string, unknown>) => r.salesStage, ["Qualify", "Develop", "Propose", "Close", "100", null]],
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

  it("writes 7- and 6-digit timestamps, with Z or +00:00, spread over the months before now", () => {
    const updated = referrals.map((r) => String(r.updatedDateTime));
    for (const stamp of updated) expect(stamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6,7}(?:Z|\+00:00)$/);
    for (const form of [/\.\d{7}Z$/, /\.\d{6}Z$/, /\.\d{7}\+00:00$/, /\.\d{6}\+00:00$/]) {
      expect(updated.filter((stamp) => form.test(stamp)).length, String(form)).toBeGreaterThan(10);
    }
    const months = new Set(updated.map((s) => s.slice(0, 7)));
    expect(months.size).toBeGreaterThanOrEqual(10);
    const nowTicks = BigInt(NOW) * 10_000n;
    for (const r of referrals) {
      expect(toTicks(r.updatedDateTime)! <= nowTicks).toBe(true);
      expect(toTicks(r.createdDateTime)! <= toTicks(r.updatedDateTime)!).toBe(true);
    }
  });

  describe("wire texture", () => {
    const clean = generateReferrals(1000, { seed: 42, now: NOW, texture: false });
    const share = (test: (r: Record<string, unknown>) => boolean) => referrals.filter(test).length;

    it("sends null for absent optional fields, as the wire does", () => {
      for (const path of ["expirationDateTime", "statusReason", "referralSource", "callToAction", "campaignId", "salesStage",
        "externalReferenceId", "lastModifiedVia", "lastRunId", "customerProfile.address.addressLine2", "details.notes",
        "details.customerAction", "details.customerRequestedContact", "inviteContext.notes", "inviteContext.invitedMpnId"]) {
        expect(share((r) => get(r, path) === null), path).toBeGreaterThan(20);
      }
      expect(share((r) => teamMembers(get(r, "customerProfile.team")).some((m) => m.contactPreference?.locale === null))).toBeGreaterThan(20);
      expect(share((r) => ((get(r, "details.requirements.solutions") as { name?: unknown }[] | undefined) ?? []).some((x) => x.name === null))).toBeGreaterThan(5);
    });

    it("HTML-escapes names in a share, decoding back to the clean name", () => {
      const escaped = referrals.filter((r, i) => get(r, "customerProfile.name") !== get(clean[i], "customerProfile.name"));
      expect(escaped.length).toBeGreaterThan(10);
      expect(escaped.some((r) => String(get(r, "customerProfile.name")).includes("&amp;"))).toBe(true);
      expect(escaped.some((r) => /&#x?[0-9A-F]+;/i.test(String(get(r, "customerProfile.name"))))).toBe(true);
      referrals.forEach((r, i) => {
        const name = get(r, "customerProfile.name");
        if (typeof name === "string") expect(decodeHtmlEntities(name)).toBe(get(clean[i], "customerProfile.name"));
      });
    });

    it("carries the fields and values captured payloads showed but the docs do not list", () => {
      for (const field of ["quality", "mpnId", "referralProgram", "dealSensitivity", "createdVia", "tags", "closedDateTime",
        "registrationStatus", "registrations", "trackingInfo", "customerProfile.isMatchingComplete", "details.incentiveLevel",
        "details.requirements.offers", "details.requirements.salesPlays"]) {
        expect(share((r) => get(r, field) !== undefined), field).toBeGreaterThan(100);
      }
      expect(values((r) => r.registrationStatus)).toEqual(new Set(["None", "ReviewPending", "Approved"]));
      expect(share((r) => teamMembers(r.team).some((m) => "title" in m))).toBeGreaterThan(50);
      expect(share((r) => Array.isArray(r.registrations) && r.registrations.length > 0)).toBeGreaterThan(10);
      expect(values((r) => get(r, "details.requirements.additionalRequirements.attributes.0.id"))).toEqual(
        new Set(["HaveNotDecided", "Yes", "No"]),
      );
    });

    it("flags a few referrals as spam and says HaveNotDecided for marketplace intent", () => {
      expect(share((r) => r.isSpam === true)).toBeGreaterThan(2);
      expect(share((r) => r.isSpam === true)).toBeLessThan(30);
      expect(values((r) => r.customerMarketplaceIntent)).toEqual(new Set(["Yes", "No", "HaveNotDecided"]));
    });

    it("writes some related-referral links with the GUID unquoted, as Partner Center does", () => {
      const uris = referrals.map((r) => String(get(r, "links.relatedReferrals.uri") ?? "")).filter(Boolean);
      expect(uris.some((u) => /engagementId eq [0-9a-f-]{36}$/.test(u))).toBe(true);
      expect(uris.some((u) => /engagementId eq '[0-9a-f-]{36}'$/.test(u))).toBe(true);
    });

    it("lays the texture over the same clean data, and texture: false leaves it documented and clean", () => {
      expect(referrals.map((r) => r.id)).toEqual(clean.map((r) => r.id));
      referrals.forEach((r, i) => {
        const ms = (v: unknown) => Math.floor(Number(toTicks(v)) / 10_000);
        expect(ms(r.updatedDateTime)).toBe(ms(clean[i]?.updatedDateTime));
      });
      const text = JSON.stringify(clean);
      for (const marker of [":null", "&amp;", "HaveNotDecided", "isSpam", "registrations", "+00:00", '"100"']) {
        expect(text.includes(marker), marker).toBe(false);
      }
      expect(clean.some(hasSingleObjectTeam)).toBe(false);
      expect(clean.map((r) => wireSchemaErrors("referral", r)).filter((e) => e !== null)).toEqual([]);
    });
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
    [10, { texture: "yes" as unknown as boolean }],
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
