// createPgStore: the Store on a `pg` Pool (PostgreSQL) or, with no connection given, on embedded
// PGlite in a local folder. Both run the same migrations and the same queries through `Db`.
import pg from "pg";
import { ConfigError, DEFAULT_TENANT, PcReferralsError, requireTenantId, StoreError, type TenantRegistry } from "@pc-referrals/core";
import { createPoolDb, type Db } from "./db.js";
import { registerStoreDb } from "./pg-boss-db.js";
import type { RunLockManager } from "./lock.js";
import { migrate, migrationStatus, rollback, type MigrationRef, type MigrationStatusEntry } from "./migrate.js";
import { createPGliteDb, DEFAULT_DATA_DIR, openPGlite, type PGliteLike } from "./pglite.js";
import { pgliteWithoutTrigrams } from "./queries/search-index.js";
import { createPgTenantRegistry } from "./queries/tenants.js";
import { DEFAULT_SCHEMA, isSchemaName, SCHEMA_NAME_RULE, tablesOf } from "./schema.js";
import { createTenantView, type PgTenantStore, type ViewContext } from "./tenant-view.js";

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

/**
 * The PostgreSQL/PGlite store: the {@link Store} contract (as the `default` tenant) plus
 * migrations, the token cache, tenant views and inspection.
 */
export interface PgStore extends PgTenantStore {
  /** Always `default`: the store reads and writes the default tenant's rows; `forTenant(id)` gives the others. */
  readonly tenant: string;
  /** Applies every pending migration in order; returns the ones applied now. Safe to run from many processes at once. */
  migrate(): Promise<MigrationRef[]>;
  /** Undoes the newest `steps` applied migrations (default 1); returns them, newest first. */
  rollback(steps?: number): Promise<MigrationRef[]>;
  /** The state of every migration: applied, pending, edited (changed after it was applied) or unknown. */
  status(): Promise<MigrationStatusEntry[]>;
  /**
   * The hosted tenants, on the `tenants` table: login state, schedule and overrides. `claimDue` is
   * one atomic statement, so workers in many processes never claim one tenant twice per interval.
   */
  readonly tenants: TenantRegistry;
  /** Releases every held run lock (of every tenant view) and closes what the store opened (never a pool or PGlite passed in). */
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
  const locks = new Map<string, RunLockManager>();

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

  const failure = (op: string, error: unknown): unknown => {
    if (PcReferralsError.is(error)) return error;
    const trigramless = kind === "pglite" ? pgliteWithoutTrigrams(error, schema, options.pglite ? "pglite" : "dataDir") : null;
    if (trigramless) return trigramless;
    const code = (error as { code?: unknown })?.code;
    const hint =
      code === "42P01" || code === "3F000" || code === "42703"
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

  // Views are made once per tenant; the store itself is the default tenant's.
  const views = new Map<string, PgTenantStore>();
  const forTenant = (id: string): PgTenantStore => {
    const tenant = requireTenantId(id);
    if (tenant === DEFAULT_TENANT) return store;
    let view = views.get(tenant);
    if (view === undefined) {
      view = { ...createTenantView(ctx, tenant), forTenant };
      views.set(tenant, view);
    }
    return view;
  };
  const ctx: ViewContext = { kind, schema, ready, guard, locks, forTenant };

  const store: PgStore = {
    ...createTenantView(ctx, DEFAULT_TENANT),
    forTenant,
    migrate: () => guard("migrate", (db) => migrate({ db, schema }), database),
    rollback: (steps = 1) => guard("rollback", (db) => rollback({ db, schema }, steps), database),
    status: () => guard("status", (db) => migrationStatus({ db, schema }), database),
    tenants: createPgTenantRegistry(guard, tablesOf(schema)),
    async close() {
      if (closed) return;
      closed = true;
      if (opened === null) return;
      const db = await opened.catch(() => null);
      if (db === null) return;
      for (const manager of locks.values()) await manager.close().catch(() => undefined);
      await db.close();
    },
  };
  return registerStoreDb(store, database);
}
