// The Db interface on embedded PGlite: PostgreSQL compiled to WebAssembly, one connection per
// instance, persisted in a local folder. `@electric-sql/pglite` is an optional peer, loaded only here.
import { mkdir } from "node:fs/promises";
import { lockDataDir, type DataDirLock } from "./data-dir-lock.js";
import type { Db, DbSession, Queryable, Row } from "./db.js";

/** The part of a PGlite transaction this package uses. */
export interface PGliteTransactionLike {
  query<T>(query: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(query: string): Promise<unknown>;
}

/** The part of a `PGlite` instance this package uses (a structural type, so pglite stays optional). */
export interface PGliteLike extends PGliteTransactionLike {
  transaction<T>(fn: (tx: PGliteTransactionLike) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly closed: boolean;
}

/** Where the embedded database lives unless `dataDir` says otherwise (relative to the working directory). */
export const DEFAULT_DATA_DIR = "./.pc-referrals/pgdata";

function queryable(target: PGliteTransactionLike): Queryable {
  return {
    async query<R = Row>(text: string, params?: readonly unknown[]) {
      const result = await target.query<R>(text, params ? [...params] : undefined);
      return result.rows;
    },
    async exec(sql) {
      await target.exec(sql);
    },
  };
}

// PGlite ships pg_trgm as a bundle loaded at start-up: without it, migration 0006 creates no
// trigram index, and a folder that has one can neither be searched nor written (the index's code
// is missing). Older PGlite versions without the bundle open without it.
async function createPGlite(dataDir: string): Promise<PGliteLike> {
  const { PGlite } = await import("@electric-sql/pglite");
  const trgm = await import("@electric-sql/pglite/contrib/pg_trgm").catch(() => null);
  return PGlite.create(dataDir, { extensions: trgm ? { pg_trgm: trgm.pg_trgm } : {} });
}

/**
 * Opens (creating when missing) a PGlite database in `dataDir`, with the pg_trgm extension
 * loaded; `memory://` keeps it in memory. A folder is locked for this process first
 * (`StoreLockedError` when another holds it).
 */
export async function openPGlite(dataDir: string): Promise<{ pglite: PGliteLike; lock: DataDirLock | null }> {
  if (dataDir.startsWith("memory://")) return { pglite: await createPGlite(dataDir), lock: null };
  await mkdir(dataDir, { recursive: true });
  const lock = await lockDataDir(dataDir);
  try {
    return { pglite: await createPGlite(dataDir), lock };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * A {@link Db} on one PGlite instance. `owned`: close it in `close()`, then release `lock`. PGlite serializes every
 * query and holds its own mutex for the whole of a transaction, so a query from elsewhere never
 * lands inside one; its single connection is also every caller's "dedicated" session.
 */
export function createPGliteDb(db: PGliteLike, options: { owned: boolean; lock?: DataDirLock | null }): Db {
  const base = queryable(db);
  const transaction = <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> =>
    db.transaction((tx) => fn(queryable(tx)));
  return {
    kind: "pglite",
    handle: db,
    ...base,
    transaction,
    async session(): Promise<DbSession> {
      return {
        ...base,
        transaction,
        get lost() {
          return db.closed;
        },
        release() {},
      };
    },
    async close() {
      try {
        if (options.owned && !db.closed) await db.close();
      } finally {
        await options.lock?.release();
      }
    },
  };
}
