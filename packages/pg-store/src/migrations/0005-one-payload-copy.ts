// Issue 12 item 3: each payload was stored twice, in referrals.payload and in its raw lead. The raw
// lead becomes the one copy: a referral points at the raw lead of its current version by
// (payload_source, referral_id, content_hash), which raw_leads_version_key already makes unique.
// The foreign key keeps that raw lead from being deleted while a referral points at it.
// Never edit once released (the migrator refuses an applied migration whose text changed).
import type { Migration } from "./types.js";

// A referral whose current version has no raw lead (none should, but a host may have pruned raw
// leads) gets one from its own row first, so no payload is lost when the column goes.
const up = `
INSERT INTO raw_leads (source, referral_id, run_id, domain, company_name, email, website, payload, payload_json, content_hash, created_at)
SELECT 'partnercenter', r.referral_id, r.last_run_id, r.domain, r.customer_name, r.contact_email, r.website,
  r.payload, r.payload_json, r.content_hash, r.last_synced_at
FROM referrals r
ORDER BY r.first_seen_at, r.referral_id
ON CONFLICT (source, referral_id, content_hash) DO NOTHING;
ALTER TABLE referrals
  ADD COLUMN payload_source text NOT NULL DEFAULT 'partnercenter'
    CONSTRAINT referrals_payload_source_check CHECK (payload_source = 'partnercenter'),
  ADD CONSTRAINT referrals_payload_fkey FOREIGN KEY (payload_source, referral_id, content_hash)
    REFERENCES raw_leads (source, referral_id, content_hash);
COMMENT ON COLUMN referrals.payload_source IS
  'With referral_id and content_hash: the raw lead holding this version''s payload (the only copy of it).';
ALTER TABLE referrals DROP COLUMN payload, DROP COLUMN payload_json;
`;

const down = `
ALTER TABLE referrals ADD COLUMN payload jsonb, ADD COLUMN payload_json text;
UPDATE referrals r SET payload = l.payload, payload_json = l.payload_json
FROM raw_leads l
WHERE l.source = r.payload_source AND l.referral_id = r.referral_id AND l.content_hash = r.content_hash;
ALTER TABLE referrals ALTER COLUMN payload SET NOT NULL;
COMMENT ON COLUMN referrals.payload_json IS
  'The exact payload JSON, set only when the payload holds text jsonb cannot store (U+0000, lone surrogates); payload then holds a copy with U+FFFD in their place.';
ALTER TABLE referrals DROP CONSTRAINT referrals_payload_fkey, DROP COLUMN payload_source;
`;

/** One payload copy per (referral, content hash): referrals point at their raw lead. */
export const onePayloadCopy: Migration = { id: 5, name: "one-payload-copy", up, down };
