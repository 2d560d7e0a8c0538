// The texture of real payloads, laid over clean generated referrals: what Partner Center was
// seen to send in 2022 captures (nulls for absent optional fields, a team as a single object,
// HTML-escaped names, `salesStage: "100"`, undocumented enum values and fields, 6-digit or
// `+00:00` timestamps, spam flags, non-boolean marketplace intent, unquoted GUIDs in links).
// It draws from its own seeded sequence, so the clean data underneath stays the same.
import type { Rng } from "./_seeded-random.js";

type Json = Record<string, unknown>;

/** Shares of each texture, per referral. */
const SHARE = {
  nulls: 0.35,
  singleObjectTeam: 0.06,
  escapedName: 0.6,
  salesStage100: 0.3,
  timestampForm: 0.25,
  fields2022: 0.5,
  spam: 0.01,
  intentNotDecided: 0.4,
  unquotedLinkGuid: 0.5,
} as const;

// Optional top-level fields the wire sends as `null` when they have no value.
const NULLABLE_TOP = [
  "expirationDateTime", "statusReason", "referralSource", "callToAction", "campaignId", "salesStage",
  "externalReferenceId", "lastModifiedVia", "lastRunId",
] as const;
const NULLABLE_ADDRESS = ["addressLine1", "addressLine2", "city", "state", "postalCode", "region"] as const;
const NULLABLE_DETAILS = ["notes", "customerAction", "customerRequestedContact"] as const;

/** Named references Partner Center's HTML encoder is known or likely to emit. */
const NAMED_REFERENCES: Readonly<Record<string, string>> = {
  "&": "&amp;", "'": "&#39;", "\"": "&quot;", "<": "&lt;", ">": "&gt;",
  é: "&eacute;", è: "&egrave;", ü: "&uuml;", ö: "&ouml;", ä: "&auml;", ß: "&szlig;", ô: "&ocirc;", ç: "&ccedil;",
};

/** Applies the wire's texture to one generated referral, in place. */
export function applyWireTexture(referral: Json, rng: Rng): void {
  if (rng.chance(SHARE.nulls)) nullAbsentOptionals(referral, rng);
  if (rng.chance(SHARE.singleObjectTeam)) singleObjectTeam(referral, rng);
  if (rng.chance(SHARE.escapedName)) escapeNames(referral, rng);
  if (typeof referral.salesStage === "string" && rng.chance(SHARE.salesStage100)) referral.salesStage = "100";
  if (rng.chance(SHARE.timestampForm)) rewriteTimestamps(referral, rng);
  if (rng.chance(SHARE.fields2022)) addFields2022(referral, rng);
  if (rng.chance(SHARE.spam)) referral.isSpam = true;
  if (typeof referral.customerMarketplaceIntent === "string" && rng.chance(SHARE.intentNotDecided)) {
    referral.customerMarketplaceIntent = "HaveNotDecided";
  }
  if (rng.chance(SHARE.unquotedLinkGuid)) unquoteRelatedLink(referral);
}

/** True when `team` or `customerProfile.team` is a single member object rather than an array. */
export function hasSingleObjectTeam(referral: Json): boolean {
  const profile = record(referral.customerProfile);
  return [referral.team, profile?.team].some((team) => record(team) !== null);
}

function nullAbsentOptionals(referral: Json, rng: Rng): void {
  for (const field of NULLABLE_TOP) if (referral[field] === undefined) referral[field] = null;
  const profile = record(referral.customerProfile);
  const address = record(profile?.address);
  if (address) for (const part of NULLABLE_ADDRESS) if (address[part] === undefined) address[part] = null;
  for (const member of [...list(profile?.team), ...list(referral.team)]) {
    if (member.contactPreference === undefined) member.contactPreference = { locale: null, disableNotifications: null };
  }
  const details = record(referral.details);
  if (details) for (const part of NULLABLE_DETAILS) if (details[part] === undefined) details[part] = null;
  for (const solution of list(record(details?.requirements)?.solutions)) if (rng.chance(0.5)) solution.name = null;
  const invite = record(referral.inviteContext);
  if (invite) {
    if (invite.notes === undefined) invite.notes = null;
    if (invite.invitedMpnId === undefined) invite.invitedMpnId = null;
  }
}

function singleObjectTeam(referral: Json, rng: Rng): void {
  const profile = record(referral.customerProfile);
  const owner = rng.chance(0.5) && profile ? profile : referral;
  const team = owner.team;
  if (Array.isArray(team) && team.length === 1) owner.team = team[0];
}

