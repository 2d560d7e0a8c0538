// createPgStore: the Store on a `pg` Pool (PostgreSQL) or, with no connection given, on embedded
// PGlite in a local folder. Both run the same migrations and the same queries through `Db`.
import pg from "pg";
import {
  ConfigError,
  PcReferralsError,
  StoreError,
  type DomainScanRecord,
  type PageContext,
  type PageContextQuery,
  type RawLead,
  type Store,
  type TokenCachePlugin,
} from "@pc-referrals/core";
import { createPoolDb, type Db } from "./db.js";
import { registerStoreDb } from "./pg-boss-db.js";
import { createRunLockManager, type RunLockManager } from "./lock.js";
import { migrate, migrationStatus, rollback, type MigrationRef, type MigrationStatusEntry } from "./migrate.js";
import { createPGliteDb, DEFAULT_DATA_DIR, openPGlite, type PGliteLike } from "./pglite.js";
import { applyBatch } from "./queries/apply-batch.js";
import { claimExpiryAnnouncements } from "./queries/expiry-announcements.js";
import { queryInbox } from "./queries/inbox.js";
import { createKnownStates } from "./queries/known-states.js";
import { readPageContext } from "./queries/page-context.js";
import { listReferralDomains } from "./queries/referral-domains.js";
import { getCompany, listReferralActions, recordReferralAction, setCompanyExternalId } from "./queries/referral-actions.js";
import { listReferralFailures, recordReferralFailures } from "./queries/referral-failures.js";
import { pgliteWithoutTrigrams, searchIndexState, type SearchIndexState } from "./queries/search-index.js";
import {
  findCompanies,
  getKnownReferrals,
  getReferral,
  listRawLeads,
  referralTypesByDomain,
  setManualLink,
} from "./queries/referrals.js";
import {
  advanceCursor,
  claimDomainScans,
  getCursor,
  getSyncStatus,
  listDomainScans,
  listRuns,
  recordDomainScan,
  recordRun,
} from "./queries/runs.js";
import { DEFAULT_SCHEMA, isSchemaName, SCHEMA_NAME_RULE, tablesOf } from "./schema.js";
import { createTokenCachePlugin } from "./token-cache.js";

/** Options of {@link createPgStore}. Give at most one of `connectionString`, `pool`, `pglite`. */
export interface PgStoreOptions {
  /** A PostgreSQL URL (`postgres://user@host:5432/db`); the store opens and closes its own pool. */
  connectionString?: string | undefined;
  /** Your `pg` Pool; the store never ends it. It needs at least 2 connections (the run lock keeps one). */
  pool?: pg.Pool | undefined;
  /** An open PGlite instance to use instead of opening one; the store never closes it. */
  pglite?: PGliteLike | undefined;
  /** Folder of the embedded PGlite database when no connection is given. Default `./.pc-referrals/pgdata`; `memory://` keeps it in memory. */
  dataDir?: string | undefined;
  /** Schema of every table. Default `partner_center`; must match `/^[a-z_][a-z0-9_]{0,62}$/`. */
  schema?: string | undefined;
  /** Apply pending migrations before the first query. Default false: call `migrate()` (or `pc-referrals migrate up`). */
  autoMigrate?: boolean | undefined;
}

/** The PostgreSQL/PGlite store: the {@link Store} contract plus migrations, the token cache and inspection. */
export interface PgStore extends Store {
  readonly kind: "pg" | "pglite";
  /** The schema holding the tables. */
  readonly schema: string;
  /** Applies every pending migration in order; returns the ones applied now. Safe to run from many processes at once. */
  migrate(): Promise<MigrationRef[]>;
  /** Undoes the newest `steps` applied migrations (default 1); returns them, newest first. */
  rollback(steps?: number): Promise<MigrationRef[]>;
  /** The state of every migration: applied, pending, edited (changed after it was applied) or unknown. */
  status(): Promise<MigrationStatusEntry[]>;
  /** An MSAL cache plugin on this store's token_cache table (see `createPgTokenCache`). */
  tokenCache(key?: string): TokenCachePlugin;
  /** The known referrals and link candidates of one page in one statement (see `Store.readPageContext`). */
  readPageContext(query: PageContextQuery): Promise<PageContext>;
  /** Raw leads (full payloads), oldest first; every one, or one referral's. The one copy of each payload. */
  listRawLeads(query?: { referralId?: string }): Promise<RawLead[]>;
  /** Every claimed or scanned domain. */
  listDomainScans(): Promise<DomainScanRecord[]>;
  /**
   * `trigram` when migration 0006 could create the pg_trgm index of the inbox search (searches of
   * 3+ characters read it), `none` where the extension was not available (every search scans).
   */
  searchIndex(): Promise<SearchIndexState>;
  /** Releases a held run lock and closes what the store opened (never a pool or PGlite passed in). */
  close(): Promise<void>;
}

