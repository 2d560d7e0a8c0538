// The initial schema (docs/architecture.md "Storage"). Names are unqualified: the migrator runs every
// migration with `SET LOCAL search_path` to the store's schema. Never edit this file once
// released: an applied migration whose text changed is refused (checksum), so add 0002 instead.
import type { Migration } from "./types.js";

const up = `
CREATE TABLE companies (
  id uuid PRIMARY KEY,
  domain text COLLATE "C" NOT NULL CONSTRAINT companies_domain_not_empty CHECK (domain <> ''),
  name text,
  normalized_name text,
  provider text,
  azure_tenant_id text,
  segment text,
  score double precision,
  reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT companies_domain_key UNIQUE (domain)
);
CREATE INDEX companies_normalized_name_idx ON companies (normalized_name);
CREATE INDEX companies_azure_tenant_id_idx ON companies (azure_tenant_id);

CREATE TABLE referrals (
  referral_id text COLLATE "C" PRIMARY KEY CONSTRAINT referrals_id_not_empty CHECK (referral_id <> ''),
  referral_type text NOT NULL
    CONSTRAINT referrals_type_check CHECK (referral_type IN ('co-sell', 'marketplace', 'solution-provider')),
  type_evidence text NOT NULL,
  status text,
  status_key text,
  substatus text,
  direction text,
  customer_name text,
  domain text COLLATE "C",
  domain_source text,
  contact_email text,
  website text,
  azure_tenant_id text,
  score double precision,
  segment text,
  reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
  link_status text NOT NULL CONSTRAINT referrals_link_status_check
    CHECK (link_status IN ('auto_linked', 'multi_candidate', 'unlinked', 'manual_linked', 'manual_unlinked')),
  linked_company_id text,
  link_candidate_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
  payload jsonb NOT NULL,
  payload_json text,
  content_hash text NOT NULL,
  first_seen_at timestamptz NOT NULL,
  last_synced_at timestamptz NOT NULL,
  remote_updated_at timestamptz,
  last_run_id text NOT NULL,
  search_text text NOT NULL
);
COMMENT ON COLUMN referrals.status_key IS 'status lower-cased (JavaScript toLowerCase): the inbox status filter.';
COMMENT ON COLUMN referrals.search_text IS
  'Customer name, domain and referral id, ASCII letters lower-cased, joined by newlines: what the inbox search scans.';
COMMENT ON COLUMN referrals.payload_json IS
  'The exact payload JSON, set only when the payload holds text jsonb cannot store (U+0000, lone surrogates); payload then holds a copy with U+FFFD in their place.';
CREATE INDEX referrals_inbox_order_idx ON referrals (remote_updated_at DESC NULLS LAST, referral_id);
CREATE INDEX referrals_type_idx ON referrals (referral_type, remote_updated_at DESC NULLS LAST, referral_id);
CREATE INDEX referrals_status_idx ON referrals (status_key, remote_updated_at DESC NULLS LAST, referral_id);
CREATE INDEX referrals_link_status_idx ON referrals (link_status, remote_updated_at DESC NULLS LAST, referral_id);
CREATE INDEX referrals_domain_idx ON referrals (domain);
CREATE INDEX referrals_synced_at_idx ON referrals (last_synced_at);
CREATE INDEX referrals_azure_tenant_id_idx ON referrals (azure_tenant_id);

CREATE TABLE raw_leads (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source text NOT NULL DEFAULT 'partnercenter',
  referral_id text COLLATE "C" NOT NULL,
  run_id text NOT NULL,
  domain text,
  company_name text,
  email text,
  website text,
  payload jsonb NOT NULL,
  payload_json text,
  content_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT raw_leads_version_key UNIQUE (source, referral_id, content_hash)
);

CREATE TABLE domain_scans (
  domain text COLLATE "C" PRIMARY KEY CONSTRAINT domain_scans_domain_not_empty CHECK (domain <> ''),
  status text NOT NULL DEFAULT 'claimed'
    CONSTRAINT domain_scans_status_check CHECK (status IN ('claimed', 'done', 'failed')),
  result jsonb,
  error text,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE sync_runs (
  run_id text COLLATE "C" PRIMARY KEY CONSTRAINT sync_runs_id_not_empty CHECK (run_id <> ''),
  trigger text NOT NULL,
  full_sync boolean NOT NULL,
  status text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  counts jsonb NOT NULL,
  errors jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_runs_started_at_idx ON sync_runs (started_at DESC, run_id DESC);

CREATE TABLE sync_cursor (
  scope text PRIMARY KEY,
  updated_at timestamptz NOT NULL,
  advanced_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE run_lock (
  name text PRIMARY KEY,
  owner text NOT NULL,
  token uuid NOT NULL,
  holder_pid integer,
  acquired_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
COMMENT ON COLUMN run_lock.holder_pid IS
  'Backend pid of the session holding the advisory lock for this lease; when it no longer holds it, the holder crashed and the lease is free.';

CREATE TABLE token_cache (
  cache_key text PRIMARY KEY,
  data text NOT NULL,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;

const down = `
DROP TABLE token_cache;
DROP TABLE run_lock;
DROP TABLE sync_cursor;
DROP TABLE sync_runs;
DROP TABLE domain_scans;
DROP TABLE raw_leads;
DROP TABLE referrals;
DROP TABLE companies;
`;

/** Tables, constraints and indexes of the first release. */
export const init: Migration = { id: 1, name: "init", up, down };
