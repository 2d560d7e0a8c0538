// createPgStore itself: options, the embedded default, lifecycle and connection failures.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, PcReferralsError } from "@pc-referrals/core";
import { makeProcessedPage, makeProcessedReferral } from "@pc-referrals/core/testing";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createPgStore, createPgTokenCache, MIGRATIONS, type PgStoreOptions } from "../src/index.js";

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

  describe("item 11: option typos and wrong types are refused", () => {
    const issuesOf = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        expect(PcReferralsError.hasCode(error, "config_invalid")).toBe(true);
        return (error as ConfigError).issues;
      }
      return expect.fail("expected a ConfigError");
    };
    const UNKNOWN = "unknown option: check the spelling against the documented options";

    it("refuses a misspelt connectionString instead of falling back to PGlite", () => {
      expect(issuesOf(() => createPgStore({ connectString: "postgres://x@127.0.0.1/db" } as never))).toEqual([
        { path: "createPgStore.connectString", message: UNKNOWN },
      ]);
    });

    it.each<[string, unknown]>([
      ["connectionString", 5432],
      ["pool", "postgres://x@127.0.0.1/db"],
      ["pglite", {}],
      ["dataDir", ["./data"]],
      ["schema", 5],
      ["autoMigrate", "yes"],
    ])("refuses %s of the wrong type (%j)", (key, value) => {
      expect(issuesOf(() => createPgStore({ [key]: value } as never)).map((i) => i.path)).toEqual([`createPgStore.${key}`]);
    });

    it("lists every unknown key and every wrong type in one ConfigError", () => {
      const issues = issuesOf(() => createPgStore({ connectString: "x", automigrate: true, autoMigrate: "yes", schema: 1 } as never));
      expect(issues.map((i) => i.path).sort()).toEqual([
        "createPgStore.autoMigrate",
        "createPgStore.automigrate",
        "createPgStore.connectString",
        "createPgStore.schema",
      ]);
      expect(issues.filter((i) => i.message === UNKNOWN).map((i) => i.path).sort()).toEqual([
        "createPgStore.automigrate",
        "createPgStore.connectString",
      ]);
    });

    it.each([null, "postgres://x@127.0.0.1/db"])("refuses %j as the options object", (options) => {
      expect(issuesOf(() => createPgStore(options as never)).map((i) => i.path)).toEqual(["createPgStore"]);
    });

    it.each([null, {}, { tokenCache: "no" }])("createPgTokenCache refuses %j as the store", (store) => {
      expect(issuesOf(() => createPgTokenCache(store as never)).map((i) => i.path)).toEqual(["createPgTokenCache.store"]);
    });

    it("createPgTokenCache refuses a key of the wrong type", async () => {
      const store = createPgStore({ dataDir: "memory://" });
      expect(issuesOf(() => createPgTokenCache(store, 7 as never)).map((i) => i.path)).toEqual(["createPgTokenCache.key"]);
      await store.close();
    });
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
