/**
 * The Partner Center referral as it arrives on the wire (`GET /v1.0/engagements/referrals`),
 * validated with zod (docs/partner-center-api.md §3, §8).
 *
 * The schema is deliberately tolerant: unknown fields are kept, enum-like fields are plain
 * strings (the service adds values without notice, e.g. `salesStage: "100"`; the constants
 * below name the documented ones), every part but `id` may be missing or `null` (captured
 * payloads send `null` for most optional fields), `customerProfile.ids` may be an object
 * (2019 docs) or an array (2020 docs, swagger), and `team` / `customerProfile.team` may be an
 * array or a single member object (both seen; read them with {@link teamMembers}). Fields
 * seen on captured payloads but in no documentation are typed `unknown`. A value of the wrong
 * JSON type in a documented field makes the referral invalid (`invalid_payload`).
 *
 * The validated object keeps every value as received (nothing is decoded or rewritten), so
 * the stored payload is the one Partner Center sent.
 */
import { z } from "zod";

/** Documented `status` values. */
export const ReferralStatus = { None: "None", New: "New", Active: "Active", Closed: "Closed" } as const;
/** Documented `substatus` values. */
export const ReferralSubstatus = {
  None: "None",
  Pending: "Pending",
  Received: "Received",
  Accepted: "Accepted",
  Won: "Won",
  Lost: "Lost",
  Declined: "Declined",
  Expired: "Expired",
} as const;
/** Documented `type` values (the docs call the field ReferralType). */
export const ReferralKind = { Independent: "Independent", Shared: "Shared" } as const;
/** Documented `qualification` values. */
export const ReferralQualification = {
  None: "None",
  Direct: "Direct",
  MarketingQualified: "MarketingQualified",
  SalesQualified: "SalesQualified",
} as const;
/** Documented `direction` values. */
export const ReferralDirection = { Incoming: "Incoming", Outgoing: "Outgoing" } as const;
/** Documented `target[].type` values. */
export const ReferralTargetType = {
  None: "None",
  BusinessProfileLocation: "BusinessProfileLocation",
  SolutionProfile: "SolutionProfile",
} as const;

const str = z.string().nullish();
const bool = z.boolean().nullish();

const contactPreferenceSchema = z.looseObject({ locale: str, disableNotifications: bool });

/** A person on the customer's or the partner's side. */
export const memberSchema = z.looseObject({
  firstName: str,
  lastName: str,
  email: str,
  phoneNumber: str,
  contactPreference: contactPreferenceSchema.nullish(),
});

const addressSchema = z.looseObject({
  addressLine1: str,
  addressLine2: str,
  city: str,
  state: str,
  postalCode: str,
  country: str,
  region: str,
});

const tagSchema = z.looseObject({ id: str });
const solutionSchema = z.looseObject({ id: str, name: str, type: str });

// Documented as an array of members; captured copies also carry a single member object.
const teamSchema = z.union([z.array(memberSchema), memberSchema]).nullish();

const customerProfileSchema = z.looseObject({
  name: str,
  size: str,
  address: addressSchema.nullish(),
  // Documented as `{}` (2019) and `[{ id, profileType }]` (2020 / swagger): accept both.
  ids: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).nullish(),
  team: teamSchema,
  /** Seen on captured payloads, undocumented. */
  isMatchingComplete: z.unknown().optional(),
});

const linkSchema = z.looseObject({ uri: str, method: str });

