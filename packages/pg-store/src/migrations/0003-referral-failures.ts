// Cross-run failure state per scope and referral (quarantine, issue 9 item 13).
import type { Migration } from "./types.js";

const up = `
CREATE TABLE referral_failures (
  scope text NOT NULL,
  referral_id text NOT NULL,
  failures integer NOT NULL CHECK (failures >= 1),
  content_hash text,
  remote_updated_at timestamptz,
  last_error_code text NOT NULL,
  last_error_message text NOT NULL,
  last_run_id text NOT NULL,
  quarantined_at timestamptz,
  PRIMARY KEY (scope, referral_id)
);
CREATE INDEX referral_failures_quarantined_idx ON referral_failures (scope, quarantined_at, referral_id)
  WHERE quarantined_at IS NOT NULL;
`;

const down = `
DROP TABLE referral_failures;
`;

/** The referral_failures table: consecutive failing runs, and when a referral was quarantined. */
export const referralFailures: Migration = { id: 3, name: "referral-failures", up, down };