// Same words as core's option schemas, so a typo reads alike in every package.
const UNKNOWN_OPTION = "unknown option: check the spelling against the documented options";
const nonEmpty = (message: string) => (v: unknown) => (typeof v === "string" && v !== "" ? null : message);

// pg-store has no zod (core's schemas are internal), so each option is checked here by hand.
const optionChecks: { [K in keyof Required<PgStoreOptions>]: (value: unknown) => string | null } = {
  connectionString: nonEmpty("must be a non-empty PostgreSQL URL"),
  pool: (v) =>
    typeof (v as { connect?: unknown } | null)?.connect !== "function"
      ? "must be a pg Pool"
      : // The run lock keeps one connection for a whole run; the run's writes need another.
        (v as pg.Pool).options?.max === 1
        ? "needs at least 2 connections (max >= 2)"
        : null,
  pglite: (v) => (typeof (v as { transaction?: unknown } | null)?.transaction === "function" ? null : "must be a PGlite instance"),
  dataDir: nonEmpty("must be a non-empty folder path"),
  schema: (v) => (isSchemaName(v) ? null : SCHEMA_NAME_RULE),
  autoMigrate: (v) => (typeof v === "boolean" ? null : "expected true or false"),
};

/** Every bad option in one ConfigError: wrong types, unknown keys (typos), more than one connection. */
function checkOptions(options: unknown): asserts options is PgStoreOptions {
  if (typeof options !== "object" || options === null) {
    throw new ConfigError([{ path: "createPgStore", message: "expected an options object, e.g. { connectionString }" }]);
  }
  const issues: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(options)) {
    const check = Object.hasOwn(optionChecks, key) ? optionChecks[key as keyof PgStoreOptions] : null;
    const problem = check === null ? UNKNOWN_OPTION : value === undefined ? null : check(value);
    if (problem !== null) issues.push({ path: `createPgStore.${key}`, message: problem });
  }
  const o = options as PgStoreOptions;
  const given = (["connectionString", "pool", "pglite"] as const).filter((k) => o[k] !== undefined);
  if (given.length > 1) issues.push({ path: `createPgStore.${given[1]}`, message: `give only one of ${given.join(", ")}` });
  if (issues.length > 0) throw new ConfigError(issues);
}

function ownedPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, application_name: "pc-referrals" });
  // An idle connection that dies is replaced by the pool; without a listener it would crash the process.
  pool.on("error", () => undefined);
  return pool;
}

function describe(error: unknown): string {
  const code = typeof (error as { code?: unknown })?.code === "string" ? ` [${(error as { code: string }).code}]` : "";
  return `${error instanceof Error ? error.message : String(error)}${code}`;
}

/**
 * Creates the store. With `connectionString` or `pool` it runs on PostgreSQL; otherwise on embedded
 * PGlite persisted under `dataDir`, so it works on a machine without a database server. Nothing
 * connects until the first call. Call `migrate()` once before use (or pass `autoMigrate: true`).
 */
