// Issue 12 item 8, where pg_trgm cannot be had: migration 0006 still succeeds without the trigram
// index and search stays the exact LIKE scan; a database that has the index, opened by a PGlite
// without the extension, fails with a ConfigError that says how to open it, and loses nothing.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PcReferralsError, type ProcessedReferral } from "@pc-referrals/core";
import { makeProcessedPage, makeProcessedReferral } from "@pc-referrals/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createPgStore } from "../src/index.js";
import { inboxPageSql } from "../src/queries/inbox.js";
import { tablesOf } from "../src/schema.js";

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
