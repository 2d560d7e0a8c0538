// Statement counters for the tests of "statements per page": every query a pool, a checked-out
// client or a PGlite instance receives, BEGIN and COMMIT included.
import type pg from "pg";
import type { PGliteLike } from "../src/index.js";

/** `pool`, counting in `counter.n` every statement the store sends through it or its clients. */
export function countingPool(pool: pg.Pool, counter: { n: number }): pg.Pool {
  return new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === "query") return (...args: Parameters<pg.Pool["query"]>) => (counter.n++, target.query(...args));
      if (prop === "connect") {
        return async () => {
          const client = await target.connect();
          return new Proxy(client, {
            get(c, p, r) {
              if (p === "query") return (...args: Parameters<pg.PoolClient["query"]>) => (counter.n++, c.query(...args));
              const value: unknown = Reflect.get(c, p, r);
              return typeof value === "function" ? value.bind(c) : value;
            },
          });
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** `db`, counting in `counter.n` every statement, and BEGIN and COMMIT around each transaction. */
export function countingPGlite(db: PGliteLike, counter: { n: number }): PGliteLike {
  const wrap = <T extends { query: PGliteLike["query"]; exec: PGliteLike["exec"] }>(target: T) => ({
    query: ((text: string, params?: unknown[]) => (counter.n++, target.query(text, params))) as PGliteLike["query"],
    exec: (text: string) => (counter.n++, target.exec(text)),
  });
  return {
    ...wrap(db),
    // PGlite sends BEGIN and COMMIT around the callback.
    transaction: (fn) => ((counter.n += 2), db.transaction((tx) => fn(wrap(tx)))),
    close: () => db.close(),
    get closed() {
      return db.closed;
    },
  };
}