export function createPgStore(options: PgStoreOptions = {}): PgStore {
  checkOptions(options);
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const t = tablesOf(schema);
  const kind = options.connectionString !== undefined || options.pool !== undefined ? "pg" : "pglite";

  const given = options.pool
    ? createPoolDb(options.pool, { owned: false })
    : options.connectionString !== undefined
      ? createPoolDb(ownedPool(options.connectionString), { owned: true })
      : options.pglite
        ? createPGliteDb(options.pglite, { owned: false })
        : null;
  // Only the embedded database opens lazily: PGlite takes seconds and hundreds of MB to start.
  let opened: Promise<Db> | null = given ? Promise.resolve(given) : null;
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const open = async (): Promise<Db> => {
    const { pglite, lock } = await openPGlite(dataDir);
    return createPGliteDb(pglite, { owned: true, lock });
  };

  let closed = false;
  let migrated: Promise<unknown> | null = null;
  let lockManager: RunLockManager | null = null;
  // The last read of known referrals, which the next applyBatch plans on (queries/known-states.ts).
  const known = createKnownStates();
  const batchDeps = {
    known,
    // A store that never took the lock renews by owner alone (and finds nothing unless that owner holds it).
    leaseForWrite: (owner: string) =>
      lockManager === null ? { token: null, settle: async () => undefined } : lockManager.leaseForWrite(owner),
  };

  const database = async (): Promise<Db> => {
    if (closed) throw new StoreError("This pg-store is closed.");
    opened ??= open();
    try {
      return await opened;
    } catch (error) {
      opened = null;
      if (PcReferralsError.is(error)) throw error;
      throw new StoreError(`Could not open the embedded PGlite database: ${describe(error)}`, { cause: error });
    }
  };
  const ready = async (): Promise<Db> => {
    const db = await database();
    if (options.autoMigrate) {
      migrated ??= migrate({ db, schema }).catch((error: unknown) => {
        migrated = null;
        throw error;
      });
      await migrated;
    }
    return db;
  };
  const runLock = async (): Promise<RunLockManager> => {
    const db = await ready();
    return (lockManager ??= createRunLockManager(db, t, schema));
  };

  const failure = (op: string, error: unknown): unknown => {
    if (PcReferralsError.is(error)) return error;
    const trigramless = kind === "pglite" ? pgliteWithoutTrigrams(error, schema, options.pglite ? "pglite" : "dataDir") : null;
    if (trigramless) return trigramless;
    const code = (error as { code?: unknown })?.code;
    const hint =
      code === "42P01" || code === "3F000"
        ? ` Schema "${schema}" is not migrated: run store.migrate() (or \`pc-referrals migrate up\`).`
        : "";
    const rolledBack = op === "applyBatch" ? " Nothing of the page was written (the transaction rolled back)." : "";
    return new StoreError(`pg-store ${op} failed: ${describe(error)}.${rolledBack}${hint}`, { cause: error });
  };
  const guard = async <T>(op: string, fn: (db: Db) => Promise<T>, prepare: () => Promise<Db> = ready): Promise<T> => {
    try {
      return await fn(await prepare());
    } catch (error) {
      throw failure(op, error);
    }
  };

  return registerStoreDb({
    kind,
    schema,
    migrate: () => guard("migrate", (db) => migrate({ db, schema }), database),
    rollback: (steps = 1) => guard("rollback", (db) => rollback({ db, schema }, steps), database),
    status: () => guard("status", (db) => migrationStatus({ db, schema }), database),
    tokenCache: (key = "default") => createTokenCachePlugin(ready, t, key),
    applyBatch: (page) => guard("applyBatch", (db) => applyBatch(db, t, page, batchDeps)),
    readPageContext: (query) =>
      guard("readPageContext", async (db) => {
        const context = await readPageContext(db, t, query);
        known.remember(query.referralIds, context.known);
        return context;
      }),
    getKnownReferrals: (ids) =>
      guard("getKnownReferrals", async (db) => {
        const found = await getKnownReferrals(db, t, ids);
        known.remember(ids, found);
        return found;
      }),
    findCompanies: (query) => guard("findCompanies", (db) => findCompanies(db, t, query)),
    getCursor: (scope) => guard("getCursor", (db) => getCursor(db, t, scope)),
    advanceCursor: (scope, next) => guard("advanceCursor", (db) => advanceCursor(db, t, scope, next)),
    claimDomainScans: (domains) => guard("claimDomainScans", (db) => claimDomainScans(db, t, domains)),
    recordDomainScan: (result) => guard("recordDomainScan", (db) => recordDomainScan(db, t, result)),
    acquireRunLock: (request) => guard("acquireRunLock", async () => (await runLock()).acquire(request)),
    recordRun: (run) => guard("recordRun", (db) => recordRun(db, t, run)),
    listRuns: (query) => guard("listRuns", (db) => listRuns(db, t, query)),
    getSyncStatus: (scope) => guard("getSyncStatus", async (db) => getSyncStatus(db, t, scope, async () => (await runLock()).running())),
    recordReferralFailures: (batch) => guard("recordReferralFailures", (db) => recordReferralFailures(db, t, batch)),
    listReferralFailures: (scope) => guard("listReferralFailures", (db) => listReferralFailures(db, t, scope)),
    queryInbox: (query) => guard("queryInbox", (db) => queryInbox(db, t, query)),
    getReferral: (id) => guard("getReferral", (db) => getReferral(db, t, id)),
    setManualLink: (request) => guard("setManualLink", (db) => setManualLink(db, t, request)),
    referralTypesByDomain: (domains) => guard("referralTypesByDomain", (db) => referralTypesByDomain(db, t, domains)),
    listReferralDomains: (query) => guard("listReferralDomains", (db) => listReferralDomains(db, t, query)),
    claimExpiryAnnouncements: (items) => guard("claimExpiryAnnouncements", (db) => claimExpiryAnnouncements(db, t, items)),
    getCompany: (companyId) => guard("getCompany", (db) => getCompany(db, t, companyId)),
    setCompanyExternalId: (request) => guard("setCompanyExternalId", (db) => setCompanyExternalId(db, t, request)),
    recordReferralAction: (record) => guard("recordReferralAction", (db) => recordReferralAction(db, t, record)),
    listReferralActions: (query) => guard("listReferralActions", (db) => listReferralActions(db, t, query)),
    listRawLeads: (query = {}) => guard("listRawLeads", (db) => listRawLeads(db, t, query.referralId)),
    listDomainScans: () => guard("listDomainScans", (db) => listDomainScans(db, t)),
    searchIndex: () => guard("searchIndex", (db) => searchIndexState(db, schema)),
    async close() {
      if (closed) return;
      closed = true;
      if (opened === null) return;
      const db = await opened.catch(() => null);
      if (db === null) return;
      await lockManager?.close().catch(() => undefined);
      await db.close();
    },
  }, database);
}
