/**
 * Deterministic, realistic Partner Center referrals for tests, demos and the fake server.
 * Every referral validates against `referral.schema.json`, except the deliberately invalid ids
 * and the single-object `team`s of the wire texture (the schema, like the docs, says array);
 * see the testing README for what the generator covers.
 */
import { domainToASCII } from "node:url";
import { z } from "zod";
import { parseOptions } from "../_options.js";
import * as S from "./_referral-samples.js";
import { createRng, type Rng } from "./_seeded-random.js";
import { fromTicks, toTicks } from "./fake-odata.js";
import { applyWireTexture } from "./wire-texture.js";

export { createSeededRandom } from "./_seeded-random.js";

/** Options of {@link generateReferrals}. */
export interface GenerateReferralsOptions {
  /** PRNG seed; the same seed (and `now`) gives deep-equal output. Default 1. */
  seed?: number;
  /** Dates spread over the 12 months before `now`. Default `2025-11-01T00:00:00Z`, fixed so output is reproducible. */
  now?: Date | number;
  /**
   * Share of referrals (0..1, default 0.01) whose `id` is empty or whitespace: still valid JSON
   * Schema (which only requires a string id) but rejected by `referralSchema`, so a sync reports
   * them as `invalid_payload`. Exactly `floor(count × invalidRatio)` are made.
   */
  invalidRatio?: number;
  /**
   * Give the data the texture of real payloads (default true): `null` in absent optional
   * fields, `team` as a single object, HTML-escaped names (`&amp;`), `salesStage: "100"`,
   * undocumented enum values and fields (`quality`, `registrations`, `trackingInfo`, …), 6-digit
   * and `+00:00` timestamps, a few `isSpam: true`, `customerMarketplaceIntent: "HaveNotDecided"`
   * and unquoted GUIDs in related-referral links. `false` gives clean, documented data. The
   * texture draws from its own sequence: the clean data underneath is the same either way.
   */
  texture?: boolean;
}

const optionsSchema = z.strictObject({
  count: z.number().int().nonnegative(),
  seed: z.number().int().optional(),
  now: z.union([z.date(), z.number().finite()]).optional(),
  invalidRatio: z.number().min(0).max(1).optional(),
  texture: z.boolean().optional(),
});

/** Default `now`: fixed, so that tests and docs show the same data on every run. */
const DEFAULT_NOW = Date.UTC(2025, 10, 1);
const DAY = 86_400_000;
const STATUS_PAIRS = [
  ["New", "Pending", 18], ["New", "Received", 14], ["Active", "Accepted", 24], ["Closed", "Won", 10],
  ["Closed", "Lost", 8], ["Closed", "Declined", 10], ["Closed", "Expired", 12], ["None", "None", 4],
] as const;
const ARCHETYPES = [
  ["microsoft-co-sell", 28], ["partner-co-sell", 10], ["qualified-lead", 14],
  ["solution-provider", 20], ["marketplace", 16], ["outgoing", 12],
] as const;
type Archetype = (typeof ARCHETYPES)[number][0];

/** A timestamp with a random 7-digit fraction, as the API sends them, kept within [min, max]. */
function stamp(rng: Rng, ms: number, min = 0n, max = BigInt(ms) * 10_000n + 9_999n): string {
  const ticks = BigInt(Math.floor(ms / 1000)) * 10_000_000n + BigInt(rng.int(0, 9_999_999));
  return fromTicks(ticks < min ? min : ticks > max ? max : ticks);
}
const midnight = (ms: number): string => `${new Date(Math.floor(ms / DAY) * DAY).toISOString().slice(0, 19)}Z`;

const TRANSLITERATE: Record<string, string> = { ä: "ae", ö: "oe", ü: "ue", ß: "ss", é: "e", è: "e", ê: "e", ô: "o", ç: "c" };

/** Company domain: the name's letters, an optional hyphen, the country's suffix; umlauts kept or spelled out. */
function companyDomain(rng: Rng, country: S.CountrySample, stem: string): string {
  const lower = stem.toLowerCase().normalize("NFC");
  const hasNonAscii = /[^\x00-\x7f]/.test(lower);
  const keepUnicode = hasNonAscii && (country.code === "DE" || country.code === "RU" || rng.chance(0.3));
  const letters = keepUnicode ? lower : lower.replace(/[^\x00-\x7f]/g, (ch) => TRANSLITERATE[ch] ?? "");
  const label = letters.split(/[^\p{L}\p{N}]+/u).filter(Boolean).join(rng.chance(0.5) ? "-" : "");
  const suffix = country.code === "RU" && !keepUnicode ? "ru" : country.suffix;
  return `${label}.${suffix}`;
}

