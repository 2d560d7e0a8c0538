// The tiny database interface every query of this package runs through, and its `pg` Pool
// implementation. PGlite implements the same interface (pglite.ts), so one set of SQL serves both.
import type pg from "pg";

/** A result row, column name to parsed value. */
export type Row = Record<string, unknown>;

/** Something that runs SQL: the database, a transaction, or a dedicated session. */
export interface Queryable {
  /** One statement with `$n` parameters; returns its rows. */
  query<R = Row>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Several statements separated by `;`, without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** One connection held for session state (advisory locks) until released. */
export interface DbSession extends Queryable {
  /** Runs `fn` in a transaction on this connection. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** True once the connection failed: its session state (advisory locks) is gone with it. */
  readonly lost: boolean;
  /** Gives the connection back, or drops it when lost or `destroy` is true. Idempotent. */
  release(destroy?: boolean): void;
}

/** The database behind a store. */
export interface Db extends Queryable {
  readonly kind: "pg" | "pglite";
  /** The Pool or PGlite instance, so in-process mutexes can be shared by stores on the same handle. */
  readonly handle: object;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** A dedicated connection (PGlite has only one, so it is shared). */
  session(): Promise<DbSession>;
  /** Closes what this store opened; a pool or PGlite instance passed in by the host stays open. */
  close(): Promise<void>;
}

function clientQueryable(client: pg.PoolClient): Queryable {
  return {
    async query<R = Row>(text: string, params?: readonly unknown[]) {
      const result = await client.query(text, params ? [...params] : undefined);
      return result.rows as R[];
    },
    async exec(sql) {
      await client.query(sql);
    },
  };
}

// Runs fn between BEGIN and COMMIT; a failed ROLLBACK means the connection itself is gone.
async function inTransaction<T>(
  client: pg.PoolClient,
  fn: (tx: Queryable) => Promise<T>,
): Promise<{ value: T } | { error: unknown; broken: boolean }> {
  try {
    await client.query("BEGIN");
    const value = await fn(clientQueryable(client));
    await client.query("COMMIT");
    return { value };
  } catch (error) {
    const broken = await client.query("ROLLBACK").then(
      () => false,
      () => true,
    );
    return { error, broken };
  }
}

/** A {@link Db} on a `pg` Pool. `owned`: end the pool in `close()`. */
export function createPoolDb(pool: pg.Pool, options: { owned: boolean }): Db {
  const connect = async (): Promise<{ client: pg.PoolClient; state: { lost: boolean }; detach: () => void }> => {
    const client = await pool.connect();
    const state = { lost: false };
    // A checked-out client that loses its backend emits 'error'; without a listener Node would crash.
    const onError = (): void => {
      state.lost = true;
    };
    client.on("error", onError);
    return { client, state, detach: () => client.removeListener("error", onError) };
  };

  return {
    kind: "pg",
    handle: pool,
    async query<R = Row>(text: string, params?: readonly unknown[]) {
      const result = await pool.query(text, params ? [...params] : undefined);
      return result.rows as R[];
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(fn) {
      const { client, state, detach } = await connect();
      const outcome = await inTransaction(client, fn);
      const broken = "error" in outcome && (outcome.broken || state.lost);
      detach();
      client.release(broken ? true : undefined);
      if ("error" in outcome) throw outcome.error;
      return outcome.value;
    },
    async session() {
      const { client, state, detach } = await connect();
      let released = false;
      return {
        ...clientQueryable(client),
        get lost() {
          return state.lost;
        },
        async transaction(fn) {
          const outcome = await inTransaction(client, fn);
          if ("error" in outcome) {
            if (outcome.broken) state.lost = true;
            throw outcome.error;
          }
          return outcome.value;
        },
        release(destroy = false) {
          if (released) return;
          released = true;
          detach();
          client.release(state.lost || destroy ? true : undefined);
        },
      };
    },
    async close() {
      if (options.owned) await pool.end();
    },
  };
}
