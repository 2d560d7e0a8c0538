// The inbox rules of the Store contract (filters, search, order, paging) as plain functions, for
// the memory store and any other store that filters in JavaScript. SQL stores mirror them.
import { InvalidInputError } from "../errors.js";
import { REFERRAL_TYPES, type ReferralType } from "../referral.js";
import { expiryHorizon } from "./expiry.js";
import { INBOX_SORTS, LINK_STATUSES, type InboxQuery, type InboxRow, type InboxSort, type LinkStatus, type Page } from "./store.js";
import { isTimestamp } from "./validate-page.js";

/** Page size when the query names none. */
export const INBOX_DEFAULT_PAGE_SIZE = 50;
/** Larger page sizes are clamped to this. */
export const INBOX_MAX_PAGE_SIZE = 500;

/** An {@link InboxQuery} with defaults applied and every value checked. */
export interface NormalizedInboxQuery {
  page: number;
  pageSize: number;
  /** Rows to skip: `(page - 1) * pageSize`. */
  offset: number;
  referralType: ReferralType | null;
  /** Lower-cased; compared case-insensitively. */
  status: string | null;
  linkStatus: LinkStatus | null;
  /** Trimmed and lower-cased search text; null when empty. */
  q: string | null;
  /** `expiresWithinDays` as an instant: rows must have an `expiresAt` at or before it; null when not filtered. */
  expiresBefore: string | null;
  sort: InboxSort;
}

/** Where a store's inbox gets "now" from when the query names none. */
export interface InboxClock {
  /** Epoch ms. Default `Date.now`. */
  now?: () => number;
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidInputError(`${name} must be a positive integer.`);
  }
  return value;
}

/**
 * Applies the defaults (page 1, 50 a page, at most 500) and checks the query. Throws
 * `InvalidInputError` for a page or page size that is not a positive integer, an unknown referral
 * type or link status, or a `status`/`q` that is not a string. Empty `status`/`q` mean no filter.
 */
export function normalizeInboxQuery(query: InboxQuery = {}, clock: InboxClock = {}): NormalizedInboxQuery {
  const page = positiveInteger(query.page, "page", 1);
  const pageSize = Math.min(positiveInteger(query.pageSize, "pageSize", INBOX_DEFAULT_PAGE_SIZE), INBOX_MAX_PAGE_SIZE);
  const { referralType, linkStatus, status, q } = query;
  if (referralType !== undefined && !REFERRAL_TYPES.includes(referralType)) {
    throw new InvalidInputError(`referralType must be one of ${REFERRAL_TYPES.join(", ")}.`);
  }
  if (linkStatus !== undefined && !LINK_STATUSES.includes(linkStatus)) {
    throw new InvalidInputError(`linkStatus must be one of ${LINK_STATUSES.join(", ")}.`);
  }
  if (status !== undefined && typeof status !== "string") throw new InvalidInputError("status must be a string.");
  if (q !== undefined && typeof q !== "string") throw new InvalidInputError("q must be a string.");
  const search = q?.trim().toLowerCase() ?? "";
  const { expiresWithinDays, sort = "updated", now } = query;
  if (expiresWithinDays !== undefined && (typeof expiresWithinDays !== "number" || !Number.isFinite(expiresWithinDays) || expiresWithinDays < 0)) {
    throw new InvalidInputError("expiresWithinDays must be a number of days, 0 or more.");
  }
  if (!INBOX_SORTS.includes(sort)) throw new InvalidInputError(`sort must be one of ${INBOX_SORTS.join(", ")}.`);
  if (now !== undefined && !isTimestamp(now)) throw new InvalidInputError("now must be an ISO-8601 timestamp.");
  const nowMs = now === undefined ? (clock.now ?? Date.now)() : Date.parse(now);
  return {
    page,
    pageSize,
    offset: (page - 1) * pageSize,
    referralType: referralType ?? null,
    status: status ? status.toLowerCase() : null,
    linkStatus: linkStatus ?? null,
    q: search === "" ? null : search,
    expiresBefore: expiresWithinDays === undefined ? null : expiryHorizon(nowMs, expiresWithinDays),
    sort,
  };
}

/** True when the row passes every filter of the query (search is a literal, case-insensitive substring). */
export function matchesInboxQuery(row: InboxRow, query: NormalizedInboxQuery): boolean {
  if (query.referralType !== null && row.referralType !== query.referralType) return false;
  if (query.linkStatus !== null && row.linkStatus !== query.linkStatus) return false;
  if (query.status !== null && row.status?.toLowerCase() !== query.status) return false;
  if (query.expiresBefore !== null) {
    const expires = instant(row.expiresAt);
    if (expires === null || expires > Date.parse(query.expiresBefore)) return false;
  }
  if (query.q === null) return true;
  const q = query.q;
  return [row.customerName, row.domain, row.referralId].some((field) => field?.toLowerCase().includes(q) ?? false);
}

function instant(value: string | null): number | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** Inbox order: newest `updatedAt` first, rows without one last, then `referralId` ascending (code-unit order). */
export function compareInboxRows(a: InboxRow, b: InboxRow): number {
  const ta = instant(a.updatedAt);
  const tb = instant(b.updatedAt);
  if (ta !== tb) {
    if (ta === null) return 1;
    if (tb === null) return -1;
    return tb - ta;
  }
  if (a.referralId === b.referralId) return 0;
  return a.referralId < b.referralId ? -1 : 1;
}

/** Urgency order: soonest `expiresAt` first, rows without one last, then the inbox order. */
export function compareInboxRowsByUrgency(a: InboxRow, b: InboxRow): number {
  const ea = instant(a.expiresAt);
  const eb = instant(b.expiresAt);
  if (ea !== eb) {
    if (ea === null) return 1;
    if (eb === null) return -1;
    return ea - eb;
  }
  return compareInboxRows(a, b);
}

/** Filters, orders and pages `rows` as the Store contract's `queryInbox` does. */
export function pageInboxRows(rows: readonly InboxRow[], query: InboxQuery = {}, clock: InboxClock = {}): Page<InboxRow> {
  const normalized = normalizeInboxQuery(query, clock);
  const order = normalized.sort === "urgency" ? compareInboxRowsByUrgency : compareInboxRows;
  const matching = rows.filter((row) => matchesInboxQuery(row, normalized)).sort(order);
  return {
    items: matching.slice(normalized.offset, normalized.offset + normalized.pageSize),
    total: matching.length,
    page: normalized.page,
    pageSize: normalized.pageSize,
  };
}
