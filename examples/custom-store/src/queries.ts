// The read rules of the Store contract written out for this store: inbox filters, order and
// paging, and the lead-list rows per domain. Core validates the queries (`normalize…Query`).
import {
  normalizeInboxQuery,
  normalizeReferralDomainsQuery,
  REFERRAL_TYPES,
  type InboxQuery,
  type InboxRow,
  type Page,
  type ReferralDomainRow,
  type ReferralDomainsQuery,
  type ReferralType,
  type StoredReferral,
} from "@pc-referrals/core";

export function toInboxRow(r: StoredReferral): InboxRow {
  return {
    referralId: r.referralId,
    referralType: r.referralType,
    status: r.status,
    substatus: r.substatus,
    customerName: r.customerName,
    domain: r.domain,
    linkStatus: r.linkStatus,
    linkedCompanyId: r.linkedCompanyId,
    azureTenantId: r.azureTenantId,
    updatedAt: r.updatedAt,
    syncedAt: r.syncedAt,
  };
}

const instant = (value: string | null): number => (value === null ? Number.NEGATIVE_INFINITY : Date.parse(value));

/** Newest `updatedAt` first, rows without one last, then `referralId` ascending. */
function inboxOrder(a: InboxRow, b: InboxRow): number {
  const ta = instant(a.updatedAt);
  const tb = instant(b.updatedAt);
  if (ta !== tb) return tb > ta ? 1 : -1;
  return a.referralId === b.referralId ? 0 : a.referralId < b.referralId ? -1 : 1;
}

export function queryInboxRows(referrals: Iterable<StoredReferral>, query: InboxQuery): Page<InboxRow> {
  const q = normalizeInboxQuery(query);
  const rows = [...referrals].map(toInboxRow).filter((row) => {
    if (q.referralType !== null && row.referralType !== q.referralType) return false;
    if (q.linkStatus !== null && row.linkStatus !== q.linkStatus) return false;
    if (q.status !== null && row.status?.toLowerCase() !== q.status) return false;
    if (q.q === null) return true;
    const needle = q.q;
    // Literal substring (no wildcards), case-insensitive as the normalized query is lower-cased.
    return [row.customerName, row.domain, row.referralId].some((field) => field?.toLowerCase().includes(needle) ?? false);
  });
  rows.sort(inboxOrder);
  return { items: rows.slice(q.offset, q.offset + q.pageSize), total: rows.length, page: q.page, pageSize: q.pageSize };
}

// JavaScript's `<` compares UTF-16 units; the contract orders domains by code point (PostgreSQL "C").
const codePointKey = (unit: number): number => (unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit);
function byCodePoint(a: string, b: string): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointKey(x) - codePointKey(y);
  }
  return a.length - b.length;
}

export function referralDomainPage(referrals: Iterable<StoredReferral>, query: ReferralDomainsQuery): Page<ReferralDomainRow> {
  const q = normalizeReferralDomainsQuery(query);
  const byDomain = new Map<string, { types: Set<ReferralType>; count: number; latest: StoredReferral }>();
  for (const r of referrals) {
    if (r.domain === null) continue;
    const entry = byDomain.get(r.domain);
    if (entry === undefined) {
      byDomain.set(r.domain, { types: new Set([r.referralType]), count: 1, latest: r });
      continue;
    }
    entry.types.add(r.referralType);
    entry.count += 1;
    const [ta, tb] = [instant(r.updatedAt), instant(entry.latest.updatedAt)];
    if (ta > tb || (ta === tb && byCodePoint(r.referralId, entry.latest.referralId) < 0)) entry.latest = r;
  }
  const rows: ReferralDomainRow[] = [...byDomain]
    .sort(([a], [b]) => byCodePoint(a, b))
    .map(([domain, { types, count, latest }]) => ({
      domain,
      referralTypes: REFERRAL_TYPES.filter((t) => types.has(t)),
      latestStatus: latest.status,
      referralCount: count,
      latestReferralId: latest.referralId,
      latestUpdatedAt: latest.updatedAt,
    }))
    .filter((row) => q.referralType === null || row.referralTypes.includes(q.referralType));
  return { items: rows.slice(q.offset, q.offset + q.pageSize), total: rows.length, page: q.page, pageSize: q.pageSize };
}
