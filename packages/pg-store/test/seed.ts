// Bulk seeding of referrals straight in SQL (generate_series), for inbox plans and timings at scale.

/** SQL that inserts `$1` synthetic referrals into `schema` (every type, status and link status), then VACUUM ANALYZEs (the steady state autovacuum keeps). */
export function seedReferralsSql(schema: string): string[] {
  const s = `"${schema}"`;
  return [
    // Each referral's payload lives in the raw lead of its version (migration 0005).
    `WITH leads AS (
       INSERT INTO ${s}.raw_leads (referral_id, run_id, payload, content_hash)
       SELECT 'ref-' || lpad(i::text, 7, '0'), 'seed', jsonb_build_object('id', 'ref-' || i), md5(i::text)
       FROM generate_series(1, $1::int) AS i)
     INSERT INTO ${s}.referrals (referral_id, referral_type, type_evidence, status, substatus, direction, customer_name,
       domain, link_status, azure_tenant_id, content_hash, first_seen_at, last_synced_at, remote_updated_at, last_run_id, status_key, search_text)
     SELECT 'ref-' || lpad(i::text, 7, '0'),
       (ARRAY['co-sell', 'marketplace', 'solution-provider'])[1 + i % 3],
       'seed',
       (ARRAY['New', 'Active', 'Closed', 'Active', 'New'])[1 + (i / 3) % 5],
       (ARRAY['Pending', 'Accepted', 'Won', 'Lost'])[1 + i % 4],
       'Incoming',
       'Customer ' || i || ' ' || substr(md5(i::text), 1, 8),
       'domain' || (i % 20000) || '.example',
       (ARRAY['auto_linked', 'multi_candidate', 'unlinked', 'manual_linked', 'manual_unlinked'])[1 + i % 5],
       CASE WHEN i % 7 = 0 THEN md5('tenant' || i) END,
       md5(i::text),
       now(), now(),
       CASE WHEN i % 50 = 0 THEN NULL ELSE timestamptz '2025-01-01 00:00:00+00' + make_interval(mins => i) END,
       'seed',
       lower((ARRAY['New', 'Active', 'Closed', 'Active', 'New'])[1 + (i / 3) % 5]),
       'customer ' || i || ' ' || substr(md5(i::text), 1, 8) || chr(10) || 'domain' || (i % 20000) || '.example' || chr(10) || 'ref-' || lpad(i::text, 7, '0')
     FROM generate_series(1, $1::int) AS i`,
    `VACUUM ANALYZE ${s}.referrals, ${s}.raw_leads`,
  ];
}
