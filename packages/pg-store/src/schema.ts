// The configurable schema: validated once, then interpolated into SQL as a quoted identifier.
import { createHash } from "node:crypto";
import { DEFAULT_TENANT } from "@pc-referrals/core";

/** The schema `createPgStore` uses unless told otherwise. */
export const DEFAULT_SCHEMA = "partner_center";

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** What a schema name must look like, as an option's error message. */
export const SCHEMA_NAME_RULE = "must match /^[a-z_][a-z0-9_]{0,62}$/ and not start with pg_ (e.g. partner_center)";

/** True when `schema` is a plain lower-case identifier (safe to quote and interpolate). */
export function isSchemaName(schema: unknown): schema is string {
  return typeof schema === "string" && SCHEMA_PATTERN.test(schema) && !schema.startsWith("pg_");
}

/** Quoted, schema-qualified names of every table, for building SQL text, and the tenant of the queries. */
export interface Tables {
  readonly schema: string;
  /**
   * The tenant every query on these tables reads and writes (a parameter value, never SQL text):
   * each query filters by it and writes it (migration 0009).
   */
  readonly tenant: string;
  /** The tenant registry (migration 0009). */
  readonly tenants: string;
  readonly migrations: string;
  readonly referrals: string;
  readonly rawLeads: string;
  readonly companies: string;
  readonly domainScans: string;
  readonly syncRuns: string;
  readonly cursor: string;
  readonly runLock: string;
  readonly tokenCache: string;
  /** The lead-list view (migration 0004). */
  readonly domainReferrals: string;
  readonly referralFailures: string;
  /** Referrals per inbox filter group, kept by triggers (migration 0006). */
  readonly referralCounts: string;
  /** The announcements of the expiry watch (migration 0008). */
  readonly expiryAnnouncements: string;
  /** The write-back audit trail (migration 0007). */
  readonly referralActions: string;
}

/** Table names inside `schema` (which must have passed {@link isSchemaName}), for `tenant`'s rows. */
export function tablesOf(schema: string, tenant: string = DEFAULT_TENANT): Tables {
  const q = `"${schema}"`;
  return {
    schema: q,
    tenant,
    tenants: `${q}.tenants`,
    migrations: `${q}.pcr_migrations`,
    referrals: `${q}.referrals`,
    rawLeads: `${q}.raw_leads`,
    companies: `${q}.companies`,
    domainScans: `${q}.domain_scans`,
    syncRuns: `${q}.sync_runs`,
    cursor: `${q}.sync_cursor`,
    runLock: `${q}.run_lock`,
    tokenCache: `${q}.token_cache`,
    domainReferrals: `${q}.domain_referrals`,
    referralFailures: `${q}.referral_failures`,
    referralCounts: `${q}.referral_counts`,
    expiryAnnouncements: `${q}.expiry_announcements`,
    referralActions: `${q}.referral_actions`,
  };
}

/**
 * What an advisory lock of one schema guards; the second half of the two-key lock id. `runLock` is
 * the default tenant's run lock; other tenants' run locks take {@link runLockKey}.
 */
export const LockPurpose = { runLock: 1, migrations: 2 } as const;

/**
 * The second key of `tenant`'s run lock: 1 ({@link LockPurpose.runLock}) for `default`, so
 * processes of the previous release and this one exclude each other; for any other tenant a stable
 * 31-bit hash at or above 3, so it never equals the migrations lock. Two tenants whose hashes
 * collide (odds 1 in 2^31) still hold their leases apart; only the dead-holder shortcut then waits
 * for the lease to expire.
 */
export function runLockKey(tenant: string): number {
  if (tenant === DEFAULT_TENANT) return LockPurpose.runLock;
  const hash = createHash("sha256").update(`pc-referrals-tenant:${tenant}`).digest().readUInt32BE(0) & 0x7fffffff;
  return 3 + (hash % (0x7fffffff - 3));
}

/**
 * The first key of this schema's advisory locks: a stable 31-bit number, so that two schemas in one
 * database (two deployments, or the test files) never block each other. Non-negative, so it reads
 * back unchanged from `pg_locks.classid` (an oid).
 */
export function advisoryKey(schema: string): number {
  return createHash("sha256").update(`pc-referrals:${schema}`).digest().readUInt32BE(0) & 0x7fffffff;
}
