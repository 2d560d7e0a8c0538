// The expiry watch (issue 13): each New referral's deadline, indexed for the inbox's
// expiresWithinDays filter and urgency order, and the announcements already made, so every
// threshold is announced once across restarts and replicas.
import type { Migration } from "./types.js";

// The backfill follows core's referralExpiresAt with the default 14 days (a migration cannot know
// the host's engine options): the payload's expirationDateTime, else createdDateTime + 14 days.
// Text PostgreSQL cannot read as a finite ISO timestamp gives null (the rule skips it too) instead of
// failing the migration; the next changed copy of the referral sets the value the engine computes.
const up = `
ALTER TABLE referrals ADD COLUMN expires_at timestamptz;
COMMENT ON COLUMN referrals.expires_at IS
  'When a New referral closes as Expired unless answered: payload expirationDateTime, else createdDateTime + the configured days; null for every other status.';

CREATE OR REPLACE FUNCTION pg_temp.pcr_expiry_timestamp(value text) RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
  parsed timestamptz;
BEGIN
  IF value IS NULL OR value !~ '^\\s*\\d{4}-\\d{2}-\\d{2}' THEN
    RETURN NULL;
  END IF;
  parsed := value::timestamptz;
  RETURN CASE WHEN isfinite(parsed) THEN parsed END;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$$;

-- The payload's one copy is the raw lead of the referral's version (migration 0005).
UPDATE referrals AS r
SET expires_at = COALESCE(
  pg_temp.pcr_expiry_timestamp(l.payload->>'expirationDateTime'),
  pg_temp.pcr_expiry_timestamp(l.payload->>'createdDateTime') + interval '14 days'
)
FROM raw_leads AS l
WHERE l.source = r.payload_source AND l.referral_id = r.referral_id AND l.content_hash = r.content_hash
  AND r.status_key = 'new' AND lower(coalesce(r.substatus, '')) <> 'expired';

DROP FUNCTION pg_temp.pcr_expiry_timestamp(text);

CREATE INDEX referrals_expiry_idx ON referrals (expires_at, remote_updated_at DESC NULLS LAST, referral_id);

CREATE TABLE expiry_announcements (
  referral_id text NOT NULL,
  threshold_days double precision NOT NULL,
  expires_at timestamptz NOT NULL,
  announced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (referral_id, threshold_days, expires_at)
);
COMMENT ON TABLE expiry_announcements IS
  'referral.expiring announcements made: one row per referral, threshold (days) and deadline; a moved deadline is announced again.';
`;

const down = `
DROP TABLE expiry_announcements;
DROP INDEX referrals_expiry_idx;
ALTER TABLE referrals DROP COLUMN expires_at;
`;

/** `referrals.expires_at` (backfilled, indexed) and the `expiry_announcements` table. */
export const expiryWatch: Migration = { id: 8, name: "expiry-watch", up, down };
