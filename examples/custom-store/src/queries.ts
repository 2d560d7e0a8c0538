// The read rules of the Store contract for this store: core exports them for stores that filter in
// JavaScript (`pageInboxRows`, `pageReferralDomains`), so every such store orders and pages alike.
import {
  pageInboxRows,
  pageReferralDomains,
  type InboxQuery,
  type InboxRow,
  type Page,
  type ReferralDomainRow,
  type ReferralDomainsQuery,
  type StoredReferral,
} from "@pc-referrals/core";

export function toInboxRow(r: StoredReferral): InboxRow {
  return {
    tenant: r.tenant,
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
    // Files written before the expiry watch have no deadline on their referrals.
    expiresAt: r.expiresAt ?? null,
  };
}

/** The inbox over the stored referrals, by core's own filter, order and paging rules. */
export function queryInboxRows(referrals: Iterable<StoredReferral>, query: InboxQuery, now: () => number): Page<InboxRow> {
  return pageInboxRows([...referrals].map(toInboxRow), query, { now });
}

/** The lead-list rows per domain, by core's own rules (code-point order, newest referral per domain). */
export function referralDomainPage(referrals: Iterable<StoredReferral>, query: ReferralDomainsQuery): Page<ReferralDomainRow> {
  return pageReferralDomains([...referrals].map(toInboxRow), query);
}