/** Zod schema of one referral. Use {@link parseReferral} to validate without throwing. */
export const referralSchema = z.looseObject({
  id: z.string().trim().min(1),
  engagementId: str,
  organizationId: str,
  organizationName: str,
  name: str,
  externalReferenceId: str,
  createdDateTime: str,
  updatedDateTime: str,
  expirationDateTime: str,
  acceptedDateTime: str,
  status: str,
  substatus: str,
  statusReason: str,
  type: str,
  qualification: str,
  direction: str,
  referralSource: str,
  callToAction: str,
  customerMarketplaceIntent: str,
  salesStage: str,
  campaignId: str,
  favorite: bool,
  lastModifiedVia: str,
  lastRunId: str,
  eTag: str,
  customerProfile: customerProfileSchema.nullish(),
  consent: z
    .looseObject({
      consentToContact: bool,
      consentToToShareInfoWithOthers: bool,
      consentToMicrosoftToContactSpecificPartners: bool,
    })
    .nullish(),
  details: z
    .looseObject({
      notes: str,
      dealValue: z.number().nullish(),
      currency: str,
      closingDateTime: str,
      customerAction: str,
      customerRequestedContact: bool,
      requirements: z
        .looseObject({
          industries: z.array(tagSchema).nullish(),
          products: z.array(tagSchema).nullish(),
          services: z.array(tagSchema).nullish(),
          solutions: z.array(solutionSchema).nullish(),
          /** Seen on captured payloads and the 2024 create docs; read by the classifier's intent rule. */
          offers: z.unknown().optional(),
          salesPlays: z.unknown().optional(),
          additionalRequirements: z.unknown().optional(),
        })
        .nullish(),
      /** Seen on captured payloads, undocumented. */
      incentiveLevel: z.unknown().optional(),
    })
    .nullish(),
  team: teamSchema,
  inviteContext: z
    .looseObject({
      notes: str,
      invitedBy: z.looseObject({ organizationId: str, organizationName: str }).nullish(),
      assistanceRequestCode: str,
      invitedMpnId: z.unknown().optional(),
    })
    .nullish(),
  target: z.array(z.looseObject({ id: str, type: str })).nullish(),
  links: z.looseObject({ self: linkSchema.nullish(), relatedReferrals: linkSchema.nullish() }).nullish(),
  // Seen on payloads captured from the real API (2022) but in no documentation: kept as
  // received, typed `unknown` so that an unexpected shape never makes a referral invalid.
  /** `true` marks a referral Partner Center flagged as spam (skipped with reason `spam`). */
  isSpam: z.unknown().optional(),
  quality: z.unknown().optional(),
  mpnId: z.unknown().optional(),
  referralProgram: z.unknown().optional(),
  dealSensitivity: z.unknown().optional(),
  createdVia: z.unknown().optional(),
  tags: z.unknown().optional(),
  closedDateTime: z.unknown().optional(),
  registrationStatus: z.unknown().optional(),
  registrations: z.unknown().optional(),
  trackingInfo: z.unknown().optional(),
  consentToShareReferralWithMicrosoftSellers: z.unknown().optional(),
});

/** A validated referral. Unknown fields are preserved as `unknown`. */
export type Referral = z.infer<typeof referralSchema>;
/** A person in `customerProfile.team` or `team`. */
export type ReferralMember = z.infer<typeof memberSchema>;

/**
 * The members of a `team` or `customerProfile.team` value: an array as documented, a single
 * member object as some payloads send it (a team of one), or nothing. Entries that are not
 * objects are dropped. Never throws.
 *
 * ```ts
 * teamMembers(referral.customerProfile?.team).map((m) => m.email);
 * ```
 */
export function teamMembers(team: unknown): ReferralMember[] {
  const entries: readonly unknown[] = Array.isArray(team) ? team : team === null || team === undefined ? [] : [team];
  return entries.filter((m): m is ReferralMember => typeof m === "object" && m !== null && !Array.isArray(m));
}

/** Result of {@link parseReferral}: the referral, or the paths that failed (never the values: they may hold PII). */
export type ParseReferralResult =
  | { ok: true; referral: Referral }
  | { ok: false; referralId: string | null; issues: string[] };

/** Validates one wire payload without throwing. */
export function parseReferral(input: unknown): ParseReferralResult {
  const parsed = referralSchema.safeParse(input);
  if (parsed.success) return { ok: true, referral: parsed.data };
  const id =
    typeof input === "object" && input !== null && typeof (input as { id?: unknown }).id === "string"
      ? (input as { id: string }).id
      : null;
  return {
    ok: false,
    referralId: id,
    issues: parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
  };
}

/** The three kinds of referral this library tells apart. */
export type ReferralType = "co-sell" | "marketplace" | "solution-provider";
/** All referral types, in display order. */
export const REFERRAL_TYPES: readonly ReferralType[] = ["co-sell", "marketplace", "solution-provider"];

/** Why a referral was not ingested. */
export type SkipReason = "direction" | "status" | "substatus" | "no_domain" | "invalid_payload" | "spam";
/** All skip reasons. */
export const SKIP_REASONS: readonly SkipReason[] = ["direction", "status", "substatus", "no_domain", "invalid_payload", "spam"];