function emailLocal(rng: Rng, first: string, last: string): string {
  const ascii = (s: string) => s.toLowerCase().replace(/[^a-z]/g, (ch) => TRANSLITERATE[ch] ?? "");
  const [f, l] = [ascii(first), ascii(last)];
  if (!f || !l) return rng.pick(["info", "office", "sales", "kontakt"]);
  return rng.pick([`${f}.${l}`, `${f[0] ?? ""}.${l}`, f, `${f}${l}`]);
}

function customerContacts(rng: Rng, country: S.CountrySample, domain: string): Record<string, unknown>[] | undefined {
  const style = rng.weighted([["business", 60], ["consumer", 12], ["mixed", 14], ["none", 7], ["nameless", 7]] as const)[0];
  if (style === "none") return rng.chance(0.5) ? [] : undefined;
  // Half of the e-mails of an IDN company carry the punycode form, as many mail systems write it.
  const mailDomain = () => (rng.chance(0.4) ? domainToASCII(domain) || domain : domain);
  const consumer = () => rng.pick([...S.GLOBAL_CONSUMER_DOMAINS, ...country.consumerDomains]);
  const count = style === "mixed" ? rng.int(2, 3) : rng.int(1, 2);
  return Array.from({ length: count }, (_, i) => {
    const first = style === "nameless" ? "" : rng.pick(country.firstNames);
    const last = style === "nameless" ? "" : rng.pick(country.lastNames);
    const business = style === "business" || style === "nameless" || (style === "mixed" && i > 0);
    const member: Record<string, unknown> = {
      firstName: first,
      lastName: last,
      email: `${emailLocal(rng, first, last)}@${business ? mailDomain() : consumer()}`,
    };
    if (rng.chance(0.6)) member.phoneNumber = `${country.phone} ${rng.int(1000, 9999)}`;
    if (rng.chance(0.3)) member.contactPreference = { locale: country.locale, disableNotifications: rng.chance(0.2) };
    return member;
  });
}

function customerIds(rng: Rng): unknown {
  const tenant = { id: rng.guid(), profileType: "AzureTenant" };
  const duns = { id: String(rng.int(100_000_000, 999_999_999)), profileType: "Duns" };
  switch (rng.weighted([["tenant", 14], ["tenant-object", 5], ["duns", 10], ["external", 4], ["empty-object", 6], ["empty", 25], ["missing", 36]] as const)[0]) {
    case "tenant": return rng.chance(0.5) ? [tenant] : [duns, tenant];
    case "tenant-object": return tenant;
    case "duns": return [duns];
    case "external": return [{ id: `EXT-${rng.int(10_000, 99_999)}`, profileType: "External" }];
    case "empty-object": return {};
    case "empty": return [];
    default: return undefined;
  }
}

