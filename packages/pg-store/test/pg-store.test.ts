// createPgStore itself: options, the embedded default, lifecycle and connection failures.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, PcReferralsError } from "@pc-referrals/core";
import { makeProcessedPage, makeProcessedReferral } from "@pc-referrals/core/testing";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createPgStore, MIGRATIONS, type PgStoreOptions } from "../src/index.js";

describe("createPgStore", () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), "pcr-pgstore-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it.each<[string, PgStoreOptions, string]>([
    ["a pool and a connection string", { connectionString: "postgres://x@127.0.0.1/db", pool: new pg.Pool() }, "createPgStore.pool"],
    ["an empty connection string", { connectionString: "" }, "createPgStore.connectionString"],
    ["something that is not a pool", { pool: {} as pg.Pool }, "createPgStore.pool"],
    ["an empty data folder", { dataDir: "" }, "createPgStore.dataDir"],
    ["a pool of one connection (the run lock keeps one)", { pool: new pg.Pool({ max: 1 }) }, "createPgStore.pool"],
    ["a schema that is not a plain identifier", { schema: 'x"; DROP SCHEMA public; --' }, "createPgStore.schema"],
  ])("rejects %s with a ConfigError naming the option", (_label, options, path) => {
    const error = (() => {
      try {
        createPgStore(options);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toContain(path);
  });

  it("runs on PostgreSQL when given a connection string or a pool, and on PGlite otherwise", async () => {
    const pool = new pg.Pool();
    expect(createPgStore({ connectionString: "postgres://x@127.0.0.1/db" }).kind).toBe("pg");
    expect(createPgStore({ pool }).kind).toBe("pg");
    expect(createPgStore({ dataDir: "memory://" }).kind).toBe("pglite");
    await pool.end();
  });

  it("opens nothing until used, so closing an unused store creates no files", async () => {
    const dataDir = join(await tempDir(), "never");
    const store = createPgStore({ dataDir });
    await store.close();
    expect(existsSync(dataDir)).toBe(false);
    await expect(store.queryInbox({})).rejects.toThrow("closed");
  });

  it("persists the embedded database in dataDir across restarts, migrating on first use with autoMigrate", async () => {
    const dataDir = join(await tempDir(), "pgdata");
    const first = createPgStore({ dataDir, autoMigrate: true });
    await first.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "kept" })]));
    await first.close();

    const second = createPgStore({ dataDir });
    expect((await second.status()).map((m) => m.state)).toEqual(MIGRATIONS.map(() => "applied"));
    expect((await second.getReferral("kept"))?.referralId).toBe("kept");
    await second.close();
  });

  it("surfaces an unreachable server as a store_error without the password", async () => {
    const store = createPgStore({ connectionString: "postgres://someone:s3cret@127.0.0.1:1/nowhere" });
    const error = await store.queryInbox({}).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "store_error")).toBe(true);
    expect((error as Error).message).toMatch(/queryInbox failed: .*ECONNREFUSED/);
    expect((error as Error).message).not.toContain("s3cret");
    await store.close();
  });
});
