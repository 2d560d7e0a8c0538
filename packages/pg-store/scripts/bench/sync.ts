// End-to-end sync on pg-store (`sync.ts pg|pglite <count>`): the same harness as core's memory-store
// bench, so the figures compare; adds database statements per page (driver-side count, BEGIN and
// COMMIT included) to show the cost of "one transaction a page", and a retained heap that should stay flat.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { benchSync } from "../../../core/scripts/bench/sync-harness.js";
import { report } from "../../../core/scripts/bench/kit.js";
import { createPgStore, type PGliteLike, type PGliteTransactionLike } from "../../src/index.js";
import { benchDatabaseUrl } from "./database-url.js";

/** A scratch schema, dropped before and after. */
const BENCH_SCHEMA = "pcr_bench";

let statements = 0;
const counted = () => statements;

// The store has no query counter, so count at the driver: every client.query of the pool.
async function benchPostgres(count: number) {
  const pool = new pg.Pool({ connectionString: benchDatabaseUrl(), max: 4 });
  pool.on("connect", (client) => {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
      statements += 1;
      return original(...args);
    };
  });
  const drop = () => pool.query(`DROP SCHEMA IF EXISTS "${BENCH_SCHEMA}" CASCADE`);
  const store = createPgStore({ pool, schema: BENCH_SCHEMA });
  try {
    await drop();
    await store.migrate();
    return await benchSync({ bench: "sync pg", count, store, statements: counted });
  } finally {
    await store.close();
    await drop();
    await pool.end();
  }
}

function countingPGlite(db: PGliteLike): PGliteLike {
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
  return {
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
}

// Opened here rather than through `dataDir` only to count statements; a fresh folder each time.
async function benchPGlite(count: number) {
  const dataDir = await mkdtemp(join(tmpdir(), "pcr-bench-pglite-"));
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create(dataDir);
  const store = createPgStore({ pglite: countingPGlite(db), schema: BENCH_SCHEMA });
  try {
    await store.migrate();
    return await benchSync({ bench: "sync pglite", count, store, statements: counted });
  } finally {
    await store.close();
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const [backend, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 2_000);
if ((backend !== "pg" && backend !== "pglite") || !Number.isInteger(count) || count < 1) {
  throw new Error("usage: sync.ts pg|pglite <count>");
}
await report(await (backend === "pg" ? benchPostgres(count) : benchPGlite(count)));