function sellers(rng: Rng, names: readonly (readonly [string, string])[], domain: string): Record<string, unknown>[] {
  return Array.from({ length: rng.int(1, 2) }, () => {
    const [firstName, lastName] = rng.pick(names);
    return { firstName, lastName, email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}@${domain}` };
  });
}

/** Drops `undefined` values so optional parts are absent, not present-but-undefined. */
function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

function makeReferral(rng: Rng, nowMs: number, archetype: Archetype): Record<string, unknown> {
  const country = rng.pick(S.COUNTRIES);
  const stem = rng.pick(country.companies);
  const form = rng.pick(country.legalForms);
  const companyName = country.legalFormFirst ? `${form} «${stem}»` : `${stem} ${form}`;
  const domain = companyDomain(rng, country, stem);
  const [status, substatus] = rng.weighted(STATUS_PAIRS);
  const fromMicrosoft = archetype !== "partner-co-sell" && archetype !== "outgoing";
  const incoming = archetype !== "outgoing";

  const createdMs = nowMs - rng.int(1, 365) * DAY - rng.int(0, DAY - 1);
  const updatedMs = createdMs + Math.floor(rng.next() ** 2 * (nowMs - createdMs));
  const createdDateTime = stamp(rng, createdMs);
  const createdTicks = toTicks(createdDateTime) ?? 0n;
  const updatedDateTime = stamp(rng, updatedMs, createdTicks, BigInt(nowMs) * 10_000n);
  const updatedTicks = toTicks(updatedDateTime) ?? createdTicks;
  const accepted = status === "Active" || substatus === "Won" || substatus === "Lost";

  const [type, qualification] = {
    "microsoft-co-sell": ["Shared", rng.pick(["SalesQualified", "MarketingQualified", "None"])],
    "partner-co-sell": [rng.pick(["Shared", "Independent"]), rng.pick(["None", "SalesQualified"])],
    "qualified-lead": ["Independent", rng.pick(["SalesQualified", "MarketingQualified"])],
    "solution-provider": ["Independent", "Direct"],
    marketplace: ["Independent", rng.pick(["Direct", "None"])],
    outgoing: ["Shared", "None"],
  }[archetype];

  const city = rng.pick(country.cities);
  const address = rng.weighted([["full", 60], ["country", 30], ["missing", 10]] as const)[0];
  const website = rng.chance(0.3) ? rng.pick([`https://www.${domain}`, `http://${domain}/`, `www.${domain}`]) : null;
  const products = [{ id: rng.pick(S.PRODUCTS) }];

  return compact({
    id: rng.guid(),
    engagementId: rng.guid(),
    organizationId: S.PARTNER_ORG.organizationId,
    organizationName: S.PARTNER_ORG.organizationName,
    name: rng.chance(0.85) ? `${stem} – ${rng.pick(S.PROJECTS)}` : undefined,
    externalReferenceId: rng.chance(0.5) ? (rng.chance(0.5) ? `CRM-OPP-${rng.int(10_000, 99_999)}` : "") : undefined,
    createdDateTime,
    updatedDateTime,
    expirationDateTime: incoming && status !== "None" ? midnight(createdMs + 14 * DAY) : undefined,
    acceptedDateTime: accepted ? (incoming ? stamp(rng, Math.floor(createdMs + (updatedMs - createdMs) / 2), createdTicks, updatedTicks) : createdDateTime) : undefined,
    status,
    substatus,
    statusReason: substatus === "Lost" || substatus === "Declined" ? rng.pick(S.DECLINE_REASONS) : undefined,
    type,
    qualification,
    direction: incoming ? "Incoming" : "Outgoing",
    referralSource: archetype === "marketplace" ? rng.pick(S.MARKETPLACE_SOURCES) : undefined,
    callToAction: archetype === "marketplace" && rng.chance(0.8) ? rng.pick(S.CALLS_TO_ACTION) : undefined,
    customerMarketplaceIntent: archetype === "marketplace" && rng.chance(0.6) ? rng.pick(S.MARKETPLACE_INTENTS) : undefined,
    salesStage: !fromMicrosoft || rng.chance(0.1) ? rng.pick(S.SALES_STAGES) : undefined,
    campaignId: rng.chance(0.1) ? `CMP-${rng.int(1000, 9999)}` : undefined,
    favorite: rng.chance(0.2) ? rng.chance(0.5) : undefined,
    customerProfile: compact({
      name: rng.chance(0.97) ? companyName : undefined,
      size: rng.chance(0.85) ? rng.pick(S.CUSTOMER_SIZES) : undefined,
      ids: customerIds(rng),
      address:
        address === "missing"
          ? undefined
          : address === "country"
            ? { country: country.code }
            : compact({
                addressLine1: `${rng.pick(country.streets)} ${rng.int(1, 120)}`,
                addressLine2: rng.chance(0.15) ? `Floor ${rng.int(1, 9)}` : undefined,
                city: city[0],
                state: city[1] || undefined,
                postalCode: city[2],
                country: country.code,
                region: rng.chance(0.3) ? country.region : undefined,
              }),
      team: customerContacts(rng, country, domain),
    }),
    consent: rng.chance(0.75)
      ? compact({
          consentToContact: rng.chance(0.9),
          consentToToShareInfoWithOthers: rng.chance(0.6),
          consentToMicrosoftToContactSpecificPartners: rng.chance(0.3) ? rng.chance(0.5) : undefined,
        })
      : undefined,
    details: rng.chance(0.88)
      ? compact({
          notes: website
            ? `Customer site: ${website}. Interested in ${products[0]?.id}.`
            : rng.chance(0.7) ? `Customer asks about ${products[0]?.id} for ${rng.int(5, 5000)} users.` : undefined,
          dealValue: rng.chance(0.7) ? rng.int(5, 500) * 1000 : undefined,
          currency: rng.chance(0.7) ? country.currency : undefined,
          closingDateTime: rng.chance(0.6) ? midnight(createdMs + rng.int(30, 240) * DAY) : undefined,
          customerRequestedContact: archetype === "marketplace" ? rng.chance(0.7) : undefined,
          requirements: rng.chance(0.8)
            ? compact({
                industries: rng.chance(0.5) ? [{ id: rng.pick(S.INDUSTRIES) }] : undefined,
                products,
                services: rng.chance(0.4) ? [{ id: rng.pick(S.SERVICES) }] : undefined,
                solutions: rng.chance(0.5) ? [{ ...rng.pick(S.SOLUTIONS) }] : undefined,
              })
            : undefined,
        })
      : undefined,
    team: fromMicrosoft
      ? archetype === "microsoft-co-sell" ? sellers(rng, S.MICROSOFT_SELLERS, "microsoft.com") : undefined
      : sellers(rng, S.PARTNER_SELLERS, "northwindcloud.example"),
    inviteContext: !incoming
      ? undefined
      : archetype === "partner-co-sell"
        ? { notes: "Joint opportunity, please review.", invitedBy: { ...rng.pick(S.INVITING_PARTNERS) }, assistanceRequestCode: rng.pick(S.ASSISTANCE_CODES) }
        : archetype === "marketplace" && rng.chance(0.4)
          ? undefined
          : compact({
              notes: rng.chance(0.5) ? "Please engage, customer expects a call this week." : undefined,
              invitedBy: { organizationId: "msft", organizationName: "Microsoft" },
              assistanceRequestCode: rng.chance(0.15) ? rng.pick(S.ASSISTANCE_CODES) : undefined,
            }),
    target:
      archetype === "solution-provider"
        ? [{ id: rng.guid(), type: "BusinessProfileLocation" }]
        : archetype === "microsoft-co-sell" && rng.chance(0.5)
          ? [{ id: rng.guid(), type: rng.pick(["SolutionProfile", "None"]) }]
          : undefined,
    eTag: `"${rng.hex(8)}-0000-0000-0000-${rng.hex(12)}"`,
  });
}

function addLinks(referral: Record<string, unknown>): void {
  const base = "https://api.partner.microsoft.com/v1.0/engagements/referrals";
  referral.links = {
    self: { uri: `${base}/${String(referral.id)}`, method: "GET" },
    relatedReferrals: { uri: `${base}?$filter=engagementId eq '${String(referral.engagementId)}'`, method: "GET" },
  };
}

/**
 * `count` referrals, deterministic for a given `seed` and `now`: all statuses/substatuses in
 * their allowed pairs, every documented enum value, the three referral types of the classifier,
 * IDN and multi-level customer domains, consumer-only contacts, several contacts per customer,
 * missing optional parts, Azure tenants in `customerProfile.ids`, a few invalid ids, and (unless
 * `texture: false`) the texture of real payloads described at {@link GenerateReferralsOptions.texture}.
 */
export function generateReferrals(count: number, options: GenerateReferralsOptions = {}): Record<string, unknown>[] {
  const parsed = parseOptions(optionsSchema, { ...options, count }, "generateReferrals");
  const nowMs = parsed.now === undefined ? DEFAULT_NOW : new Date(parsed.now).getTime();
  const rng = createRng(parsed.seed ?? 1);
  const textureRng = parsed.texture === false ? null : createRng(((parsed.seed ?? 1) ^ 0x5eed7e57) >>> 0);
  const referrals = Array.from({ length: count }, () => {
    const referral = makeReferral(rng, nowMs, rng.weighted(ARCHETYPES)[0]);
    if (rng.chance(0.5)) addLinks(referral);
    if (textureRng) applyWireTexture(referral, textureRng);
    return referral;
  });
  const invalid = Math.floor(count * (parsed.invalidRatio ?? 0.01));
  const positions = new Set<number>();
  while (positions.size < invalid) positions.add(rng.int(0, count - 1));
  for (const index of positions) (referrals[index] as Record<string, unknown>).id = rng.pick(["", " ", "   ", "\t"]);
  return referrals;
}
