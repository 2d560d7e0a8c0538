// Issue 12 item 8, where pg_trgm cannot be had: migration 0006 still succeeds without the trigram
// index and search stays the exact LIKE scan; a database that has the index, opened by a PGlite
// without the extension, fails with a ConfigError that says how to open it, and loses nothing.
// On PostgreSQL, in a database of its own: a user who may not create the extension still
// migrates; pg_trgm installed by an administrator in a schema outside the search path is used,
// its operator class qualified, once the user may use that schema (and skipped until then).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PcReferralsError, type ProcessedReferral } from "@pc-referrals/core";
import { makeProcessedPage, makeProcessedReferral } from "@pc-referrals/core/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgStore, type PgStore } from "../src/index.js";
import { inboxPageSql } from "../src/queries/inbox.js";
import { tablesOf } from "../src/schema.js";
import { BACKENDS, databaseUrl } from "./backends.js";

const referrals = (names: string[]): ProcessedReferral[] =>
  names.map((customerName, i) =>
    makeProcessedReferral({ referralId: `f-${i}`, customerName, contentHash: `h-${i}`, remoteUpdatedAt: `2025-03-0${i + 1}T00:00:00.000Z` }),
  );
const NAMES = ["Fabrikam 100% Inc", "fabrikam_north", "Northwind", "Tailspin"];

describe("item 8: inbox search without pg_trgm (PGlite opened without the extension)", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("migrates without the trigram index, reports it, and searches exactly as before (escapes, case, short needles)", async () => {
    const pglite = await PGlite.create();
    try {
      const store = createPgStore({ pglite, schema: "no_trgm" });
      expect((await store.migrate()).map((m) => m.id)).toContain(6);
      expect(await store.searchIndex()).toBe("none");
      await store.applyBatch(makeProcessedPage(referrals(NAMES)));
      const ids = async (q: string) => (await store.queryInbox({ q })).items.map((r) => r.referralId);
      expect(await ids("FABRIKAM")).toEqual(["f-1", "f-0"]);
      expect(await ids("100%")).toEqual(["f-0"]);
      expect(await ids("m_n")).toEqual(["f-1"]);
      expect(await ids("nd")).toEqual(["f-2"]);
      expect((await store.queryInbox({ q: "o" })).total).toBe(4);
      const { text, params } = inboxPageSql(tablesOf("no_trgm"), { q: "fabrikam" });
      const plan = JSON.stringify((await pglite.query(`EXPLAIN (FORMAT JSON) ${text}`, params)).rows);
      expect(plan).not.toContain("referrals_search_trgm_idx");
      await store.close();
    } finally {
      await pglite.close();
    }
  });

  it("refuses with config_invalid, naming pg_trgm, when the database has the index; nothing stored is lost", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pcr-trgm-"));
    dirs.push(dir);
    const withTrgm = await PGlite.create(dir, { extensions: { pg_trgm } });
    const first = createPgStore({ pglite: withTrgm, schema: "s" });
    await first.migrate();
    expect(await first.searchIndex()).toBe("trigram");
    await first.applyBatch(makeProcessedPage(referrals(NAMES)));
    await first.close();
    await withTrgm.close();

    const without = await PGlite.create(dir);
    const store = createPgStore({ pglite: without, schema: "s" });
    const write = await store.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "f-new" })])).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(write, "config_invalid")).toBe(true);
    expect((write as Error).message).toMatch(/createPgStore\.pglite: .*pg_trgm.*extensions: \{ pg_trgm \}/);
    const search = await store.queryInbox({ q: "fabrikam" }).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(search, "config_invalid")).toBe(true);
    await store.close();
    await without.close();

    // The store opening the folder itself loads pg_trgm: everything is still there.
    const reopened = createPgStore({ dataDir: dir, schema: "s" });
    expect((await reopened.queryInbox({ q: "fabrikam" })).items.map((r) => r.referralId)).toEqual(["f-1", "f-0"]);
    expect((await reopened.queryInbox({})).total).toBe(4);
    await reopened.close();
  }, 60_000);
});

// PostgreSQL only (a PGlite has no roles); defined, not skipped, only when that backend runs.
for (const _backend of BACKENDS.filter((b) => b === "postgres")) {
  describe("item 8: the trigram index on PostgreSQL for a user without the right to create pg_trgm", () => {
    const name = `pcr_t_noext_${randomBytes(4).toString("hex")}`;
    const stores: PgStore[] = [];
    let admin: pg.Pool;
    let adminOfDb: pg.Pool;
    let userUrl: string;

    beforeAll(async () => {
      admin = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
      admin.on("error", () => undefined);
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.query(`CREATE ROLE ${name} LOGIN`);
      const url = new URL(databaseUrl());
      url.pathname = `/${name}`;
      adminOfDb = new pg.Pool({ connectionString: url.toString(), max: 1 });
      // DROP DATABASE … WITH (FORCE) ends whatever connection is still idle there.
      adminOfDb.on("error", () => undefined);
      // Not the database's CREATE right (so no CREATE EXTENSION), nor CREATE on public: only schemas of its own.
      await adminOfDb.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
      for (const schema of ["s1", "s2", "s3"]) await adminOfDb.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${name}`);
      url.username = name;
      userUrl = url.toString();
    });

    afterAll(async () => {
      for (const store of stores) await store.close().catch(() => undefined);
      await adminOfDb?.end();
      await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin?.query(`DROP ROLE IF EXISTS ${name}`).catch(() => undefined);
      await admin?.end();
    });

    const storeIn = (schema: string): PgStore => {
      const store = createPgStore({ connectionString: userUrl, schema });
      stores.push(store);
      return store;
    };
    const page = makeProcessedPage([
      makeProcessedReferral({ referralId: "p-1", customerName: "Fabrikam North", contentHash: "h1" }),
      makeProcessedReferral({ referralId: "p-2", customerName: "Northwind", contentHash: "h2", status: "Active" }),
    ]);

    it("migrates without the extension: no index, the same search results, exact totals", async () => {
      const store = storeIn("s1");
      expect((await store.migrate()).map((m) => m.id)).toContain(6);
      expect(await adminOfDb.query(`SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'`)).toMatchObject({ rowCount: 0 });
      expect(await store.searchIndex()).toBe("none");
      await store.applyBatch(page);
      expect((await store.queryInbox({ q: "NORTH" })).items.map((r) => r.referralId)).toEqual(["p-1", "p-2"]);
      expect((await store.queryInbox({ status: "active" })).total).toBe(1);
      expect((await store.queryInbox({})).total).toBe(2);
    });

    it("uses pg_trgm from a schema outside the search path, qualified, once the user may use it", async () => {
      await adminOfDb.query(`CREATE SCHEMA ext`);
      await adminOfDb.query(`CREATE EXTENSION pg_trgm SCHEMA ext`);

      const denied = storeIn("s2");
      expect((await denied.migrate()).map((m) => m.id)).toContain(6);
      expect(await denied.searchIndex()).toBe("none");

      await adminOfDb.query(`GRANT USAGE ON SCHEMA ext TO ${name}`);
      const store = storeIn("s3");
      await store.migrate();
      expect(await store.searchIndex()).toBe("trigram");
      const { rows } = await adminOfDb.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = 's3' AND indexname = 'referrals_search_trgm_idx'`,
      );
      expect(rows[0]?.indexdef).toContain("ext.gin_trgm_ops");
      await store.applyBatch(page);
      expect((await store.queryInbox({ q: "north" })).items.map((r) => r.referralId)).toEqual(["p-1", "p-2"]);
      expect((await store.queryInbox({ q: "wind" })).total).toBe(1);
    });
  });
}
