// The write-back audit trail (issue 13) and the host's own id of a company, which a link writes
// back to Partner Center as `externalReferenceId`.
import type { Migration } from "./types.js";

const up = `
ALTER TABLE companies ADD COLUMN external_id text;
CREATE TABLE referral_actions (
  id text COLLATE "C" PRIMARY KEY,
  referral_id text COLLATE "C" NOT NULL,
  action text NOT NULL
    CONSTRAINT referral_actions_action_check CHECK (action IN ('accept', 'decline', 'close', 'setExternalReference', 'setDealValue')),
  actor text,
  outcome text NOT NULL
    CONSTRAINT referral_actions_outcome_check CHECK (outcome IN ('succeeded', 'conflict', 'refused', 'failed')),
  request_id text,
  input jsonb NOT NULL DEFAULT '{}'::jsonb,
  error_code text,
  error_message text,
  at timestamptz NOT NULL
);
CREATE INDEX referral_actions_at_idx ON referral_actions (at DESC, id DESC);
CREATE INDEX referral_actions_referral_idx ON referral_actions (referral_id, at DESC, id DESC);
`;

// No referral_id foreign key: a refused action on a referral that is not stored is still audited.
const down = `
DROP TABLE referral_actions;
ALTER TABLE companies DROP COLUMN external_id;
`;

/** The referral_actions table and companies.external_id. */
export const referralActions: Migration = { id: 7, name: "referral-actions", up, down };
