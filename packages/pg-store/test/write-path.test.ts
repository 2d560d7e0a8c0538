// Issue 12 items 3, 4 and 6 on pg-store, with the engine from core against the fake Partner Center:
// statements per written page (every query the pool or PGlite receives, BEGIN/COMMIT included),
// one payload copy per (referral, content hash), and a lost lease still stopping the run.
import { createPartnerCenterClient, createStaticTokenProvider, createSyncEngine, type SyncEngine } from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter, type FakePartnerCenter } from "@pc-referrals/core/testing";
import type { PGlite } from "@electric-sql/pglite";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createPgStore, type PgStore } from "../src/index.js";
import { BACKENDS, useBackend } from "./backends.js";
import { countingPGlite, countingPool } from "./counting.js";

const PAGE_SIZE = 20;
const REFERRALS = generateReferrals(100, { seed: 12 });

describe.each(BACKENDS)("write path on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename);
  let fake: FakePartnerCenter;
  const clients: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    fake = await startFakePartnerCenter({ referrals: REFERRALS });
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    await fake.stop();
  });
  afterEach(async () => {
    await h.closeStores();
    await h.reset();
  });

  const countingStore = (counter: { n: number }): PgStore =>
    backend === "pglite"
      ? createPgStore({ schema: h.schema, pglite: countingPGlite(h.pglite as PGlite, counter) })
      : createPgStore({ schema: h.schema, pool: countingPool(h.separateStore().pool, counter) });

  const engineOn = (store: PgStore): SyncEngine => {
    const client = createPartnerCenterClient({ tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()), baseUrl: fake.url });
    clients.push(client);
    return createSyncEngine({ client, store, enabled: true, pageSize: PAGE_SIZE });
  };

  /** Statements sent from each page.fetched to the next: every page but the last (whose interval holds the run's end). */
  async function statementsPerPage(full: boolean): Promise<{ perPage: number[]; written: number }> {
    const counter = { n: 0 };
    const store = countingStore(counter);
    const engine = engineOn(store);
    const marks: number[] = [];
    engine.on("page.fetched", () => marks.push(counter.n));
    const report = await engine.run({ trigger: "manual", full });
    await store.close();
    return { perPage: marks.slice(1).map((n, i) => n - (marks[i] as number)), written: report.counts.ingested + report.counts.updated };
  }

  it("item 6: a sync of several pages sends at most 3 statements per written page", async () => {
    const { perPage, written } = await statementsPerPage(false);
    expect(written).toBeGreaterThan(2 * PAGE_SIZE);
    expect(perPage.length).toBeGreaterThanOrEqual(3);
    for (const n of perPage) expect(n).toBeLessThanOrEqual(3);
  });

  it("item 6: a full run over stored, unchanged referrals also sends at most 3 statements per page", async () => {
    await statementsPerPage(false);
    const { perPage } = await statementsPerPage(true);
    expect(perPage.length).toBeGreaterThanOrEqual(3);
    for (const n of perPage) expect(n).toBeLessThanOrEqual(3);
  });

  it("item 3: stores one payload copy per (referral, content hash), and every read returns it", async () => {
    const store = h.store();
    const report = await engineOn(store).run({ trigger: "manual" });
    const written = report.counts.ingested;
    expect(written).toBeGreaterThan(0);

    const payloadColumns = await h.sql<{ c: string }>(
      `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
       WHERE table_schema = $1 AND column_name IN ('payload', 'payload_json') ORDER BY 1`,
      [h.schema],
    );
    expect(payloadColumns.map((r) => r.c)).toEqual(["raw_leads.payload", "raw_leads.payload_json"]);
    const [copies] = await h.sql<{ referrals: number; leads: number; versions: number; pointing: number }>(
      `SELECT (SELECT count(*) FROM "${h.schema}".referrals)::int AS referrals,
              (SELECT count(*) FROM "${h.schema}".raw_leads)::int AS leads,
              (SELECT count(DISTINCT (referral_id, content_hash)) FROM "${h.schema}".raw_leads)::int AS versions,
              (SELECT count(*) FROM "${h.schema}".referrals r JOIN "${h.schema}".raw_leads l
                 ON l.referral_id = r.referral_id AND l.content_hash = r.content_hash)::int AS pointing`,
    );
    expect(copies).toEqual({ referrals: written, leads: written, versions: written, pointing: written });

    const stored = (await store.queryInbox({ pageSize: 500 })).items;
    for (const row of stored.slice(0, 10)) {
      const referral = await store.getReferral(row.referralId);
      const wire = REFERRALS.find((r) => (r as { id: string }).id === row.referralId);
      expect(referral?.payload).toEqual(wire);
      expect((await store.listRawLeads({ referralId: row.referralId })).map((l) => l.payload)).toEqual([wire]);
    }
  });

  it("item 6: a lease another run took over stops the run at the next page, keeping the pages written", async () => {
    const store = h.store();
    const engine = engineOn(store);
    let pages = 0;
    engine.on("page.fetched", () => {
      // After the first page is written (its lease renewed in the write), another run takes the
      // lease over, as one would after this run stalled past its lease.
      if (++pages === 2) void h.sql(`UPDATE "${h.schema}".run_lock SET owner = 'another-run', token = gen_random_uuid()`);
    });
    const report = await engine.run({ trigger: "manual" });
    expect(report.status).toBe("failed");
    expect(report.errors.map((e) => e.code)).toContain("sync_in_progress");
    expect(report.counts.pages).toBe(2);
    const [row] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${h.schema}".referrals`);
    expect(row?.n).toBeGreaterThan(0);
    expect(row?.n).toBeLessThan(REFERRALS.length);
  });
});
