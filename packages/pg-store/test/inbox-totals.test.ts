// Issue 12 item 8: the inbox totals come from referral_counts (kept by triggers in the writing
// transaction) and must equal the true count after every kind of write through the store;
// migration 0006 goes up on a populated database, down and up again without losing anything.
import { PcReferralsError, type InboxQuery, type ProcessedReferral } from "@pc-referrals/core";
import { makeCompanyUpsert, makeProcessedPage, makeProcessedReferral } from "@pc-referrals/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../src/index.js";
import { migrate } from "../src/migrate.js";
import { BACKENDS, useBackend } from "./backends.js";

const TYPES = ["co-sell", "marketplace", "solution-provider"] as const;
const STATUSES = ["New", "ACTIVE", "active", null, "Closed", ""];
const LINKS = ["auto_linked", "multi_candidate", "unlinked"] as const;

function referral(i: number, overrides: Partial<ProcessedReferral> = {}): ProcessedReferral {
  return makeProcessedReferral({
    referralId: `t-${String(i).padStart(4, "0")}`,
    referralType: TYPES[i % 3] ?? "co-sell",
    status: STATUSES[i % STATUSES.length] ?? null,
    link: { status: LINKS[Math.floor(i / 3) % 3] ?? "unlinked", companyId: null, candidateIds: [] },
    customerName: `Customer ${i}`,
    domain: `d${i % 11}.example`,
    contentHash: `h-${i}`,
    remoteUpdatedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
    ...overrides,
  });
}

// Every combination of the filters the inbox offers, with and without a search.
const QUERIES: InboxQuery[] = [
  {},
  ...TYPES.map((referralType) => ({ referralType })),
  { status: "active" },
  { status: "NEW" },
  { status: "closed" },
  { status: "nothing" },
  { status: "a\u0000b" },
  ...[...LINKS, "manual_linked", "manual_unlinked"].map((linkStatus) => ({ linkStatus }) as InboxQuery),
  { referralType: "co-sell", status: "active" },
  { referralType: "marketplace", status: "new", linkStatus: "unlinked" },
  { referralType: "solution-provider", linkStatus: "manual_linked" },
  { q: "customer 1" },
  { q: "d3.ex", status: "active" },
  { q: "t-00", referralType: "co-sell", linkStatus: "auto_linked" },
];

