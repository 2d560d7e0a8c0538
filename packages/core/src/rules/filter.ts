// Which referrals are newly ingested (docs/architecture.md "Filter"). Rules are plain data so hosts can load them from config.
import { parseReferral } from "../referral.js";
import type { Referral, SkipReason } from "../referral.js";

/** The filter's rules. Values are compared case-insensitively after trimming. */
export interface FilterRules {
  /** `direction` values to ingest. A referral without a direction is skipped. */
  directions: readonly string[];
  /** `status` values to ingest. A referral without a status is skipped. */
  statuses: readonly string[];
  /** `substatus` values that are never ingested. A referral without a substatus passes. */
  excludedSubstatuses: readonly string[];
  /** Skip referrals Partner Center flagged `isSpam: true` (reason `spam`). Default true. */
  skipSpam?: boolean;
}

/** Incoming referrals that are New or Active and not in a terminal/declined substatus. */
export const defaultFilterRules: FilterRules = Object.freeze({
  directions: Object.freeze(["Incoming"]),
  statuses: Object.freeze(["New", "Active"]),
  excludedSubstatuses: Object.freeze(["Declined", "Lost", "Won", "Expired"]),
  skipSpam: true,
});

/** The filter's verdict: ingest, or skip with the reason of the first rule that failed. */
export type FilterDecision = { ingest: true } | { ingest: false; reason: SkipReason };

/**
 * Decides whether a wire payload is newly ingested. Checks, in order: the payload is a valid
 * referral (`invalid_payload`), Partner Center did not flag it as spam (`isSpam: true`, or the
 * string `"true"`: `spam`), then `direction`, `status`, `substatus`; the first failing rule is
 * the reason. Rules not given fall back to {@link defaultFilterRules}. Never throws.
 *
 * ```ts
 * evaluateFilter(payload, { statuses: ["New"] }); // { ingest: false, reason: "status" } for an Active one
 * ```
 */
export function evaluateFilter(referral: unknown, rules?: Partial<FilterRules>): FilterDecision {
  let parsed: ReturnType<typeof parseReferral>;
  try {
    parsed = parseReferral(referral);
  } catch {
    // A hostile object (throwing getter, revoked proxy) is still just an invalid payload.
    return { ingest: false, reason: "invalid_payload" };
  }
  if (!parsed.ok) return { ingest: false, reason: "invalid_payload" };
  return filterParsedReferral(parsed.referral, rules);
}

/** {@link evaluateFilter} for a referral `parseReferral` already validated: the same verdict, without validating again. */
export function filterParsedReferral(referral: Referral, rules?: Partial<FilterRules>): FilterDecision {
  const { direction, status, substatus } = referral;
  if (rules?.skipSpam !== false && isFlaggedSpam(referral.isSpam)) return { ingest: false, reason: "spam" };

  const directions = ruleSet(rules?.directions, defaultFilterRules.directions);
  const statuses = ruleSet(rules?.statuses, defaultFilterRules.statuses);
  const excluded = ruleSet(rules?.excludedSubstatuses, defaultFilterRules.excludedSubstatuses);

  const dir = normalize(direction);
  if (dir === null || !directions.has(dir)) return { ingest: false, reason: "direction" };
  const st = normalize(status);
  if (st === null || !statuses.has(st)) return { ingest: false, reason: "status" };
  const sub = normalize(substatus);
  if (sub !== null && excluded.has(sub)) return { ingest: false, reason: "substatus" };
  return { ingest: true };
}

// Undocumented field: `true` on captured payloads; a string form is read the same way.
function isFlaggedSpam(value: unknown): boolean {
  return value === true || normalize(value) === "true";
}

function normalize(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim().toLowerCase();
  return trimmed === "" ? null : trimmed;
}

// Rules may come from untyped config: a non-array keeps the default, non-string entries are ignored.
function ruleSet(values: unknown, fallback: readonly string[]): Set<string> {
  const list: readonly unknown[] = Array.isArray(values) ? values : fallback;
  const set = new Set<string>();
  for (const value of list) {
    const normalized = normalize(value);
    if (normalized !== null) set.add(normalized);
  }
  return set;
}
