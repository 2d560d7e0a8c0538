// The pure per-referral pipeline (docs/architecture.md "Data flow"): schema → filter → type → domain → tenant → scoring.
// Link resolution needs the store and runs per page (link-resolution.ts); writing is the engine's.
import type { ReferralPageItem } from "../client/types.js";
import type { SkipReason } from "../referral.js";
import { classifyParsedReferral, type ClassificationRule } from "../rules/classify.js";
import { normalizeCompanyName } from "../rules/company-name.js";
import { decodeHtmlEntities } from "../rules/html-text.js";
import { customerContactEmails, extractDomain, type ExtractDomainOptions } from "../rules/domain.js";
import { filterParsedReferral, type FilterRules } from "../rules/filter.js";
import { applyScoringHooks, type ScoringHook } from "../rules/scoring.js";
import { extractAzureTenantId, type TenantExtractor } from "../rules/tenant.js";
import { referralExpiresAt } from "../store/expiry.js";
import { isOlderCopy } from "../store/stale-copy.js";
import type { CompanyUpsert, KnownReferral, ProcessedReferral } from "../store/store.js";
import { canonicalJson, hashCanonicalJson } from "./content-hash.js";

/** The rule options of the engine; each one replaces its default (see the rules modules). */
export interface EngineRules {
  filter?: Partial<FilterRules>;
  classification?: readonly ClassificationRule[];
  domain?: ExtractDomainOptions;
  tenantExtractors?: readonly TenantExtractor[];
}

/** What {@link processReferral} needs besides the referral. */
export interface ReferralProcessingConfig {
  rules: EngineRules;
  /** Already resolved: the host's hooks or the defaults. */
  scoringHooks: readonly ScoringHook[];
  /** Days from `createdDateTime` to a New referral's deadline when the payload names none. Default 14. */
  expiryDefaultDays?: number;
}

/** A referral that is not stored, and why. `issues` lists schema paths for `invalid_payload` (never values). */
export interface SkipDecision {
  kind: "skip";
  referralId: string | null;
  reason: SkipReason;
  issues: string[];
}

/** A referral to hand to the store: new, changed, or unchanged (then only `lastSyncedAt` moves). */
export interface KeepDecision {
  kind: "keep";
  /** Everything but the link, which is resolved per page. */
  referral: Omit<ProcessedReferral, "link">;
  normalizedName: string | null;
  /** What the store had before this run, or null for a referral seen for the first time. */
  known: KnownReferral | null;
  /** Same content hash as stored: nothing but `lastSyncedAt` is written. */
  unchanged: boolean;
  /** The company to upsert: only for new or changed referrals that pass the filter and have a domain. */
  company: CompanyUpsert | null;
}

/** The outcome of {@link processReferral}. */
export type ReferralDecision = SkipDecision | KeepDecision;

/** The referral id of a page item, when it has a usable one. */
export function pageItemId(item: ReferralPageItem): string | null {
  return item.ok ? item.referral.id : item.referralId;
}

/** `updatedDateTime` of a page item in epoch ms (raw payloads too), or null when absent or unparseable. */
export function pageItemUpdatedAtMs(item: ReferralPageItem): number | null {
  const value = item.ok ? item.referral.updatedDateTime : readField(item.raw, "updatedDateTime");
  return parseTimestamp(value);
}

/** Epoch ms of an ISO timestamp, or null. */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value !== "string" || value.trim() === "") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Decides what happens to one referral of a page. A referral the store already has is always
 * kept current, even when the filter or the domain rule would now skip it (so a referral that
 * moved to Closed/Declined is updated rather than left looking new). Throws only when a hook
 * supplied by the host throws; the engine reports that referral as failed.
 */
export function processReferral(
  item: ReferralPageItem,
  known: KnownReferral | undefined,
  config: ReferralProcessingConfig,
): ReferralDecision {
  if (!item.ok) return { kind: "skip", referralId: item.referralId, reason: "invalid_payload", issues: item.issues };
  const referral = item.referral;
  const stored = known ?? null;

  // The client validated the item already; the rules need not parse it again.
  const filter = filterParsedReferral(referral, config.rules.filter);
  if (!filter.ingest && stored === null) return { kind: "skip", referralId: referral.id, reason: filter.reason, issues: [] };

  const domain = extractDomain(referral, config.rules.domain);
  if (domain.domain === null && stored === null) {
    return { kind: "skip", referralId: referral.id, reason: "no_domain", issues: [] };
  }

  const payload = referral as Record<string, unknown>;
  // Kept for the store (ProcessedReferral.payloadJson): it need not serialize the payload again.
  const payloadJson = canonicalJson(payload);
  const hash = hashCanonicalJson(payloadJson);
  const classification = classifyParsedReferral(referral, config.rules.classification);
  const azureTenantId = extractAzureTenantId(referral, config.rules.tenantExtractors);
  const scoring = applyScoringHooks({ azureTenantId, referralType: classification.type, referral }, config.scoringHooks);
  // Stored and displayed decoded (`&amp;` → `&`); the payload keeps what was sent.
  const rawName = text(referral.customerProfile?.name);
  const customerName = rawName === null ? null : decodeHtmlEntities(rawName);
  const normalizedName = normalizeCompanyName(rawName);
  const unchanged = stored !== null && stored.contentHash === hash;

  const processed: Omit<ProcessedReferral, "link"> = {
    referralId: referral.id,
    referralType: classification.type,
    typeEvidence: classification.evidence,
    status: text(referral.status),
    substatus: text(referral.substatus),
    direction: text(referral.direction),
    customerName,
    domain: domain.domain,
    domainSource: domain.domain === null ? null : domain.source,
    contactEmail: customerContactEmails(referral)[0] ?? null,
    website: domain.domain !== null && domain.source === "website" ? domain.value : null,
    azureTenantId,
    scoring,
    contentHash: hash,
    // A timestamp the store cannot parse would fail the whole page; keep the payload, drop the column.
    remoteUpdatedAt: parseTimestamp(referral.updatedDateTime) === null ? null : (referral.updatedDateTime ?? null),
    payload,
    payloadJson,
    expiresAt: referralExpiresAt(referral, config.expiryDefaultDays),
  };

  // The store refuses an older copy than it holds; its company facts are older too.
  const older = stored !== null && isOlderCopy(stored.remoteUpdatedAt, processed.remoteUpdatedAt);
  const company: CompanyUpsert | null =
    filter.ingest && !unchanged && !older && domain.domain !== null
      ? {
          domain: domain.domain,
          name: customerName,
          normalizedName,
          provider: azureTenantId === null ? null : "M365",
          azureTenantId,
          segment: scoring.segment,
          score: scoring.score,
          reasons: [...scoring.reasons],
        }
      : null;

  return { kind: "keep", referral: processed, normalizedName, known: stored, unchanged, company };
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function readField(raw: unknown, key: string): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  try {
    return (raw as Record<string, unknown>)[key];
  } catch {
    // A hostile raw value (throwing getter) has no usable timestamp.
    return undefined;
  }
}
