// Partner tenants (docs/architecture.md "Tenants"): every stored row gains `tenant` (existing rows
// land in `default`), every key and the indexes of tenant-filtered reads lead with it, and the
// `tenants` table is the registry. Domain scans stay shared (public DNS facts). Down restores the
// 0008 schema exactly, and refuses while another tenant's rows or any registry entry exist, since
// it would have to merge or drop them. Never edit once released (the migrator refuses an applied
// migration whose text changed).
import { countFunctions } from "./0006-inbox-search-and-counts.js";
import { domainReferrals } from "./0004-domain-referrals.js";
import type { Migration } from "./types.js";

/** Every table with tenant rows: all but domain_scans. */
const TENANT_TABLES = [
  "referrals",
  "raw_leads",
  "companies",
  "sync_runs",
  "sync_cursor",
  "run_lock",
  "token_cache",
  "referral_failures",
  "referral_counts",
  "referral_actions",
  "expiry_announcements",
];

// The TENANT_ID_RULE of core, in SQL.
const addColumns = TENANT_TABLES.map(
  (table) =>
    `ALTER TABLE ${table} ADD COLUMN tenant text COLLATE "C" NOT NULL DEFAULT 'default'
  CONSTRAINT ${table}_tenant_check CHECK (tenant ~ '^[a-z0-9][a-z0-9_-]{0,62}$');`,
).join("\n");
const dropColumns = TENANT_TABLES.map((table) => `ALTER TABLE ${table} DROP COLUMN tenant;`).join("\n");

/** A key (primary or unique) re-created with `tenant` in front, and its way back. */
const keys: ReadonlyArray<{ table: string; name: string; kind: "PRIMARY KEY" | "UNIQUE"; columns: string }> = [
  { table: "raw_leads", name: "raw_leads_version_key", kind: "UNIQUE", columns: "source, referral_id, content_hash" },
  { table: "referrals", name: "referrals_pkey", kind: "PRIMARY KEY", columns: "referral_id" },
  { table: "companies", name: "companies_domain_key", kind: "UNIQUE", columns: "domain" },
  { table: "sync_runs", name: "sync_runs_pkey", kind: "PRIMARY KEY", columns: "run_id" },
  { table: "sync_cursor", name: "sync_cursor_pkey", kind: "PRIMARY KEY", columns: "scope" },
  { table: "run_lock", name: "run_lock_pkey", kind: "PRIMARY KEY", columns: "name" },
  { table: "token_cache", name: "token_cache_pkey", kind: "PRIMARY KEY", columns: "cache_key" },
  { table: "referral_failures", name: "referral_failures_pkey", kind: "PRIMARY KEY", columns: "scope, referral_id" },
  { table: "referral_counts", name: "referral_counts_pkey", kind: "PRIMARY KEY", columns: "referral_type, status_key, link_status" },
  { table: "referral_actions", name: "referral_actions_pkey", kind: "PRIMARY KEY", columns: "id" },
  {
    table: "expiry_announcements",
    name: "expiry_announcements_pkey",
    kind: "PRIMARY KEY",
    columns: "referral_id, threshold_days, expires_at",
  },
];
const rekey = (withTenant: boolean): string =>
  keys
    .map(
      (k) =>
        `ALTER TABLE ${k.table} DROP CONSTRAINT ${k.name}, ADD CONSTRAINT ${k.name} ${k.kind} (${withTenant ? "tenant, " : ""}${k.columns});`,
    )
    .join("\n");

