// The two databases a sample can run on, each with a driver-side statement counter (the store has
// none: every `query` the pool's clients or PGlite receive counts, BEGIN and COMMIT included) and a
// fresh, migrated schema per sample, so every full sync writes into an empty store.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { createPgStore, type PgStore, type PGliteLike, type PGliteTransactionLike } from "@pc-referrals/pg-store";
import pg from "pg";
import { benchDatabaseUrl } from "../../packages/pg-store/scripts/bench/database-url.js";

export type StoreKind = "postgres" | "pglite";
export const STORE_KINDS: readonly StoreKind[] = ["postgres", "pglite"];

/** One connection of plain SQL for the naive baseline, outside any store. */
export interface RawSql {
  query(text: string, params?: unknown[]): Promise<unknown>;
  release(): void;
}

/** One open database of the bench process. */
export interface BenchDatabase {
  kind: StoreKind;
  /** Statements sent so far (through the store or `sql`). */
  statements(): number;
  /** A store on `schema`, dropped and migrated first; close it with `store.close()`. */
  freshStore(schema: string): Promise<PgStore>;
  dropSchema(schema: string): Promise<void>;
  /** A connection of its own (PGlite has just one). */
  connect(): Promise<RawSql>;
  close(): Promise<void>;
}

/** Where the PostgreSQL samples run: DATABASE_URL, else the machine's server (as pg-store's benches). */
export const databaseUrl = benchDatabaseUrl;

const quoted = (schema: string): string => `"${schema.replaceAll('"', '""')}"`;

export async function openPostgres(): Promise<BenchDatabase> {
  let statements = 0;
  const pool = new pg.Pool({ connectionString: databaseUrl(), max: 10 });
  pool.on("error", () => undefined);
  pool.on("connect", (client) => {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
      statements += 1;
      return original(...args);
    };
  });
  const dropSchema = async (schema: string) => {
    await pool.query(`DROP SCHEMA IF EXISTS ${quoted(schema)} CASCADE`);
  };
  return {
    kind: "postgres",
    statements: () => statements,
    async freshStore(schema) {
      await dropSchema(schema);
      const store = createPgStore({ pool, schema });
      await store.migrate();
      return store;
    },
    dropSchema,
    async connect() {
      const client = await pool.connect();
      return { query: (text, params) => client.query(text, params), release: () => client.release() };
    },
    close: () => pool.end(),
  };
}

/** PGlite in a scratch folder (as the CLI keeps it), opened once; each statement of the store counted. */
export async function openPGlite(): Promise<BenchDatabase> {
  let statements = 0;
  const dataDir = await mkdtemp(join(tmpdir(), "pcr-bench-pglite-"));
  const db = await PGlite.create(dataDir);
  const wrap = (target: PGliteTransactionLike): PGliteTransactionLike => ({
    query<T>(query: string, params?: unknown[]) {
      statements += 1;
      return target.query<T>(query, params);
    },
    exec(query: string) {
      statements += 1;
      return target.exec(query);
    },
  });
  const counted: PGliteLike = {
    ...wrap(db),
    transaction<T>(fn: (tx: PGliteTransactionLike) => Promise<T>) {
      statements += 2; // PGlite's own BEGIN and COMMIT, which pg sends as statements
      return db.transaction((tx) => fn(wrap(tx)));
    },
    close: () => db.close(),
    get closed() {
      return db.closed;
    },
  };
  const dropSchema = async (schema: string) => {
    await db.exec(`DROP SCHEMA IF EXISTS ${quoted(schema)} CASCADE`);
  };
  return {
    kind: "pglite",
    statements: () => statements,
    async freshStore(schema) {
      await dropSchema(schema);
      const store = createPgStore({ pglite: counted, schema });
      await store.migrate();
      return store;
    },
    dropSchema,
    connect: () => Promise.resolve({ query: (text, params) => counted.query(text, params), release: () => undefined }),
    async close() {
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const openDatabase = (kind: StoreKind): Promise<BenchDatabase> => (kind === "postgres" ? openPostgres() : openPGlite());

/** Can the PostgreSQL samples run? The reason when not. */
export async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl(), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return `${databaseUrl().replace(/\/\/[^@/]*@/, "//…@")} unreachable (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
