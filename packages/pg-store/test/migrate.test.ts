import { ConfigError, InvalidInputError, PcReferralsError } from "@pc-referrals/core";
import { makeCompanyUpsert, makeProcessedPage, makeProcessedReferral } from "@pc-referrals/core/testing";
import { describe, expect, it } from "vitest";
import { createPgStore, MIGRATIONS, type Migration } from "../src/index.js";
import type { Db, DbSession, Queryable } from "../src/db.js";
import { migrate, migrationStatus, rollback } from "../src/migrate.js";
import { BACKENDS, itPostgresOnly, useBackend } from "./backends.js";

const TABLES = [
  "referrals",
  "raw_leads",
  "companies",
  "domain_scans",
  "sync_runs",
  "sync_cursor",
  "run_lock",
  "token_cache",
  "referral_failures",
  "referral_counts",
  "referral_actions",
  "expiry_announcements",
  "tenants",
];
/** Every migration of the package, as migrate() and rollback() report them. */
const ALL = MIGRATIONS.map(({ id, name }) => ({ id, name }));
const states = (state: string, extra: string[] = []) => [...MIGRATIONS.map(() => state), ...extra];

// One above the newest id, which need not be the count: ids may skip numbers.
const NEXT = (MIGRATIONS.at(-1)?.id ?? 0) + 1;
const label = (name: string) => `${String(NEXT).padStart(4, "0")}-${name}`;

const second: Migration = {
  id: NEXT,
  name: "add-notes",
  up: "ALTER TABLE referrals ADD COLUMN notes text;",
  down: "ALTER TABLE referrals DROP COLUMN notes;",
};

/** `db` with every statement it is sent (through itself, a session or a transaction) pushed to `sent`. */
function recordingDb(db: Db, sent: string[]): Db {
  const record = <T extends Queryable>(target: T): Queryable => ({
    query: (text, params) => (sent.push(text), target.query(text, params)),
    exec: (sql) => (sent.push(sql), target.exec(sql)),
  });
  const session = (inner: DbSession): DbSession => ({
    ...record(inner),
    transaction: (fn) => inner.transaction((tx) => fn(record(tx))),
    get lost() {
      return inner.lost;
    },
    release: (destroy) => inner.release(destroy),
  });
  return {
    ...record(db),
    kind: db.kind,
    handle: db.handle,
    transaction: (fn) => db.transaction((tx) => fn(record(tx))),
    session: async () => session(await db.session()),
    close: () => db.close(),
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "resolved",
    (error: unknown) => (PcReferralsError.is(error) ? error.code : `not a library error: ${String(error)}`),
  );
}

