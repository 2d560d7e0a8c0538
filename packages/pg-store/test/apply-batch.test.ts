// applyBatch beyond the conformance suite: statements per page, text jsonb cannot hold, repeated
// keys within a page, and a failure inside the transaction leaving nothing behind.
import { canonicalJson, contentHash, PcReferralsError, type ProcessedReferral } from "@pc-referrals/core";
import { makeCompanyUpsert, makeProcessedPage, makeProcessedReferral } from "@pc-referrals/core/testing";
import type { PGlite } from "@electric-sql/pglite";
import { afterEach, describe, expect, it } from "vitest";
import { createPgStore } from "../src/index.js";
import { BACKENDS, useBackend } from "./backends.js";
import { countingPGlite, countingPool } from "./counting.js";

function referrals(count: number, prefix: string): ProcessedReferral[] {
  return Array.from({ length: count }, (_, i) =>
    makeProcessedReferral({ referralId: `${prefix}-${i}`, domain: `d${i % 7}.example`, contentHash: `h-${prefix}-${i}` }),
  );
}

describe.each(BACKENDS)("applyBatch on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename);
  afterEach(() => h.reset());

  const countingStore = (counter: { n: number }) =>
    backend === "pglite"
      ? createPgStore({ schema: h.schema, pglite: countingPGlite(h.pglite as PGlite, counter) })
      : createPgStore({ schema: h.schema, pool: countingPool(h.separateStore().pool, counter) });

  it.each([1, 100, 500])("item 6: writes a page of %i referrals with companies in one statement after readPageContext, two without", async (size) => {
    const counter = { n: 0 };
    const store = countingStore(counter);
    const companies = Array.from({ length: 7 }, (_, i) => makeCompanyUpsert({ domain: `d${i}.example`, normalizedName: `d${i}` }));
    await store.applyBatch(makeProcessedPage(referrals(size, "a"), { companies }));
    // Read the stored rows, then write companies, referrals, sync times and raw leads in one statement.
    const cold = counter.n;
    const next = [...referrals(size, "a").slice(1), ...referrals(1, "b")];
    const context = await store.readPageContext({ referralIds: next.map((r) => r.referralId), domains: ["d0.example"], normalizedNames: [] });
    expect([context.known.size, context.companies.map((c) => c.domain)]).toEqual([size - 1, ["d0.example"]]);
    counter.n = 0;
    const again = await store.applyBatch(makeProcessedPage(next, { companies }));
    expect(again.referrals.filter((r) => r.outcome === "inserted")).toHaveLength(1);
    expect(again.referrals.filter((r) => r.outcome === "unchanged")).toHaveLength(size - 1);
    expect([cold, counter.n]).toEqual([2, 1]);
    await store.close();
  });

  it("item 6: a stored time finer than a millisecond still lets the page be written in one statement", async () => {
    const counter = { n: 0 };
    const store = countingStore(counter);
    const first = makeProcessedReferral({ referralId: "r1", contentHash: "h1", remoteUpdatedAt: "2025-03-04T08:00:00.000Z" });
    await store.applyBatch(makeProcessedPage([first]));
    // Written by other means (SQL), the column may hold microseconds that JavaScript times cannot.
    await h.sql(`UPDATE "${h.schema}".referrals SET remote_updated_at = remote_updated_at + interval '123 microseconds'`);
    await store.readPageContext({ referralIds: ["r1"], domains: [], normalizedNames: [] });
    counter.n = 0;
    const outcome = await store.applyBatch(makeProcessedPage([{ ...first, contentHash: "h2", remoteUpdatedAt: "2025-03-05T08:00:00.000Z" }]));
    expect(outcome.referrals.map((r) => r.outcome)).toEqual(["updated"]);
    expect(counter.n).toBe(1);
    await store.close();
  });

  it("item 6: a row changed after readPageContext (a manual link) makes the page be planned again on its locked rows", async () => {
    const store = h.store();
    const [company] = (await store.applyBatch(makeProcessedPage([], { companies: [makeCompanyUpsert()] }))).companies;
    const first = makeProcessedReferral({ referralId: "r1", contentHash: "h1" });
    await store.applyBatch(makeProcessedPage([first]));
    await store.readPageContext({ referralIds: ["r1"], domains: [], normalizedNames: [] });
    // Between the read and the write, a person links the referral by hand.
    await store.setManualLink({ referralId: "r1", companyId: company?.companyId ?? null });
    const outcome = await store.applyBatch(makeProcessedPage([{ ...first, contentHash: "h2", status: "Active" }]));
    expect(outcome.referrals).toEqual([
      { referralId: "r1", outcome: "updated", previousStatus: first.status, previousSubstatus: first.substatus, linkStatus: "manual_linked", linkedCompanyId: company?.companyId },
    ]);
    expect(await store.getReferral("r1")).toMatchObject({ status: "Active", contentHash: "h2", linkStatus: "manual_linked" });
    expect((await store.listRawLeads({ referralId: "r1" })).map((l) => l.contentHash)).toEqual(["h1", "h2"]);
  });

  it("item 4: writes the page's payloadJson as given and never serializes the payload again", async () => {
    const store = h.store();
    const wire = { id: "spliced", note: "a\u0000b", nested: { b: 2, a: [1, "x"] } };
    let serialized = 0;
    const payload = { ...wire, toJSON: () => (serialized++, wire) };
    const payloadJson = canonicalJson(wire);
    await store.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "spliced", payload, payloadJson, contentHash: contentHash(wire) })]));
    expect(serialized).toBe(0);
    expect((await store.getReferral("spliced"))?.payload).toEqual(wire);
    expect((await store.listRawLeads({ referralId: "spliced" }))[0]?.payload).toEqual(wire);
    const [lead] = await h.sql<{ exact: string | null }>(`SELECT payload_json AS exact FROM "${h.schema}".raw_leads`);
    expect(lead?.exact).toBe(payloadJson);
  });

  it("returns a payload holding U+0000 and lone surrogates exactly, and stores text columns with U+FFFD", async () => {
    const store = h.store();
    const payload = { id: "nul", note: "a\u0000b", [`k\u0000`]: ["\uD800", "x\uDC00y"], ok: "😀" };
    const referral = makeProcessedReferral({ referralId: "nul", customerName: "Bad\u0000Name", payload });
    await store.applyBatch(makeProcessedPage([referral]));
    const stored = await store.getReferral("nul");
    expect(stored?.payload).toEqual(payload);
    expect(stored?.customerName).toBe("Bad\uFFFDName");
    expect((await store.listRawLeads({ referralId: "nul" }))[0]?.payload).toEqual(payload);
    const [row] = await h.sql<{ note: string }>(`SELECT payload->>'note' AS note FROM "${h.schema}".raw_leads`);
    expect(row?.note).toBe("a\uFFFDb");
  });

  it("keeps no exact copy of a payload that only spells out escapes such as \\u0000", async () => {
    const store = h.store();
    const payload = { id: "spelled", note: "\\u0000 and \\ud800 written out", escaped: "\\\\u0000" };
    await store.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "spelled", payload })]));
    expect((await store.getReferral("spelled"))?.payload).toEqual(payload);
    const [lead] = await h.sql<{ note: string; exact: string | null }>(
      `SELECT payload->>'note' AS note, payload_json AS exact FROM "${h.schema}".raw_leads`,
    );
    expect(lead).toEqual({ note: payload.note, exact: null });
  });

  it.each([
    ["referral id", makeProcessedPage([makeProcessedReferral({ referralId: "a\u0000b" })])],
    ["company domain", makeProcessedPage([], { companies: [makeCompanyUpsert({ domain: "a\u0000.example" })] })],
  ])("refuses a page whose %s holds U+0000, writing nothing", async (_label, page) => {
    const store = h.store();
    const error = await store.applyBatch({ ...page, referrals: [makeProcessedReferral({ referralId: "fine" }), ...page.referrals] }).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "invalid_input")).toBe(true);
    expect(await store.getReferral("fine")).toBeNull();
  });

  it("applies a page that repeats a referral and a domain as if its items came one after another", async () => {
    const store = h.store();
    const outcome = await store.applyBatch(
      makeProcessedPage(
        [
          makeProcessedReferral({ referralId: "r1", status: "New" }),
          makeProcessedReferral({ referralId: "r1", status: "Active", contentHash: "hash-2" }),
          makeProcessedReferral({ referralId: "r1", status: "Active", contentHash: "hash-2" }),
        ],
        {
          companies: [
            makeCompanyUpsert({ segment: "A", reasons: ["first"] }),
            makeCompanyUpsert({ name: "Other Name", segment: null, score: 10, reasons: [] }),
          ],
        },
      ),
    );
    expect(outcome.referrals.map((r) => [r.outcome, r.previousStatus])).toEqual([
      ["inserted", null],
      ["updated", "New"],
      ["unchanged", "Active"],
    ]);
    const [first, second] = outcome.companies;
    expect(first?.created).toBe(true);
    expect(second).toEqual({ ...first, created: false });
    const [company] = await store.findCompanies({ domains: ["contoso.com"], normalizedNames: [] });
    expect(company).toMatchObject({ name: "Contoso Ltd", segment: "A", score: 10, reasons: ["first"] });
    expect((await store.getReferral("r1"))?.status).toBe("Active");
    expect((await store.listRawLeads()).map((l) => l.contentHash)).toEqual(["hash-1", "hash-2"]);
  });

  it("item 2: an older copy leaves the stored row's columns, sync run and raw leads as the newer copy wrote them, in the same statement count", async () => {
    const counter = { n: 0 };
    const store = countingStore(counter);
    const newer = makeProcessedReferral({ referralId: "r1", status: "Active", contentHash: "hash-new", remoteUpdatedAt: "2025-03-05T08:00:00.000Z" });
    const older = makeProcessedReferral({ referralId: "r1", status: "New", contentHash: "hash-old", remoteUpdatedAt: "2025-03-04T08:00:00.000Z" });
    await store.applyBatch(makeProcessedPage([newer], { runId: "run-1" }));
    counter.n = 0;
    const outcome = await store.applyBatch(makeProcessedPage([older, { ...older, referralId: "r2" }], { runId: "run-2", syncedAt: "2025-03-06T00:00:00.000Z" }));
    expect(outcome.referrals.map((r) => r.outcome)).toEqual(["stale", "inserted"]);
    // Read the stored row, write: as for any page.
    expect(counter.n).toBe(2);
    const rows = await h.sql<{ status: string; content_hash: string; remote_updated_at: Date | string; last_run_id: string; last_synced_at: Date | string }>(
      `SELECT status, content_hash, remote_updated_at, last_run_id, last_synced_at FROM "${h.schema}".referrals WHERE referral_id = 'r1'`,
    );
    expect(rows.map((r) => ({ ...r, remote_updated_at: new Date(r.remote_updated_at).toISOString(), last_synced_at: new Date(r.last_synced_at).toISOString() }))).toEqual([
      { status: "Active", content_hash: "hash-new", remote_updated_at: "2025-03-05T08:00:00.000Z", last_run_id: "run-2", last_synced_at: "2025-03-06T00:00:00.000Z" },
    ]);
    expect((await store.listRawLeads({ referralId: "r1" })).map((l) => l.contentHash)).toEqual(["hash-new"]);
    await store.close();
  });

  it("fails a page whose write breaks a constraint, keeps nothing of it, and lands it once the cause is gone", async () => {
    const store = h.store();
    await h.sql(`ALTER TABLE "${h.schema}".raw_leads ADD CONSTRAINT test_no_boom CHECK (content_hash <> 'boom')`);
    const page = makeProcessedPage([...referrals(3, "c"), makeProcessedReferral({ referralId: "c-boom", contentHash: "boom" })], {
      companies: [makeCompanyUpsert()],
    });
    const error = await store.applyBatch(page).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "store_error")).toBe(true);
    expect((error as Error).message).toMatch(/applyBatch failed: .*test_no_boom.*\[23514\]\. Nothing of the page was written/);
    const counts = await h.sql<{ r: number; c: number; l: number }>(
      `SELECT (SELECT count(*) FROM "${h.schema}".referrals)::int AS r, (SELECT count(*) FROM "${h.schema}".companies)::int AS c,
              (SELECT count(*) FROM "${h.schema}".raw_leads)::int AS l`,
    );
    expect(counts).toEqual([{ r: 0, c: 0, l: 0 }]);

    await h.sql(`ALTER TABLE "${h.schema}".raw_leads DROP CONSTRAINT test_no_boom`);
    const outcome = await store.applyBatch(page);
    expect(outcome.referrals.map((r) => r.outcome)).toEqual(["inserted", "inserted", "inserted", "inserted"]);
    expect((await store.queryInbox({})).total).toBe(4);
  });

  it("names the missing migration when the schema was never migrated", async () => {
    const store = h.store({ schema: h.schemaNamed("empty") });
    const error = await store.queryInbox({}).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "store_error")).toBe(true);
    expect((error as Error).message).toContain("is not migrated: run store.migrate()");
  });
});