/** Indexes of reads that filter by tenant, re-created with `tenant` in front (same names). */
const indexes: ReadonlyArray<{ name: string; table: string; columns: string; where?: string }> = [
  { name: "referrals_inbox_order_idx", table: "referrals", columns: "remote_updated_at DESC NULLS LAST, referral_id" },
  { name: "referrals_type_idx", table: "referrals", columns: "referral_type, remote_updated_at DESC NULLS LAST, referral_id" },
  { name: "referrals_status_idx", table: "referrals", columns: "status_key, remote_updated_at DESC NULLS LAST, referral_id" },
  { name: "referrals_link_status_idx", table: "referrals", columns: "link_status, remote_updated_at DESC NULLS LAST, referral_id" },
  { name: "referrals_domain_idx", table: "referrals", columns: "domain" },
  { name: "referrals_expiry_idx", table: "referrals", columns: "expires_at, remote_updated_at DESC NULLS LAST, referral_id" },
  { name: "companies_normalized_name_idx", table: "companies", columns: "normalized_name" },
  { name: "sync_runs_started_at_idx", table: "sync_runs", columns: "started_at DESC, run_id DESC" },
  {
    name: "referral_failures_quarantined_idx",
    table: "referral_failures",
    columns: "scope, quarantined_at, referral_id",
    where: "quarantined_at IS NOT NULL",
  },
  { name: "referral_actions_at_idx", table: "referral_actions", columns: "at DESC, id DESC" },
  { name: "referral_actions_referral_idx", table: "referral_actions", columns: "referral_id, at DESC, id DESC" },
];
const reindex = (withTenant: boolean): string =>
  indexes
    .map(
      (i) =>
        `DROP INDEX ${i.name};\nCREATE INDEX ${i.name} ON ${i.table} (${withTenant ? "tenant, " : ""}${i.columns})${i.where ? ` WHERE ${i.where}` : ""};`,
    )
    .join("\n");

const PAYLOAD_FKEY = "referrals_payload_fkey";
const payloadKey = (withTenant: boolean): string => {
  const tenant = withTenant ? "tenant, " : "";
  return `ALTER TABLE referrals ADD CONSTRAINT ${PAYLOAD_FKEY} FOREIGN KEY (${tenant}payload_source, referral_id, content_hash)
  REFERENCES raw_leads (${tenant}source, referral_id, content_hash);`;
};

// The counts of migration 0006, one set per tenant (a tenant's inbox total sums its own rows).
// Instead of 0006's table lock, a writer takes a transaction-level advisory lock per tenant it
// touches (single bigint keys, a key space apart from the store's two-key session locks), in key
// order: writers of one tenant still never wait on each other's count rows in opposite orders,
// and writers of different tenants no longer wait on each other at all.
const tenantCountFunctions = `
CREATE OR REPLACE FUNCTION referral_counts_add_rows() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM pg_advisory_xact_lock(s.k) FROM (
      SELECT DISTINCT hashtextextended(TG_TABLE_SCHEMA || '.referral_counts:' || tenant, 0) AS k FROM new_rows ORDER BY 1
    ) s;
    INSERT INTO referral_counts AS c (tenant, referral_type, status_key, link_status, n)
    SELECT tenant, referral_type, coalesce(status_key, ''), link_status, count(*) FROM new_rows GROUP BY 1, 2, 3, 4
    ON CONFLICT (tenant, referral_type, status_key, link_status) DO UPDATE SET n = c.n + EXCLUDED.n;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM pg_advisory_xact_lock(s.k) FROM (
      SELECT DISTINCT hashtextextended(TG_TABLE_SCHEMA || '.referral_counts:' || tenant, 0) AS k FROM old_rows ORDER BY 1
    ) s;
    WITH gone AS (
      SELECT tenant, referral_type, coalesce(status_key, '') AS status_key, link_status, count(*) AS n FROM old_rows GROUP BY 1, 2, 3, 4
    ), lowered AS (
      UPDATE referral_counts c SET n = c.n - gone.n FROM gone
      WHERE c.tenant = gone.tenant AND c.referral_type = gone.referral_type AND c.status_key = gone.status_key
        AND c.link_status = gone.link_status AND c.n > gone.n
    )
    DELETE FROM referral_counts c USING gone
    WHERE c.tenant = gone.tenant AND c.referral_type = gone.referral_type AND c.status_key = gone.status_key
      AND c.link_status = gone.link_status AND c.n <= gone.n;
  ELSE
    LOCK TABLE referral_counts IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM referral_counts;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION referral_counts_move_row() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
BEGIN
  -- The tenant of a row never changes (no statement updates it), so OLD's lock is NEW's.
  PERFORM pg_advisory_xact_lock(hashtextextended(TG_TABLE_SCHEMA || '.referral_counts:' || NEW.tenant, 0));
  INSERT INTO referral_counts AS c (tenant, referral_type, status_key, link_status, n)
  VALUES (NEW.tenant, NEW.referral_type, coalesce(NEW.status_key, ''), NEW.link_status, 1)
  ON CONFLICT (tenant, referral_type, status_key, link_status) DO UPDATE SET n = c.n + 1;
  DELETE FROM referral_counts
    WHERE tenant = OLD.tenant AND referral_type = OLD.referral_type AND status_key = coalesce(OLD.status_key, '')
      AND link_status = OLD.link_status AND n = 1;
  UPDATE referral_counts SET n = n - 1
    WHERE tenant = OLD.tenant AND referral_type = OLD.referral_type AND status_key = coalesce(OLD.status_key, '')
      AND link_status = OLD.link_status;
  RETURN NULL;
END
$fn$;
`;

