// Test harness of pg-store: every file runs on PGlite, and also on PostgreSQL when DATABASE_URL is
// set (under CI=true always: an unreachable server fails the tests instead of skipping them). Each
// file gets its own schemas `pcr_t_<sha1(file)>…`, dropped again in afterAll.
import { createHash } from "node:crypto";
import { relative } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, it } from "vitest";
import { createPoolDb, type Db } from "../src/db.js";
import { createPgStore, type PgStore, type PgStoreOptions } from "../src/index.js";
import { createPGliteDb } from "../src/pglite.js";

/** The backends a file runs on. */
export type BackendName = "pglite" | "postgres";

const DATABASE_URL = process.env.DATABASE_URL;

/** PGlite always; PostgreSQL with DATABASE_URL, and mandatorily under CI. */
export const BACKENDS: BackendName[] = DATABASE_URL || process.env.CI === "true" ? ["pglite", "postgres"] : ["pglite"];

/** Connection string of the PostgreSQL run; throws a clear error when CI requires one and none is set. */
export function databaseUrl(): string {
  if (!DATABASE_URL) throw new Error("CI=true requires PostgreSQL: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test).");
  return DATABASE_URL;
}

/** `pcr_t_<sha1 of the file path>`: one schema family per test file. */
export function schemaFor(file: string): string {
  return `pcr_t_${createHash("sha1").update(relative(process.cwd(), file)).digest("hex").slice(0, 16)}`;
}

/** One backend of one test file. */
export interface Harness {
  readonly name: BackendName;
  /** The file's default schema (migrated in `beforeAll` unless `migrate: false`). */
  readonly schema: string;
  /** A further schema of this file (`<schema>_<suffix>`), dropped with the others. */
  schemaNamed(suffix: string): string;
  /** A store on the shared connection (PGlite instance or pool); `close()` it, or let afterAll do it. */
  store(options?: Omit<PgStoreOptions, "pool" | "pglite" | "connectionString">): PgStore;
  /** A store on a pool of its own (PostgreSQL only): another "process". */
  separateStore(
    options?: Omit<PgStoreOptions, "pool" | "pglite" | "connectionString">,
    pool?: { applicationName?: string },
  ): { store: PgStore; pool: pg.Pool };
  /** Runs SQL on the side (another connection on PostgreSQL, the same instance on PGlite). */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Closes every store made so far (their pools too); the shared connection stays. */
  closeStores(): Promise<void>;
  /** Empties every table of `schema` (default: the file's schema). */
  reset(schema?: string): Promise<void>;
  /** The internal Db on the shared connection, for tests of the migrator and queries. */
  db(): Db;
  /** The PostgreSQL pool for admin work, or null on PGlite. */
  readonly adminPool: pg.Pool | null;
  /** The shared PGlite instance, or null on PostgreSQL. */
  readonly pglite: PGlite | null;
}

/**
 * `it` on PostgreSQL; on PGlite the test is not defined at all (rather than reported as skipped):
 * only for multi-connection behaviour a single-connection PGlite cannot have.
 */
export function itPostgresOnly(backend: BackendName): typeof it {
  return backend === "postgres" ? it : (notApplicable as unknown as typeof it);
}

const TABLES = [
  "referrals",
  "raw_leads",
  "companies",
  "domain_scans",
  "sync_runs",
  "sync_cursor",
  "run_lock",
  "token_cache",
  "referral_failures",
  "referral_actions",
  "expiry_announcements",
  "tenants",
];

/** `url` with its database name replaced. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Sets up `name` for the calling file: call at describe level. `ownDatabase` (PostgreSQL): the file
 * runs in a database of its own, created and dropped around it, for plan tests: VACUUM only marks
 * pages all-visible (which index-only scans need) when no transaction of the same database is
 * older, and other files run beside this one.
 */
