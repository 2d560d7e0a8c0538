/**
 * The Partner Center referral as it arrives on the wire (`GET /v1.0/engagements/referrals`),
 * validated with zod. See shared/reference/partner-center-api.md §3.
 *
 * The schema is deliberately tolerant: unknown fields are kept, enum-like fields are plain
 * strings (the service adds values without notice; the constants below name the documented
 * ones), every part but `id` may be missing or `null`, and `customerProfile.ids` may be an
 * object (2019 docs) or an array (2020 docs, swagger). A value of the wrong JSON type in a
 * documented field makes the referral invalid, which the sync reports as `invalid_payload`.
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

const customerProfileSchema = z.looseObject({
  name: str,
  size: str,
  address: addressSchema.nullish(),
  // Documented as `{}` (2019) and `[{ id, profileType }]` (2020 / swagger): accept both.
  ids: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).nullish(),
  team: z.array(memberSchema).nullish(),
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
        })
        .nullish(),
    })
    .nullish(),
  team: z.array(memberSchema).nullish(),
  inviteContext: z
    .looseObject({
      notes: str,
      invitedBy: z.looseObject({ organizationId: str, organizationName: str }).nullish(),
      assistanceRequestCode: str,
    })
    .nullish(),
  target: z.array(z.looseObject({ id: str, type: str })).nullish(),
  links: z.looseObject({ self: linkSchema.nullish(), relatedReferrals: linkSchema.nullish() }).nullish(),
});

/** A validated referral. Unknown fields are preserved as `unknown`. */
export type Referral = z.infer<typeof referralSchema>;
/** A person in `customerProfile.team` or `team`. */
export type ReferralMember = z.infer<typeof memberSchema>;

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
export type SkipReason = "direction" | "status" | "substatus" | "no_domain" | "invalid_payload";
/** All skip reasons. */
export const SKIP_REASONS: readonly SkipReason[] = ["direction", "status", "substatus", "no_domain", "invalid_payload"];