describe.each(BACKENDS)("inbox totals on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename);
  afterEach(() => h.reset());

  // The true count, by the rules of the Store contract, straight from the referrals table.
  const trueTotal = async (query: InboxQuery): Promise<number> => {
    const rows = await h.sql<{ referral_id: string; referral_type: string; status: string | null; link_status: string; search_text: string }>(
      `SELECT referral_id, referral_type, status, link_status, search_text FROM "${h.schema}".referrals`,
    );
    const q = query.q?.toLowerCase() ?? null;
    return rows.filter(
      (r) =>
        (query.referralType === undefined || r.referral_type === query.referralType) &&
        (query.linkStatus === undefined || r.link_status === query.linkStatus) &&
        (query.status === undefined || r.status?.toLowerCase() === query.status.toLowerCase()) &&
        (q === null || r.search_text.includes(q)),
    ).length;
  };

  const expectExactTotals = async (): Promise<void> => {
    const store = h.store();
    for (const query of QUERIES) {
      expect({ query, total: (await store.queryInbox(query)).total }).toEqual({ query, total: await trueTotal(query) });
    }
  };

  it("item 8: totals equal the true count after inserts, updates, stale copies, manual links and a failed page", async () => {
    const store = h.store();
    await store.applyBatch(makeProcessedPage(Array.from({ length: 60 }, (_, i) => referral(i))));
    await expectExactTotals();

    // A second page: new referrals, content changes that move type, status and link status, an
    // unchanged copy (only lastSyncedAt moves) and a stale copy that must not count its new status.
    await store.applyBatch(
      makeProcessedPage(
        [
          ...Array.from({ length: 20 }, (_, i) => referral(60 + i)),
          ...Array.from({ length: 15 }, (_, i) =>
            referral(i, {
              referralType: TYPES[(i + 1) % 3] ?? "co-sell",
              status: STATUSES[(i + 2) % STATUSES.length] ?? null,
              link: { status: "multi_candidate", companyId: null, candidateIds: [] },
              contentHash: `h-${i}-v2`,
              remoteUpdatedAt: new Date(Date.UTC(2025, 6, 1) + i * 60_000).toISOString(),
            }),
          ),
          referral(30),
          referral(31, { status: "Closed", contentHash: "h-31-old", remoteUpdatedAt: "2024-01-01T00:00:00.000Z" }),
        ],
        { runId: "run-2", syncedAt: "2025-03-05T10:00:00.000Z" },
      ),
    );
    await expectExactTotals();

    await store.setManualLink({ referralId: "t-0040", companyId: null });
    await store.applyBatch(makeProcessedPage([], { companies: [makeCompanyUpsert({ domain: "d1.example" })] }));
    const [company] = await store.findCompanies({ domains: ["d1.example"], normalizedNames: [] });
    await store.setManualLink({ referralId: "t-0041", companyId: company?.id ?? "" });
    await store.setManualLink({ referralId: "t-0041", companyId: null });
    await store.setManualLink({ referralId: "t-0042", companyId: company?.id ?? "" });
    // A later sync keeps the manual links, and changes the status of one of them.
    await store.applyBatch(makeProcessedPage([referral(42, { status: "Won", contentHash: "h-42-v2", remoteUpdatedAt: "2026-01-01T00:00:00.000Z" })]));
    await expectExactTotals();

    // A page that fails inside its transaction changes no total.
    await h.sql(`ALTER TABLE "${h.schema}".raw_leads ADD CONSTRAINT test_no_boom CHECK (content_hash <> 'boom')`);
    const failing = makeProcessedPage([referral(200), referral(1, { status: "Lost", contentHash: "boom", remoteUpdatedAt: "2027-01-01T00:00:00.000Z" })]);
    expect(PcReferralsError.hasCode(await store.applyBatch(failing).catch((e: unknown) => e), "store_error")).toBe(true);
    await h.sql(`ALTER TABLE "${h.schema}".raw_leads DROP CONSTRAINT test_no_boom`);
    await expectExactTotals();
    expect((await store.queryInbox({})).total).toBe(80);
  });

  it("item 8: referral_counts holds one row per filter group in use, equal to a fresh count, and empties with the table", async () => {
    const store = h.store();
    await store.applyBatch(makeProcessedPage(Array.from({ length: 30 }, (_, i) => referral(i))));
    await store.applyBatch(makeProcessedPage(Array.from({ length: 10 }, (_, i) => referral(i, { status: "Closed", contentHash: `v2-${i}`, remoteUpdatedAt: "2026-01-01T00:00:00.000Z" }))));
    const s = `"${h.schema}"`;
    const groups = (sql: string) => h.sql<{ g: string; n: number }>(`SELECT g, n::int AS n FROM (${sql}) x ORDER BY g`);
    const kept = await groups(`SELECT concat_ws('|', referral_type, status_key, link_status) AS g, n FROM ${s}.referral_counts`);
    const fresh = await groups(
      `SELECT concat_ws('|', referral_type, coalesce(status_key, ''), link_status) AS g, count(*) AS n FROM ${s}.referrals GROUP BY 1`,
    );
    expect(kept).toEqual(fresh);
    expect(kept.every((row) => row.n > 0)).toBe(true);

    await h.reset();
    expect(await h.sql(`SELECT * FROM ${s}.referral_counts`)).toEqual([]);
    expect((await store.queryInbox({})).total).toBe(0);
  });

  it("item 8: migration 0006 goes up on a populated database, down and up again, and nothing is lost", async () => {
    const schema = h.schemaNamed("m0006");
    // The store's code writes the newest schema: populate there, then take 0006 and every later
    // migration down, so 0006 goes up on a populated database.
    const since6 = MIGRATIONS.filter((m) => m.id >= 6).map(({ id, name }) => ({ id, name }));
    const store = h.store({ schema });
    await store.migrate();
    await store.applyBatch(makeProcessedPage(Array.from({ length: 40 }, (_, i) => referral(i))));
    await store.setManualLink({ referralId: "t-0003", companyId: null });
    expect(await store.rollback(since6.length)).toEqual([...since6].reverse());
    const inbox = async () => {
      const page = await store.queryInbox({ pageSize: 500 });
      return { total: page.total, ids: page.items.map((r) => `${r.referralId}:${r.status}:${r.linkStatus}`) };
    };
    const stored = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".referrals`);
    expect(stored).toEqual([{ n: 40 }]);

    expect(await store.migrate()).toEqual(since6);
    const up = await inbox();
    expect(up.total).toBe(40);
    for (const query of QUERIES.filter((q) => q.q === undefined)) {
      const total = (await store.queryInbox(query)).total;
      const truth = (await store.queryInbox({ ...query, q: "t-" })).total; // counted over the rows, not referral_counts
      expect({ query, total }).toEqual({ query, total: truth });
    }
    expect(await store.searchIndex()).toBe("trigram");

    expect(await store.rollback(since6.length)).toEqual([...since6].reverse());
    expect(await h.sql(`SELECT to_regclass('"${schema}".referral_counts') AS t, to_regclass('"${schema}".referrals_search_trgm_idx') AS i`)).toEqual([
      { t: null, i: null },
    ]);
    expect(await h.sql(`SELECT count(*)::int AS n FROM "${schema}".referrals`)).toEqual(stored);
    // The extension stays for whatever else uses it.
    expect(await h.sql(`SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'`)).toEqual([{ extname: "pg_trgm" }]);
    // Written while 0006 is down (in SQL: the store writes the newest schema): counted when it goes up again.
    await h.sql(
      `WITH lead AS (INSERT INTO "${schema}".raw_leads (referral_id, run_id, payload, content_hash) VALUES ('t-0100', 'run-down', '{"id":"t-0100"}', 'h-100'))
       INSERT INTO "${schema}".referrals (referral_id, referral_type, type_evidence, status, status_key, customer_name, domain, link_status,
         content_hash, remote_updated_at, first_seen_at, last_synced_at, last_run_id, search_text)
       VALUES ('t-0100', $1, 'test', 'Closed', 'closed', 'Customer 100', 'd1.example', 'auto_linked', 'h-100', $2, now(), now(), 'run-down',
         E'customer 100\\nd1.example\\nt-0100')`,
      [referral(100).referralType, referral(100).remoteUpdatedAt],
    );

    expect(await store.migrate()).toEqual(since6);
    expect(await inbox()).toEqual({ total: 41, ids: ["t-0100:Closed:auto_linked", ...up.ids] });
    expect((await store.queryInbox({ q: "customer 100" })).items.map((r) => r.referralId)).toEqual(["t-0100"]);
    expect(await store.searchIndex()).toBe("trigram");
  });
});