export function useBackend(name: BackendName, file: string, options: { migrate?: boolean; ownDatabase?: boolean } = {}): Harness {
  const schema = schemaFor(file);
  const schemas = new Set<string>([schema]);
  const stores: PgStore[] = [];
  const pools: pg.Pool[] = [];
  let pglite: PGlite | null = null;
  let admin: pg.Pool | null = null;
  const ownDatabase = name === "postgres" && options.ownDatabase === true ? schema : null;
  const connectionString = () => (ownDatabase === null ? databaseUrl() : withDatabase(databaseUrl(), ownDatabase));
  const onServer = async (text: string) => {
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };

  const newPool = (max = 4, applicationName = `pcr-test-${schema}`): pg.Pool => {
    const pool = new pg.Pool({ connectionString: connectionString(), max, application_name: applicationName });
    pool.on("error", () => undefined);
    pools.push(pool);
    return pool;
  };
  const sql = async <R,>(text: string, params?: unknown[]): Promise<R[]> => {
    if (pglite) return (await pglite.query<R>(text, params)).rows;
    if (!admin) throw new Error("backend not started");
    return (await admin.query(text, params)).rows as R[];
  };
  const dropAll = async (): Promise<void> => {
    for (const s of schemas) await sql(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  };

  let shared: pg.Pool | null = null;
  const harness: Harness = {
    name,
    schema,
    schemaNamed(suffix) {
      const named = `${schema}_${suffix}`;
      schemas.add(named);
      return named;
    },
    store(opts = {}) {
      if (pglite === null && shared === null) throw new Error(`the ${name} backend is not running`);
      const store =
        name === "pglite"
          ? createPgStore({ schema, ...opts, pglite: pglite as PGlite })
          : createPgStore({ schema, ...opts, pool: shared as pg.Pool });
      stores.push(store);
      return store;
    },
    separateStore(opts = {}, poolOptions = {}) {
      const pool = newPool(4, poolOptions.applicationName);
      const store = createPgStore({ schema, ...opts, pool });
      stores.push(store);
      return { store, pool };
    },
    sql,
    async closeStores() {
      for (const store of stores.splice(0)) await store.close().catch(() => undefined);
      for (const pool of pools.splice(2)) await pool.end().catch(() => undefined);
    },
    db() {
      return pglite ? createPGliteDb(pglite, { owned: false }) : createPoolDb(shared as pg.Pool, { owned: false });
    },
    async reset(target = schema) {
      await sql(`TRUNCATE ${TABLES.map((t) => `"${target}".${t}`).join(", ")}`);
    },
    get adminPool() {
      return admin;
    },
    get pglite() {
      return pglite;
    },
  };

  // A backend that cannot start (no server in CI) fails every test of the file instead of skipping them.
  let setupError: unknown = null;
  beforeAll(async () => {
    try {
      if (name === "pglite") {
        // With pg_trgm, as the store opens PGlite itself (pglite.ts).
        pglite = await PGlite.create({ extensions: { pg_trgm } });
      } else {
        if (ownDatabase !== null) {
          await onServer(`DROP DATABASE IF EXISTS "${ownDatabase}" WITH (FORCE)`);
          await onServer(`CREATE DATABASE "${ownDatabase}"`);
        }
        admin = newPool(2);
        shared = newPool(6);
      }
      await dropAll();
      if (options.migrate !== false) await harness.store().migrate();
    } catch (error) {
      setupError = error;
    }
  });
  beforeEach(() => {
    if (setupError !== null) throw setupError;
  });

  afterAll(async () => {
    for (const store of stores) await store.close().catch(() => undefined);
    await dropAll().catch(() => undefined);
    for (const pool of pools) await pool.end().catch(() => undefined);
    await pglite?.close();
    if (ownDatabase !== null) await onServer(`DROP DATABASE IF EXISTS "${ownDatabase}" WITH (FORCE)`).catch(() => undefined);
  });

  return harness;
}

function notApplicable(): void {}
