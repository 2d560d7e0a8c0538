// The lead-list rules of the Store contract (one row per domain, type filter, order, paging) as
// plain functions, for the memory store and any other store that works in JavaScript. pg-store
// computes the same rows in its `domain_referrals` view.
import { InvalidInputError } from "../errors.js";
import { REFERRAL_TYPES, type ReferralType } from "../referral.js";
import type { InboxRow, Page, ReferralDomainRow, ReferralDomainsQuery } from "./store.js";

/** Page size of `listReferralDomains` when the query names none. */
export const REFERRAL_DOMAINS_DEFAULT_PAGE_SIZE = 100;
/** The largest page size `listReferralDomains` accepts; larger ones are `invalid_input`. */
export const REFERRAL_DOMAINS_MAX_PAGE_SIZE = 500;

/** A {@link ReferralDomainsQuery} with defaults applied and every value checked. */
export interface NormalizedReferralDomainsQuery {
  page: number;
  pageSize: number;
  /** Rows to skip: `(page - 1) * pageSize`. */
  offset: number;
  referralType: ReferralType | null;
}

function integerIn(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new InvalidInputError(`${name} must be an integer from 1 to ${max}.`);
  }
  return value;
}

/**
 * Applies the defaults (page 1, 100 a page) and checks the query. Throws `InvalidInputError` for a
 * page that is not a positive integer, a page size outside 1..500, or an unknown referral type.
 */
export function normalizeReferralDomainsQuery(query: ReferralDomainsQuery = {}): NormalizedReferralDomainsQuery {
  const page = integerIn(query.page, "page", 1, Number.MAX_SAFE_INTEGER);
  const pageSize = integerIn(query.pageSize, "pageSize", REFERRAL_DOMAINS_DEFAULT_PAGE_SIZE, REFERRAL_DOMAINS_MAX_PAGE_SIZE);
  const { referralType } = query;
  if (referralType !== undefined && !REFERRAL_TYPES.includes(referralType)) {
    throw new InvalidInputError(`referralType must be one of ${REFERRAL_TYPES.join(", ")}.`);
  }
  return { page, pageSize, offset: (page - 1) * pageSize, referralType: referralType ?? null };
}

// Surrogates (astral characters) sort after every other code unit, as their code points do.
const codePointKey = (unit: number): number => (unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit);

/** Code point order: what PostgreSQL's "C" collation gives for UTF-8 text (JavaScript's `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointKey(x) - codePointKey(y);
  }
  return a.length - b.length;
}

const instant = (value: string | null): number => (value === null ? Number.NEGATIVE_INFINITY : Date.parse(value));

/** True when `a` is newer than `b`: later remote `updatedAt` (none counts as oldest), then the smaller id. */
function isNewer(a: InboxRow, b: InboxRow): boolean {
  const ta = instant(a.updatedAt);
  const tb = instant(b.updatedAt);
  if (ta !== tb) return ta > tb;
  return compareCodePoints(a.referralId, b.referralId) < 0;
}

/** One row per domain of `referrals` (those without a domain are left out), ordered by domain. */
export function referralDomainRows(referrals: Iterable<InboxRow>): ReferralDomainRow[] {
  const byDomain = new Map<string, { types: Set<ReferralType>; count: number; latest: InboxRow }>();
  for (const r of referrals) {
    if (r.domain === null) continue;
    const entry = byDomain.get(r.domain);
    if (entry === undefined) {
      byDomain.set(r.domain, { types: new Set([r.referralType]), count: 1, latest: r });
      continue;
    }
    entry.types.add(r.referralType);
    entry.count += 1;
    if (isNewer(r, entry.latest)) entry.latest = r;
  }
  return [...byDomain]
    .sort(([a], [b]) => compareCodePoints(a, b))
    .map(([domain, { types, count, latest }]) => ({
      domain,
      referralTypes: REFERRAL_TYPES.filter((t) => types.has(t)),
      latestStatus: latest.status,
      referralCount: count,
      latestReferralId: latest.referralId,
      latestUpdatedAt: latest.updatedAt,
    }));
}

/** Filters and pages the rows of `referrals` as the Store contract's `listReferralDomains` does. */
export function pageReferralDomains(referrals: Iterable<InboxRow>, query: ReferralDomainsQuery = {}): Page<ReferralDomainRow> {
  const q = normalizeReferralDomainsQuery(query);
  const type = q.referralType;
  const rows = referralDomainRows(referrals).filter((row) => type === null || row.referralTypes.includes(type));
  return { items: rows.slice(q.offset, q.offset + q.pageSize), total: rows.length, page: q.page, pageSize: q.pageSize };
}
