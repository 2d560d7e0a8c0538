// Referral type from an ordered rule table (docs/architecture.md "Referral type"; docs/partner-center-api.md §3 "Classifying a referral").
import { REFERRAL_TYPES, referralSchema } from "../referral.js";
import type { Referral, ReferralType } from "../referral.js";

/**
 * One row of the classification table. `match` returns the evidence (a short text naming the
 * fields that decided, e.g. `type=Shared`) when the rule applies, or `null` when it does not.
 * A rule that throws is treated as not matching.
 */
export interface ClassificationRule {
  name: string;
  type: ReferralType;
  match(referral: Referral): string | null;
}

/** The type of a referral and the evidence for it. */
export interface Classification {
  type: ReferralType;
  evidence: string;
}

const MICROSOFT_ORG_ID = "msft";
const MARKETPLACE_FIELDS = ["referralSource", "callToAction"] as const;
// Intent is not a yes/no (`HaveNotDecided` is real): only these values say "yes", unknown ones do not.
const AFFIRMATIVE_INTENTS = new Set(["yes", "true", "y"]);
const INTENT_ATTRIBUTE = "customermarketplaceintent";
const INTENT_ATTRIBUTE_PATH = "details.requirements.additionalRequirements.attributes[type=CustomerMarketplaceIntent].id";
// Values that say "no marketplace signal" rather than naming one.
const NEGATIVE_VALUES = new Set([
  "none",
  "no",
  "unknown",
  "false",
  "0",
  "n/a",
  "na",
  "null",
  "notapplicable",
  "notset",
  "-",
]);
const QUALIFIED = new Set(["salesqualified", "marketingqualified"]);
const EVIDENCE_VALUE_MAX = 64;

/**
 * The default table, first match wins:
 * 1. `type = Shared` → co-sell;
 * 2. invited by a partner organization (`inviteContext.invitedBy.organizationId` set and not `msft`) → co-sell;
 * 3. any marketplace signal → marketplace: a `referralSource` or `callToAction` that names one
 *    (not None/No/Unknown/…), or an affirmative marketplace intent (`Yes`/`True`, never
 *    `HaveNotDecided` or an unknown value) in `customerMarketplaceIntent` or in an
 *    `details.requirements.additionalRequirements.attributes[]` entry of type
 *    `CustomerMarketplaceIntent`; the evidence names the field that decided;
 * 4. `Independent` + `Direct` (a solution-provider profile lead) → solution-provider;
 * 5. `Independent` + Sales/MarketingQualified from Microsoft → co-sell.
 */
export const defaultClassificationRules: readonly ClassificationRule[] = Object.freeze([
  {
    name: "shared",
    type: "co-sell",
    match: (r) => (same(r.type, "Shared") ? `type=${show(r.type)}` : null),
  },
  {
    name: "partner-invited",
    type: "co-sell",
    match: (r) => {
      const inviter = inviterOf(r);
      return inviter !== null && !same(inviter, MICROSOFT_ORG_ID)
        ? `inviteContext.invitedBy.organizationId=${show(inviter)} (partner)`
        : null;
    },
  },
  {
    name: "marketplace-signal",
    type: "marketplace",
    match: (r) => {
      const signals = MARKETPLACE_FIELDS.flatMap((field) => {
        const value = text(r[field]);
        return value !== null && !NEGATIVE_VALUES.has(value.toLowerCase().replace(/[\s_]/g, ""))
          ? [`${field}=${show(value)}`]
          : [];
      });
      const intent = text(r.customerMarketplaceIntent);
      if (isAffirmative(intent)) signals.push(`customerMarketplaceIntent=${show(intent)}`);
      const attribute = intentAttribute(r);
      if (isAffirmative(attribute)) signals.push(`${INTENT_ATTRIBUTE_PATH}=${show(attribute)}`);
      return signals.length > 0 ? signals.join(", ") : null;
    },
  },
  {
    name: "solution-provider-profile",
    type: "solution-provider",
    match: (r) => {
      if (!same(r.type, "Independent") || !same(r.qualification, "Direct")) return null;
      const evidence = `type=${show(r.type)}, qualification=${show(r.qualification)}`;
      const targets = Array.isArray(r.target) ? r.target : [];
      const profile = targets.some((t) => same(t?.type, "BusinessProfileLocation"));
      return profile ? `${evidence}, target[].type=BusinessProfileLocation` : evidence;
    },
  },
  {
    name: "microsoft-qualified",
    type: "co-sell",
    match: (r) => {
      const qualification = text(r.qualification);
      if (!same(r.type, "Independent") || qualification === null || !QUALIFIED.has(qualification.toLowerCase())) {
        return null;
      }
      const inviter = inviterOf(r);
      if (inviter !== null && !same(inviter, MICROSOFT_ORG_ID)) return null;
      const from = inviter === null ? "(none)" : show(inviter);
      return `type=${show(r.type)}, qualification=${show(qualification)}, invitedBy=${from}`;
    },
  },
] satisfies ClassificationRule[]);