function escapeNames(referral: Json, rng: Rng): void {
  const profile = record(referral.customerProfile);
  const accents = rng.chance(0.5);
  const escape = (name: unknown) =>
    typeof name !== "string"
      ? name
      : name.replace(accents ? /[&'"<>éèüöäßôç]/g : /[&'"<>]/g, (ch) => {
          const form = rng.int(0, 2);
          const code = ch.codePointAt(0) ?? 0;
          return form === 0 ? (NAMED_REFERENCES[ch] ?? ch) : form === 1 ? `&#${code};` : `&#x${code.toString(16).toUpperCase()};`;
        });
  if (profile) profile.name = escape(profile.name);
  referral.organizationName = escape(referral.organizationName);
}

// `2025-03-04T09:12:44.1234567Z` → `…44.123456Z` (6 digits) or `…44.1234567+00:00`: the same instant to the µs.
function rewriteTimestamps(referral: Json, rng: Rng): void {
  const sixDigits = rng.chance(0.5);
  const offset = !sixDigits || rng.chance(0.5);
  for (const field of ["createdDateTime", "updatedDateTime", "acceptedDateTime"]) {
    const value = referral[field];
    if (typeof value !== "string") continue;
    const match = /^(.*\.\d{6})(\d)Z$/.exec(value);
    if (!match) continue;
    referral[field] = `${match[1] as string}${sixDigits ? "" : (match[2] as string)}${offset ? "+00:00" : "Z"}`;
  }
}

function addFields2022(referral: Json, rng: Rng): void {
  const closed = referral.status === "Closed";
  Object.assign(referral, {
    quality: rng.pick(["Unknown", "Good", "Fair"]),
    isSpam: false,
    mpnId: String(rng.int(1_000_000, 6_999_999)),
    referralProgram: rng.pick(["None", "CoSell", "Marketplace"]),
    dealSensitivity: rng.pick(["None", "Sensitive"]),
    createdVia: rng.pick(["PartnerCenter", "Api", "Msx"]),
    tags: rng.chance(0.7) ? [] : [rng.pick(["Priority", "Renewal", "FY26"])],
    closedDateTime: closed ? referral.updatedDateTime : null,
    registrationStatus: rng.pick(["None", "ReviewPending", "Approved"]),
    registrations: rng.chance(0.8) ? [] : [registration(rng, referral)],
    trackingInfo: {
      microsoftMsxId: rng.chance(0.5) ? `7-${rng.hex(10).toUpperCase()}` : null,
      microsoftUSFedOpportunityId: null,
      microsoftUSFedLeadId: null,
      migratedPSCDealId: null,
      migratedPSCPartnerDealId: null,
    },
  });
  const profile = record(referral.customerProfile);
  if (profile) profile.isMatchingComplete = rng.chance(0.7);
  for (const member of list(referral.team)) member.title = rng.pick(["Account Executive", "Partner Development Manager", null]);
  const details = record(referral.details);
  if (details) details.incentiveLevel = rng.pick(["None", "Standard"]);
  const requirements = record(details?.requirements);
  if (requirements) {
    requirements.offers = [];
    requirements.salesPlays = rng.chance(0.5) ? [] : [{ id: rng.pick(["MigrateAndModernize", "CopilotAndAgents"]) }];
    // Partner-created deals carry the intent as an attribute (2024 create docs).
    if (referral.direction === "Outgoing" || rng.chance(0.05)) {
      requirements.additionalRequirements = {
        attributes: [{ type: "CustomerMarketplaceIntent", id: rng.pick(["HaveNotDecided", "Yes", "No"]) }],
      };
    }
  }
  const invite = record(referral.inviteContext);
  if (invite) invite.invitedMpnId = rng.chance(0.5) ? String(rng.int(1_000_000, 6_999_999)) : null;
}

function registration(rng: Rng, referral: Json): Json {
  const at = typeof referral.createdDateTime === "string" ? referral.createdDateTime : null;
  return {
    id: rng.guid(),
    registrationDateTime: at,
    status: rng.pick(["ReviewPending", "Approved"]),
    statusReason: null,
    contract: { value: rng.int(5, 500) * 1000, currency: "USD", startDateTime: at, endDateTime: null, signDateTime: null, term: 12 },
    solutionDetails: [],
    statusHistory: {},
  };
}

function unquoteRelatedLink(referral: Json): void {
  const related = record(record(referral.links)?.relatedReferrals);
  if (related && typeof related.uri === "string") related.uri = related.uri.replace(/engagementId eq '([^']*)'/, "engagementId eq $1");
}

function record(value: unknown): Json | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.flatMap((item) => (record(item) ? [item as Json] : [])) : [];
}
