// The inbox at 100k rows (issue 12 item 8): a pg_trgm GIN index for the search, where the extension
// can be had, and exact totals from per-group counts kept by triggers in the writing transaction.
// Never edit once released (the migrator refuses an applied migration whose text changed).
import type { Migration } from "./types.js";

// Trigram index. pg_trgm is used wherever it is already installed (the opclass is qualified with
// that schema, so the store's search_path never matters); otherwise created in public (one copy
// for every store schema of the database, and a DROP SCHEMA of one store cannot cascade into the
// others' indexes), else in the store's schema. Where neither works (a managed database without
// the extension, a user without the right, PGlite opened without it), or pg_trgm lives in a schema
// this user has no USAGE on, the migration still succeeds with no index, and search stays the
// LIKE scan it was. Each attempt is a subtransaction; the
// final lookup also sees an installation another migrator committed meanwhile.
// fastupdate = off: rows go into the index as they are written, so a search never reads a
// pending list that only VACUUM would empty.
const trigramIndex = `
DO $trgm$
DECLARE
  trgm_schema name;
BEGIN
  SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
  IF trgm_schema IS NULL THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    EXCEPTION WHEN OTHERS THEN
      BEGIN
        EXECUTE format('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA %I', current_schema());
      EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm is not available (%): the inbox search runs without a trigram index', SQLERRM;
      END;
    END;
    SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname = 'pg_trgm';
  END IF;
  IF trgm_schema IS NOT NULL THEN
    BEGIN
      EXECUTE format(
        'CREATE INDEX referrals_search_trgm_idx ON referrals USING gin (search_text %I.gin_trgm_ops) WITH (fastupdate = off)',
        trgm_schema);
    EXCEPTION WHEN insufficient_privilege THEN
      -- Installed in a schema this user may not use (no USAGE on it).
      RAISE NOTICE 'pg_trgm in schema % cannot be used (%): the inbox search runs without a trigram index', trgm_schema, SQLERRM;
    END;
  END IF;
END
$trgm$;
`;

// Per-group counts: one row per (referral_type, status_key, link_status) in use, so the total of
// any combination of the inbox's equality filters is a sum over a handful of rows instead of a
// count over the table (which also needs a vacuumed visibility map to stay off the heap). NULL and
// '' statuses share the key '': no filter selects either. Every writer first takes the table in
// SHARE ROW EXCLUSIVE mode (readers are not blocked), so two transactions never wait on each
// other's count rows in opposite orders; writes to referrals are one run at a time anyway.
// The functions pin the search path of their creation (the store's schema): the store's own
// statements run with the server's default path.
const counts = `
CREATE TABLE referral_counts (
  referral_type text NOT NULL,
  status_key text NOT NULL,
  link_status text NOT NULL,
  n bigint NOT NULL CONSTRAINT referral_counts_n_positive CHECK (n > 0),
  PRIMARY KEY (referral_type, status_key, link_status)
);
COMMENT ON TABLE referral_counts IS
  'Referrals per (referral_type, status_key or '''' when null, link_status), kept by triggers on referrals in the same transaction: the exact inbox totals without a search.';

CREATE FUNCTION referral_counts_add_rows() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
BEGIN
  LOCK TABLE referral_counts IN SHARE ROW EXCLUSIVE MODE;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO referral_counts AS c (referral_type, status_key, link_status, n)
    SELECT referral_type, coalesce(status_key, ''), link_status, count(*) FROM new_rows GROUP BY 1, 2, 3
    ON CONFLICT (referral_type, status_key, link_status) DO UPDATE SET n = c.n + EXCLUDED.n;
  ELSIF TG_OP = 'DELETE' THEN
    WITH gone AS (
      SELECT referral_type, coalesce(status_key, '') AS status_key, link_status, count(*) AS n FROM old_rows GROUP BY 1, 2, 3
    ), lowered AS (
      UPDATE referral_counts c SET n = c.n - gone.n FROM gone
      WHERE c.referral_type = gone.referral_type AND c.status_key = gone.status_key AND c.link_status = gone.link_status
        AND c.n > gone.n
    )
    DELETE FROM referral_counts c USING gone
    WHERE c.referral_type = gone.referral_type AND c.status_key = gone.status_key AND c.link_status = gone.link_status
      AND c.n <= gone.n;
  ELSE
    DELETE FROM referral_counts;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION referral_counts_move_row() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
BEGIN
  LOCK TABLE referral_counts IN SHARE ROW EXCLUSIVE MODE;
  INSERT INTO referral_counts AS c (referral_type, status_key, link_status, n)
  VALUES (NEW.referral_type, coalesce(NEW.status_key, ''), NEW.link_status, 1)
  ON CONFLICT (referral_type, status_key, link_status) DO UPDATE SET n = c.n + 1;
  DELETE FROM referral_counts
    WHERE referral_type = OLD.referral_type AND status_key = coalesce(OLD.status_key, '') AND link_status = OLD.link_status
      AND n = 1;
  UPDATE referral_counts SET n = n - 1
    WHERE referral_type = OLD.referral_type AND status_key = coalesce(OLD.status_key, '') AND link_status = OLD.link_status;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER referral_counts_insert AFTER INSERT ON referrals
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION referral_counts_add_rows();
CREATE TRIGGER referral_counts_delete AFTER DELETE ON referrals
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION referral_counts_add_rows();
CREATE TRIGGER referral_counts_truncate AFTER TRUNCATE ON referrals
  FOR EACH STATEMENT EXECUTE FUNCTION referral_counts_add_rows();
-- Row level, and only when a counted column changes: the page's "synced again" updates of
-- unchanged referrals fire nothing.
CREATE TRIGGER referral_counts_update AFTER UPDATE OF referral_type, status_key, link_status ON referrals
  FOR EACH ROW
  WHEN (OLD.referral_type IS DISTINCT FROM NEW.referral_type OR OLD.status_key IS DISTINCT FROM NEW.status_key
    OR OLD.link_status IS DISTINCT FROM NEW.link_status)
  EXECUTE FUNCTION referral_counts_move_row();

-- The triggers above already hold referrals against writers (CREATE TRIGGER's lock lasts until
-- commit), so this count and every later change add up exactly.
INSERT INTO referral_counts (referral_type, status_key, link_status, n)
SELECT referral_type, coalesce(status_key, ''), link_status, count(*) FROM referrals GROUP BY 1, 2, 3;
`;

/**
 * The two count functions exactly as created here, so a later migration's down can restore them
 * (`CREATE OR REPLACE`) to this text.
 */
export const countFunctions = counts.slice(
  counts.indexOf("CREATE FUNCTION referral_counts_add_rows"),
  counts.indexOf("CREATE TRIGGER referral_counts_insert"),
);

const up = `${trigramIndex}${counts}`;

// The extension stays: other stores' indexes in this database, or the host's own, may use it, and
// dropping it needs its owner (and would cascade into those indexes).
const down = `
DROP TRIGGER referral_counts_update ON referrals;
DROP TRIGGER referral_counts_truncate ON referrals;
DROP TRIGGER referral_counts_delete ON referrals;
DROP TRIGGER referral_counts_insert ON referrals;
DROP FUNCTION referral_counts_move_row();
DROP FUNCTION referral_counts_add_rows();
DROP TABLE referral_counts;
DROP INDEX IF EXISTS referrals_search_trgm_idx;
`;

/** The trigram search index (where pg_trgm is available) and the `referral_counts` table with its triggers. */
export const inboxSearchAndCounts: Migration = { id: 6, name: "inbox-search-and-counts", up, down };