// The view of migration 0004, per tenant: a domain's row sums and picks among its tenant's referrals.
const tenantView = `
CREATE OR REPLACE VIEW domain_referrals AS
SELECT
  r.domain,
  agg.referral_types,
  r.status AS latest_status,
  agg.referral_count,
  r.referral_id AS latest_referral_id,
  r.remote_updated_at AS latest_updated_at,
  r.tenant
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
  WHERE a.tenant = r.tenant AND a.domain = r.domain
) agg
WHERE r.domain IS NOT NULL
  AND r.referral_id = (
    SELECT n.referral_id FROM referrals n
    WHERE n.tenant = r.tenant AND n.domain = r.domain
    ORDER BY n.remote_updated_at DESC NULLS LAST, n.referral_id
    LIMIT 1
  );
COMMENT ON VIEW domain_referrals IS
  'One row per tenant and referral domain: distinct referral types (co-sell, marketplace, solution-provider order), count, and the newest referral (remote_updated_at desc, nulls last, then referral_id). Join it on tenant and domain.';
`;

const registry = `
CREATE TABLE tenants (
  id text COLLATE "C" PRIMARY KEY CONSTRAINT tenants_id_check CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  display_name text,
  enabled boolean NOT NULL DEFAULT true,
  interval_ms bigint NOT NULL CONSTRAINT tenants_interval_check CHECK (interval_ms >= 1000),
  entra_tenant_id text,
  login_required_since timestamptz,
  login_required_reason text,
  overrides jsonb NOT NULL DEFAULT '{}'::jsonb,
  next_sync_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT tenants_login_required_check CHECK ((login_required_since IS NULL) = (login_required_reason IS NULL))
);
CREATE INDEX tenants_due_idx ON tenants (next_sync_at) WHERE enabled AND login_required_since IS NULL;
COMMENT ON TABLE tenants IS
  'The hosted partner tenants: login state, schedule (next_sync_at: claimed until then) and overrides. Their rows in the other tables carry the id as tenant.';
COMMENT ON COLUMN referrals.tenant IS 'The partner tenant the referral was synced for; every key of the store leads with it.';
`;

const up = `
ALTER TABLE referrals DROP CONSTRAINT ${PAYLOAD_FKEY};
${addColumns}
${rekey(true)}
${payloadKey(true)}
${reindex(true)}
${tenantCountFunctions}
${tenantView}
${registry}
`;

// Refuses (changing nothing: the migration's transaction rolls back) while down would lose or
// merge rows: another tenant's data, or registry entries. Names at most 20 tenants.
const refuse = `
DO $refuse$
DECLARE
  others text;
  registered text;
BEGIN
  SELECT string_agg(tenant, ', ' ORDER BY tenant) INTO others FROM (
    SELECT DISTINCT tenant FROM (
      ${TENANT_TABLES.map((table) => `SELECT tenant FROM ${table} WHERE tenant <> 'default'`).join("\n      UNION ALL ")}
    ) t ORDER BY tenant LIMIT 20
  ) found;
  IF others IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = format('rows of tenants other than "default" exist (%s): rolling back 0009-tenants would merge them into one tenant. Nothing was changed; remove those tenants'' rows first.', others);
  END IF;
  SELECT string_agg(id, ', ' ORDER BY id) INTO registered FROM (SELECT id FROM tenants ORDER BY id LIMIT 20) found;
  IF registered IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = format('the tenants registry holds %s: rolling back 0009-tenants would drop those entries. Nothing was changed; remove them first (pc-referrals tenants remove <id>).', registered);
  END IF;
END
$refuse$;
`;

const down = `${refuse}
DROP TABLE tenants;
DROP VIEW domain_referrals;
${domainReferrals.up}
${countFunctions.replaceAll("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")}
${reindex(false)}
ALTER TABLE referrals DROP CONSTRAINT ${PAYLOAD_FKEY};
${rekey(false)}
${payloadKey(false)}
${dropColumns}
`;

/** `tenant` on every stored row, keys and indexes led by it, and the `tenants` registry. */
export const tenants: Migration = { id: 9, name: "tenants", up, down };
