// listReferralDomains: pages of the domain_referrals view (migration 0004), with the total.
import {
  normalizeReferralDomainsQuery,
  type Page,
  type ReferralDomainRow,
  type ReferralDomainsQuery,
  type ReferralType,
} from "@pc-referrals/core";
import type { Db } from "../db.js";
import type { Tables } from "../schema.js";
import { isoOrNull, num } from "../values.js";

interface DomainDbRow {
  domain: string;
  referral_types: ReferralType[];
  latest_status: string | null;
  referral_count: number | string;
  latest_referral_id: string;
  latest_updated_at: Date | string | null;
}

/** See `Store.listReferralDomains`. A bad page, page size or type throws `InvalidInputError` before any query. */
export async function listReferralDomains(db: Db, t: Tables, query: ReferralDomainsQuery): Promise<Page<ReferralDomainRow>> {
  const q = normalizeReferralDomainsQuery(query);
  const params = [q.referralType, t.tenant];
  const [rows, count] = await Promise.all([
    db.query<DomainDbRow>(
      `SELECT domain, referral_types, latest_status, referral_count, latest_referral_id, latest_updated_at
       FROM ${t.domainReferrals} WHERE tenant = $2 AND ($1::text IS NULL OR $1::text = ANY(referral_types))
       ORDER BY domain LIMIT ${q.pageSize} OFFSET ${q.offset}`,
      params,
    ),
    // The same number as counting the view's rows (one per domain with a referral of the type),
    // without working out every domain's newest referral just to count it.
    db.query<{ total: number | string }>(
      `SELECT count(DISTINCT domain) AS total FROM ${t.referrals}
       WHERE tenant = $2 AND domain IS NOT NULL AND ($1::text IS NULL OR referral_type = $1::text)`,
      params,
    ),
  ]);
  return {
    items: rows.map((r) => ({
      domain: r.domain,
      referralTypes: r.referral_types,
      latestStatus: r.latest_status,
      referralCount: num(r.referral_count),
      latestReferralId: r.latest_referral_id,
      latestUpdatedAt: isoOrNull(r.latest_updated_at),
    })),
    total: num(count[0]?.total ?? 0),
    page: q.page,
    pageSize: q.pageSize,
  };
}