describe.each(BACKENDS)("migrations on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename, { migrate: false });

  const existingTables = async (schema: string): Promise<string[]> => {
    const rows = await h.sql<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name <> 'pcr_migrations' ORDER BY 1`,
      [schema],
    );
    return rows.map((r) => r.name);
  };

  it("goes up, down and up again, keeping a checksummed history", async () => {
    const schema = h.schemaNamed("updown");
    const store = h.store({ schema });
    expect((await store.status()).map((s) => s.state)).toEqual(states("pending"));

    expect(await store.migrate()).toEqual(ALL);
    expect(await existingTables(schema)).toEqual([...TABLES].sort());
    const [entry] = await store.status();
    expect(entry).toMatchObject({ id: 1, name: "init", state: "applied" });
    expect(Number.isNaN(Date.parse(entry?.appliedAt ?? ""))).toBe(false);
    expect(await store.migrate()).toEqual([]);

    expect(await store.rollback(MIGRATIONS.length)).toEqual([...ALL].reverse());
    expect(await existingTables(schema)).toEqual([]);
    expect((await store.status()).map((s) => s.state)).toEqual(states("pending"));
    expect(await store.rollback()).toEqual([]);

    expect(await store.migrate()).toEqual(ALL);
    await store.advanceCursor("default", { updatedAt: "2025-01-02T03:04:05.000Z" });
    expect(await store.getCursor("default")).toEqual({ updatedAt: "2025-01-02T03:04:05.000Z" });
  });

  it("item 5: migrate() on a current schema is one read, without the lock or any DDL (every CLI command starts with it)", async () => {
    const schema = h.schemaNamed("current");
    await migrate({ db: h.db(), schema });
    const sent: string[] = [];
    expect(await migrate({ db: recordingDb(h.db(), sent), schema })).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^SELECT id, name, checksum, applied_at FROM /);

    // A pending migration still goes the locked way and is applied.
    sent.length = 0;
    expect(await migrate({ db: recordingDb(h.db(), sent), schema, migrations: [...MIGRATIONS, second] })).toEqual([{ id: NEXT, name: "add-notes" }]);
    expect(sent.some((text) => text.includes("pg_advisory_lock"))).toBe(true);
    // An edited one is refused as before, not taken for current.
    const edited: Migration = { ...second, up: "ALTER TABLE referrals ADD COLUMN notes varchar(10);" };
    expect(await codeOf(migrate({ db: h.db(), schema, migrations: [...MIGRATIONS, edited] }))).toBe("migration_invalid");
  });

  it("applies and rolls back several steps in order", async () => {
    const target = { db: h.db(), schema: h.schemaNamed("steps") };
    const list = [...MIGRATIONS, second];
    expect(await migrate({ ...target, migrations: list })).toEqual([...ALL, { id: NEXT, name: "add-notes" }]);
    expect(await rollback({ ...target, migrations: list }, NEXT + 2)).toEqual([{ id: NEXT, name: "add-notes" }, ...[...ALL].reverse()]);
  });

  it("refuses to run when an applied migration was edited", async () => {
    const schema = h.schemaNamed("edited");
    const target = { db: h.db(), schema };
    await migrate({ ...target, migrations: [...MIGRATIONS, second] });
    const edited: Migration = { ...second, up: "ALTER TABLE referrals ADD COLUMN notes varchar(200);" };
    const list = [...MIGRATIONS, edited];

    const error = await migrate({ ...target, migrations: list }).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "migration_invalid")).toBe(true);
    expect((error as Error).message).toContain(`${label("add-notes")} was changed after it was applied`);
    expect(await codeOf(rollback({ ...target, migrations: list }))).toBe("migration_invalid");
    expect((await migrationStatus({ ...target, migrations: list })).map((s) => s.state)).toEqual([...states("applied"), "edited"]);
  });

  it("refuses a history that has migrations this version does not know", async () => {
    const schema = h.schemaNamed("newer");
    const target = { db: h.db(), schema };
    await migrate({ ...target, migrations: [...MIGRATIONS, second] });
    expect(await codeOf(migrate(target))).toBe("migration_invalid");
    expect((await migrationStatus(target)).map((s) => s.state)).toEqual([...states("applied"), "unknown"]);
  });

  it("rolls back a migration that fails and records nothing of it", async () => {
    const schema = h.schemaNamed("broken");
    const target = { db: h.db(), schema };
    const broken: Migration = { id: NEXT, name: "broken", up: "CREATE TABLE half (id int); SELECT no_such_function();", down: "" };
    const error = await migrate({ ...target, migrations: [...MIGRATIONS, broken] }).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "migration_invalid")).toBe(true);
    expect((error as Error).message).toContain(`${label("broken")} (up) failed and was rolled back`);
    expect((await migrationStatus({ ...target, migrations: [...MIGRATIONS, broken] })).map((s) => s.state)).toEqual([
      ...states("applied"),
      "pending",
    ]);
    expect(await h.sql(`SELECT to_regclass('"${schema}".half') AS t`)).toEqual([{ t: null }]);
  });

  it("reads a run recorded before newer counts existed with every count key present", async () => {
    const schema = h.schemaNamed("oldcounts");
    const store = h.store({ schema });
    await store.migrate();
    // The counts a version before `spam`, `stale`, `futureDated`, `quarantined` and `missedByIncremental` wrote.
    const old = { pages: 1, fetched: 3, ingested: 2, updated: 0, unchanged: 0, failed: 0, domainScansRequested: 0,
      skipped: { direction: 1, status: 0, substatus: 0, no_domain: 0, invalid_payload: 0 } };
    await h.sql(
      `INSERT INTO "${schema}".sync_runs (run_id, trigger, full_sync, status, started_at, finished_at, counts, errors)
       VALUES ('old-run', 'manual', false, 'succeeded', '2025-01-01T00:00:00Z', '2025-01-01T00:00:01Z', $1::jsonb, '[]'::jsonb)`,
      [JSON.stringify(old)],
    );
    const [run] = await store.listRuns();
    expect(run?.counts).toEqual({ ...old, futureDated: 0, stale: 0, quarantined: 0, missedByIncremental: null,
      skipped: { ...old.skipped, spam: 0 } });
    expect(run?.warnings).toEqual([]);
  });

  it("lead-list filter: migration ids may skip numbers, but one slotted below an applied id is refused", async () => {
    const target = { db: h.db(), schema: h.schemaNamed("gaps") };
    const [init] = MIGRATIONS;
    const later: Migration = { id: 9, name: "later", up: "CREATE TABLE later (id int);", down: "DROP TABLE later;" };
    const between: Migration = { id: 8, name: "between", up: "CREATE TABLE between_ (id int);", down: "DROP TABLE between_;" };
    expect(await migrate({ ...target, migrations: [init as Migration, later] })).toEqual([
      { id: 1, name: "init" },
      { id: 9, name: "later" },
    ]);
    expect(await codeOf(migrate({ ...target, migrations: [init as Migration, between, later] }))).toBe("migration_invalid");
    expect(await codeOf(migrate({ ...target, migrations: [init as Migration, later, between] }))).toBe("migration_invalid");
    expect(await codeOf(migrate({ ...target, migrations: [init as Migration, later, later] }))).toBe("migration_invalid");
    expect(await rollback({ ...target, migrations: [init as Migration, later] }, 2)).toEqual([
      { id: 9, name: "later" },
      { id: 1, name: "init" },
    ]);
  });

  it("item 13: migration 0003 adds referral_failures, keeps it across a run, and its rollback drops only that table", async () => {
    const schema = h.schemaNamed("failures");
    const store = h.store({ schema });
    await store.migrate();
    expect(MIGRATIONS.find((m) => m.id === 3)?.name).toBe("referral-failures");
    const failed = { referralId: "r-bad", contentHash: "h", updatedAt: null, error: { code: "internal", message: "boom" } };
    await store.recordReferralFailures({ scope: "default", runId: "run-1", quarantineAfter: 1, at: "2025-05-01T00:00:00.000Z", failed: [failed], succeeded: [] });
    expect((await store.getSyncStatus("default")).quarantined.map((q) => q.referralId)).toEqual(["r-bad"]);

    // Down to 0002: referral_failures goes (with the tables of later migrations), and the status query no longer finds it.
    const later = new Set(["referral_failures", "referral_counts", "referral_actions", "expiry_announcements", "tenants"]);
    expect(await store.rollback(MIGRATIONS.length - 2)).toEqual(ALL.slice(2).reverse());
    expect(await existingTables(schema)).toEqual(TABLES.filter((t) => !later.has(t)).sort());
    expect(PcReferralsError.hasCode(await store.listReferralFailures("default").catch((e: unknown) => e), "store_error")).toBe(true);

    expect(await store.migrate()).toEqual(ALL.slice(2));
    expect(await store.listReferralFailures("default")).toEqual([]);
  });

  it("issue 13: migration 0008 backfills expires_at of New referrals from their payload; down drops it and the announcements, up again keeps every referral", async () => {
    const schema = h.schemaNamed("expiry");
    const store = h.store({ schema });
    await store.migrate();
    expect(MIGRATIONS.find((m) => m.id === 8)?.name).toBe("expiry-watch");
    const from8 = MIGRATIONS.filter((m) => m.id >= 8).length;
    await store.rollback(from8);
    // The payload's one copy is the raw lead of the referral's version (migration 0005).
    const insert = (id: string, status: string, substatus: string | null, payload: Record<string, unknown>) =>
      h.sql(
        `WITH lead AS (INSERT INTO "${schema}".raw_leads (referral_id, run_id, payload, content_hash) VALUES ($1, 'seed', $4::jsonb, 'h'))
         INSERT INTO "${schema}".referrals (referral_id, referral_type, type_evidence, status, substatus, status_key, link_status,
           content_hash, first_seen_at, last_synced_at, last_run_id, search_text)
         VALUES ($1, 'co-sell', 'seed', $2, $3, lower($2), 'unlinked', 'h', now(), now(), 'seed', $1)`,
        [id, status, substatus, JSON.stringify({ id, ...payload })],
      );
    const created = "2025-03-01T10:00:00Z";
    await insert("n-exp", "New", "Pending", { createdDateTime: created, expirationDateTime: "2025-03-05T00:00:00+02:00" });
    await insert("n-created", "New", "Received", { createdDateTime: created });
    await insert("n-junk", "new", null, { createdDateTime: created, expirationDateTime: "2025-02-30T00:00:00Z" });
    await insert("n-words", "New", null, { createdDateTime: "now", expirationDateTime: "infinity" });
    await insert("n-expired", "New", "Expired", { createdDateTime: created });
    await insert("active", "Active", "Accepted", { createdDateTime: created, expirationDateTime: "2025-03-05T00:00:00Z" });

    expect(await store.migrate()).toEqual(ALL.slice(-from8));
    const deadlines = Object.fromEntries((await store.queryInbox({ pageSize: 10 })).items.map((r) => [r.referralId, r.expiresAt]));
    expect(deadlines).toEqual({
      "n-exp": "2025-03-04T22:00:00.000Z",
      "n-created": "2025-03-15T10:00:00.000Z",
      "n-junk": "2025-03-15T10:00:00.000Z",
      "n-words": null,
      "n-expired": null,
      active: null,
    });
    const item = { referralId: "n-exp", thresholdDays: 3, expiresAt: "2025-03-04T22:00:00.000Z" };
    expect(await store.claimExpiryAnnouncements([item])).toEqual([item]);

    await store.rollback(from8);
    expect(await existingTables(schema)).toEqual(TABLES.filter((t) => t !== "expiry_announcements" && t !== "tenants").sort());
    const columns = await h.sql<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'referrals' AND column_name = 'expires_at'`,
      [schema],
    );
    expect(columns).toEqual([]);
    expect((await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".referrals`))[0]?.n).toBe(6);

    expect(await store.migrate()).toEqual(ALL.slice(-from8));
    expect((await store.queryInbox({ sort: "urgency", pageSize: 10 })).items.map((r) => r.referralId).slice(0, 3)).toEqual(["n-exp", "n-created", "n-junk"]);
    // The announcements went with the table: the same item is new again.
    expect(await store.claimExpiryAnnouncements([item])).toEqual([item]);
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects rollback(%s)", async (steps) => {
    const store = h.store({ schema: h.schemaNamed("badsteps") });
    await expect(store.rollback(steps)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it.each(["Partner", "1abc", "a-b", "pg_catalog", "x".repeat(64), ""])("rejects the schema name %j", (schema) => {
    expect(() => createPgStore({ schema })).toThrow(ConfigError);
  });

  it("lets concurrent migrators on one connection take turns", async () => {
    const schema = h.schemaNamed("sameconn");
    const [a, b] = [h.store({ schema }), h.store({ schema })];
    const results = await Promise.all([a.migrate(), b.migrate(), a.migrate()]);
    expect(results.flat()).toEqual(ALL);
    expect(await h.sql(`SELECT count(*)::int AS n FROM "${schema}".pcr_migrations`)).toEqual([{ n: MIGRATIONS.length }]);
  });

  itPostgresOnly(backend)("lets two processes migrate at once: one applies, the other waits and finds nothing to do", async () => {
    const schema = h.schemaNamed("twoproc");
    const stores = [h.separateStore({ schema }).store, h.separateStore({ schema }).store, h.separateStore({ schema }).store];
    const results = await Promise.all(stores.map((s) => s.migrate()));
    expect(results.flat()).toEqual(ALL);
    expect(await h.sql(`SELECT count(*)::int AS n FROM "${schema}".pcr_migrations`)).toEqual([{ n: MIGRATIONS.length }]);
  });

  it("item 15: migration 0002 adds sync_cursor.order_honoured and sync_runs.warnings; its down removes them and keeps the data", async () => {
    const schema = h.schemaNamed("m0002");
    const target = { db: h.db(), schema };
    const columns = async () =>
      (
        await h.sql<{ c: string }>(
          `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
           WHERE table_schema = $1 AND column_name IN ('order_honoured', 'warnings') ORDER BY 1`,
          [schema],
        )
      ).map((r) => r.c);
    await migrate({ ...target, migrations: MIGRATIONS.slice(0, 1) });
    await h.sql(`INSERT INTO "${schema}".sync_cursor (scope, updated_at) VALUES ('default', '2025-01-02T03:04:05Z')`);
    expect(await columns()).toEqual([]);

    expect(await migrate({ ...target, migrations: MIGRATIONS.slice(0, 2) })).toEqual([{ id: 2, name: "cursor-order-and-run-warnings" }]);
    expect(await columns()).toEqual(["sync_cursor.order_honoured", "sync_runs.warnings"]);
    // The store reads and writes the newest schema: up to it, then down to 0001 (0002 and every later migration).
    await migrate(target);
    const store = h.store({ schema });
    expect(await store.getCursor("default")).toEqual({ updatedAt: "2025-01-02T03:04:05.000Z" });
    await store.advanceCursor("default", { updatedAt: "2025-01-03T00:00:00.000Z", orderHonoured: false });
    expect(await store.getCursor("default")).toEqual({ updatedAt: "2025-01-03T00:00:00.000Z", orderHonoured: false });

    expect(await rollback(target, MIGRATIONS.length - 1)).toEqual(ALL.slice(1).reverse());
    expect(await columns()).toEqual([]);
    expect(await h.sql(`SELECT count(*)::int AS n FROM "${schema}".sync_cursor`)).toEqual([{ n: 1 }]);
  });
});

describe.each(BACKENDS)("migration 0005 on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename, { migrate: false });

  it("item 3: keeps every referral and raw lead: up on a populated database, down, identical again, up again", async () => {
    const schema = h.schemaNamed("m0005");
    const target = { db: h.db(), schema };
    const store = h.store({ schema });
    // 0005 and every later migration: they go down (newest first) and up together.
    const id5 = MIGRATIONS.filter((m) => m.id >= 5).map(({ id, name }) => ({ id, name }));
    const down5 = [...id5].reverse();
    await store.migrate();
    // Populated through the store: a referral with two versions, one whose payload jsonb cannot hold, a manual link.
    const [company] = (await store.applyBatch(makeProcessedPage([], { companies: [makeCompanyUpsert()] }))).companies;
    await store.applyBatch(
      makeProcessedPage([
        makeProcessedReferral({ referralId: "r1", contentHash: "h1", payload: { id: "r1", v: 1 } }),
        makeProcessedReferral({ referralId: "r2", contentHash: "h1", payload: { id: "r2", note: "a\u0000b", [`k\u0000`]: ["\uD800"] } }),
        makeProcessedReferral({ referralId: "r3", contentHash: "h1", payload: { id: "r3", nested: { list: [1, { x: null }] } } }),
      ]),
    );
    await store.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "r1", contentHash: "h2", status: "Active", payload: { id: "r1", v: 2 } })], { runId: "run-2" }));
    await store.setManualLink({ referralId: "r3", companyId: company?.companyId ?? null });

    // Down to 0004, the schema the previous release wrote: each referral holds its payload again.
    expect(await rollback(target, id5.length)).toEqual(down5);
    const oldReferrals = async () => h.sql(`SELECT * FROM "${schema}".referrals ORDER BY referral_id`);
    const oldLeads = async () => h.sql(`SELECT * FROM "${schema}".raw_leads ORDER BY id`);
    expect((await h.sql<{ id: string; payload: unknown; exact: string | null }>(
      `SELECT referral_id AS id, payload, payload_json AS exact FROM "${schema}".referrals ORDER BY referral_id`,
    )).map((r) => [r.id, r.exact === null ? r.payload : JSON.parse(r.exact)])).toEqual([
      ["r1", { id: "r1", v: 2 }],
      ["r2", { id: "r2", note: "a\u0000b", [`k\u0000`]: ["\uD800"] }],
      ["r3", { id: "r3", nested: { list: [1, { x: null }] } }],
    ]);
    // As the previous release could leave it: a referral whose raw lead a host pruned.
    await h.sql(
      `INSERT INTO "${schema}".referrals (referral_id, referral_type, type_evidence, link_status, payload, content_hash,
         first_seen_at, last_synced_at, last_run_id, search_text)
       VALUES ('r4', 'co-sell', 'test', 'unlinked', '{"id":"r4"}', 'h4', now(), now(), 'run-old', 'r4')`,
    );
    const atFour = { referrals: await oldReferrals(), leads: await oldLeads() };

    const read = async () => ({
      referrals: await Promise.all(["r1", "r2", "r3", "r4"].map((id) => store.getReferral(id))),
      leads: (await store.listRawLeads()).map(({ createdAt: _c, ...lead }) => lead),
      inbox: await store.queryInbox({}),
    });
    expect(await migrate(target)).toEqual(id5);
    const afterUp = await read();
    expect(afterUp.referrals.map((r) => [r?.referralId, r?.contentHash, r?.linkStatus, r?.payload])).toEqual([
      ["r1", "h2", "unlinked", { id: "r1", v: 2 }],
      ["r2", "h1", "unlinked", { id: "r2", note: "a\u0000b", [`k\u0000`]: ["\uD800"] }],
      ["r3", "h1", "manual_linked", { id: "r3", nested: { list: [1, { x: null }] } }],
      ["r4", "h4", "unlinked", { id: "r4" }],
    ]);
    // The pruned raw lead is back, from the referral's own copy; the others are as they were.
    expect(afterUp.leads.map((l) => [l.referralId, l.contentHash])).toEqual([["r1", "h1"], ["r2", "h1"], ["r3", "h1"], ["r1", "h2"], ["r4", "h4"]]);
    const [payloadColumns] = await h.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'referrals' AND column_name LIKE 'payload%' AND column_name <> 'payload_source'`,
      [schema],
    );
    expect(payloadColumns?.n).toBe(0);

    // Down: the referrals exactly as at 0004, the raw leads too plus the one restored for r4.
    expect(await rollback(target, id5.length)).toEqual(down5);
    expect(await oldReferrals()).toEqual(atFour.referrals);
    const leads = await oldLeads();
    expect(leads.slice(0, atFour.leads.length)).toEqual(atFour.leads);
    expect(leads.slice(atFour.leads.length).map((l) => [l.referral_id, l.content_hash, l.payload])).toEqual([["r4", "h4", { id: "r4" }]]);

    expect(await migrate(target)).toEqual(id5);
    expect(await read()).toEqual(afterUp);
    // The store keeps writing after the round trip; the raw lead of a referral's version cannot be deleted under it.
    await store.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "r4", contentHash: "h5", payload: { id: "r4", v: 5 } })]));
    expect((await store.getReferral("r4"))?.payload).toEqual({ id: "r4", v: 5 });
    const refused = await h.sql(`DELETE FROM "${schema}".raw_leads WHERE referral_id = 'r4' AND content_hash = 'h5'`).catch((e: unknown) => e);
    expect((refused as { code?: string }).code).toBe("23503");
  });
});
