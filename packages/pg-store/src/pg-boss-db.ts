// pg-boss on the store's own database (its `db` option): the same pg Pool, or the same PGlite
// instance, so the worker needs no second connection pool and tests and the demo need no server.
import { ConfigError } from "@pc-referrals/core";
import type pg from "pg";
import type { Db } from "./db.js";
import type { PGliteLike } from "./pglite.js";

/** What pg-boss 10 calls on its `db` option: one statement with values, or SQL text without. */
export interface PgBossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

const databases = new WeakMap<object, () => Promise<Db>>();

/** Called by createPgStore: how createPgBossDb reaches the store's database. */
export function registerStoreDb<S extends object>(store: S, database: () => Promise<Db>): S {
  databases.set(store, database);
  return store;
}

/**
 * A pg-boss `db` on the store's database: `new PgBoss({ db: createPgBossDb(store), schema: "pgboss" })`.
 * On PostgreSQL it runs on the store's pool; on PGlite on its one connection, where PGlite holds
 * its mutex for the whole of a transaction, so a pg-boss statement never lands inside one of the
 * store's (and pg-boss's own statements are single ones, or plain SQL text run with `exec`).
 */
export function createPgBossDb(store: object): PgBossDb {
  const database = databases.get(store);
  if (!database) {
    throw new ConfigError([
      { path: "createPgBossDb.store", message: "expected a store from createPgStore() (the store itself, not a tenant view)" },
    ]);
  }
  return {
    async executeSql(text, values) {
      const db = await database();
      if (db.kind === "pg") {
        // Multi-statement text (pg-boss's migrations) goes through the simple protocol, as pg-boss's own Db does.
        const result = await (db.handle as pg.Pool).query(text, values);
        return { rows: Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows };
      }
      const pglite = db.handle as PGliteLike;
      if (values && values.length > 0) return { rows: (await pglite.query(text, values)).rows };
      // Without values the text may hold several statements: `query` takes one, `exec` takes many.
      const results = (await pglite.exec(text)) as Array<{ rows: unknown[] }>;
      return { rows: results.at(-1)?.rows ?? [] };
    },
  };
}
