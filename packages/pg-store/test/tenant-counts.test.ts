// The inbox totals' triggers lock per tenant: a transaction holding one tenant's count rows never
// holds up another tenant's page, and still orders writers of the same tenant. PostgreSQL only:
// PGlite has one session, so nothing there can wait on anything.
import { makeProcessedPage, makeProcessedReferral } from "@pc-referrals/core/testing";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { BACKENDS, databaseUrl, itPostgresOnly, useBackend } from "./backends.js";

describe.each(BACKENDS)("inbox totals of two tenants on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename);
  afterEach(async () => {
    await h.closeStores();
    await h.reset();
  });

  async function withOpenTransaction<T>(sql: string, during: (pid: number) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      await client.query("BEGIN");
      await client.query(sql);
      try {
        return await during(rows[0]?.pid ?? 0);
      } finally {
        await client.query("COMMIT");
      }
    } finally {
      await client.end();
    }
  }

  /** Resolves once some other backend waits on an advisory lock held by `holderPid`. */
  async function untilSomeoneWaitsOn(holderPid: number): Promise<void> {
    for (;;) {
      const waiting = await h.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND $1 = ANY(pg_blocking_pids(pid))`,
        [holderPid],
      );
      if ((waiting[0]?.n ?? 0) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it("keeps one set of totals per tenant, moved by updates of either", async () => {
    const store = h.store();
    const a = store.forTenant("a");
    const b = store.forTenant("b");
    await a.applyBatch(makeProcessedPage(["r1", "r2"].map((id) => makeProcessedReferral({ referralId: id, contentHash: id }))));
    await b.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "r1", contentHash: "r1" })]));
    await b.setManualLink({ referralId: "r1", companyId: null });
    const totals = async (view: typeof a) => [(await view.queryInbox({})).total, (await view.queryInbox({ linkStatus: "manual_unlinked" })).total];
    expect([await totals(a), await totals(b), await totals(store)]).toEqual([[2, 0], [1, 1], [0, 0]]);
  });

  itPostgresOnly(backend)("writes tenant b's page while a transaction holds tenant a's count rows", async () => {
    const store = h.store();
    const a = store.forTenant("a");
    const b = store.forTenant("b");
    await a.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "r1", contentHash: "h1" })]));

    // An open transaction moves tenant a's referral to another count group and keeps its lock.
    const outcome = await withOpenTransaction(
      `UPDATE "${h.schema}".referrals SET link_status = 'manual_unlinked' WHERE tenant = 'a' AND referral_id = 'r1'`,
      () => b.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "r1", contentHash: "h1" })])),
    );
    expect(outcome.referrals.map((r) => r.outcome)).toEqual(["inserted"]);
    expect((await b.queryInbox({})).total).toBe(1);
    expect((await a.queryInbox({ linkStatus: "manual_unlinked" })).total).toBe(1);
  });

  itPostgresOnly(backend)("orders two writers of one tenant: the second waits for the first, and the totals add up", async () => {
    const store = h.store();
    const a = store.forTenant("a");
    await a.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "r1", contentHash: "h1" })]));

    let second: Promise<unknown> | null = null;
    await withOpenTransaction(
      `UPDATE "${h.schema}".referrals SET link_status = 'manual_unlinked' WHERE tenant = 'a' AND referral_id = 'r1'`,
      async (pid) => {
        second = a.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "r2", contentHash: "h2" })]));
        await untilSomeoneWaitsOn(pid);
      },
    );
    await second;
    expect((await a.queryInbox({})).total).toBe(2);
    expect((await a.queryInbox({ linkStatus: "manual_unlinked" })).total).toBe(1);
  });
});
