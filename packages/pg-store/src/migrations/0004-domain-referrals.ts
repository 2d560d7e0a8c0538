// The lead-list view (issue 10): one row per referral domain, for hosts that join their own leads
// on `domain` in SQL. Self-contained (creates and drops only the view) so it stacks on whatever
// 0002–0004 add to the referrals table.
import type { Migration } from "./types.js";

// Written so PostgreSQL can flatten it into the host's query: a plain FROM referrals with LATERAL
// subqueries and no GROUP BY at its top, so `JOIN … ON r.domain = leads.domain` becomes a lookup of
// referrals_domain_idx per lead instead of aggregating every referral first. Each referral row
// survives only when it is its domain's newest (inbox order: remote_updated_at DESC NULLS LAST,
// then referral_id), which leaves exactly one row per domain.
const up = `
CREATE VIEW domain_referrals AS
SELECT
  r.domain,
  agg.referral_types,
  r.status AS latest_status,
  agg.referral_count,
  r.referral_id AS latest_referral_id,
  r.remote_updated_at AS latest_updated_at
FROM referrals r
CROSS JOIN LATERAL (
  SELECT
    array_remove(ARRAY[
      CASE WHEN bool_or(a.referral_type = 'co-sell') THEN 'co-sell' END,
      CASE WHEN bool_or(a.referral_type = 'marketplace') THEN 'marketplace' END,
      CASE WHEN bool_or(a.referral_type = 'solution-provider') THEN 'solution-provider' END
    ], NULL) AS referral_types,
    count(*) AS referral_count
  FROM referrals a
  WHERE a.domain = r.domain
) agg
WHERE r.domain IS NOT NULL
  AND r.referral_id = (
    SELECT n.referral_id FROM referrals n
    WHERE n.domain = r.domain
    ORDER BY n.remote_updated_at DESC NULLS LAST, n.referral_id
    LIMIT 1
  );
COMMENT ON VIEW domain_referrals IS
  'One row per referral domain: distinct referral types (co-sell, marketplace, solution-provider order), count, and the newest referral (remote_updated_at desc, nulls last, then referral_id). Join it on domain.';
`;

const down = `
DROP VIEW domain_referrals;
`;

/** The `domain_referrals` view over the referrals table. */
export const domainReferrals: Migration = { id: 4, name: "domain-referrals", up, down };