/**
 * Classifies a wire payload as co-sell, marketplace or solution-provider with the first rule of
 * `rules` (default {@link defaultClassificationRules}) that matches. When none does, the result is
 * `options.fallback` (default `solution-provider`) with evidence starting `fallback:`.
 * Never throws: unknown enum values, wrong types and garbage simply match no rule.
 */
export function classifyReferral(
  referral: unknown,
  rules: readonly ClassificationRule[] = defaultClassificationRules,
  options?: { fallback?: ReferralType },
): Classification {
  return classifyParsedReferral(toReferral(referral), rules, options);
}

/** {@link classifyReferral} for a referral `parseReferral` already validated: the same result, without validating again. */
export function classifyParsedReferral(
  referral: Referral,
  rules: readonly ClassificationRule[] = defaultClassificationRules,
  options?: { fallback?: ReferralType },
): Classification {
  const table: readonly unknown[] = Array.isArray(rules) ? rules : defaultClassificationRules;
  for (const rule of table) {
    const decided = tryRule(rule, referral);
    if (decided) return decided;
  }
  const fallback = isReferralType(options?.fallback) ? options.fallback : "solution-provider";
  return { type: fallback, evidence: "fallback: no classification rule matched" };
}

function tryRule(rule: unknown, referral: Referral): Classification | null {
  try {
    if (typeof rule !== "object" || rule === null) return null;
    const { type, match, name } = rule as Partial<ClassificationRule>;
    if (!isReferralType(type) || typeof match !== "function") return null;
    const evidence: unknown = match.call(rule, referral);
    if (typeof evidence !== "string") return null;
    const trimmed = evidence.trim();
    return { type, evidence: trimmed !== "" ? trimmed : typeof name === "string" && name !== "" ? name : type };
  } catch {
    return null;
  }
}

/**
 * A referral view for the rules: the validated payload, or, when it is invalid, the payload
 * without its malformed top-level fields (so one bad `details` does not hide `type = Shared`).
 */
function toReferral(input: unknown): Referral {
  try {
    if (typeof input !== "object" || input === null || Array.isArray(input)) return { id: "" };
    const parsed = referralSchema.safeParse(input);
    if (parsed.success) return parsed.data;
    const bad = new Set(parsed.error.issues.map((issue) => issue.path[0]));
    const kept: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) if (!bad.has(key)) kept[key] = value;
    // A placeholder id lets the rest validate; the rules never read it.
    const retry = referralSchema.safeParse({ ...kept, id: "unknown" });
    return retry.success ? { ...retry.data, id: typeof kept.id === "string" ? kept.id : "" } : { id: "" };
  } catch {
    return { id: "" };
  }
}

function isAffirmative(value: string | null): boolean {
  return value !== null && AFFIRMATIVE_INTENTS.has(value.toLowerCase());
}

/** The intent attribute of a partner-created deal (2024 create docs): `attributes[{ type, id }]`. */
function intentAttribute(referral: Referral): string | null {
  const additional: unknown = referral.details?.requirements?.additionalRequirements;
  const attributes = typeof additional === "object" && additional !== null ? (additional as { attributes?: unknown }).attributes : undefined;
  if (!Array.isArray(attributes)) return null;
  for (const entry of attributes.slice(0, 100)) {
    if (typeof entry !== "object" || entry === null) continue;
    const { type, id } = entry as { type?: unknown; id?: unknown };
    if (text(type)?.toLowerCase() === INTENT_ATTRIBUTE) return text(id);
  }
  return null;
}

function inviterOf(referral: Referral): string | null {
  return text(referral.inviteContext?.invitedBy?.organizationId);
}

function text(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

function same(value: unknown, expected: string): boolean {
  return text(value)?.toLowerCase() === expected.toLowerCase();
}

// Evidence is stored and shown in the inbox: keep it short and on one line.
function show(value: unknown): string {
  const single = (text(value) ?? "").replace(/[\u0000-\u001f\u007f]+/g, " ");
  return single.length > EVIDENCE_VALUE_MAX ? `${single.slice(0, EVIDENCE_VALUE_MAX)}…` : single;
}

function isReferralType(value: unknown): value is ReferralType {
  return typeof value === "string" && (REFERRAL_TYPES as readonly string[]).includes(value);
}
