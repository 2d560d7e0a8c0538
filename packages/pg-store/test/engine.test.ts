// The sync engine from core on pg-store, against the fake Partner Center: replicas racing for the
// run lock, and a connection killed in the middle of a page.
import {
  createPartnerCenterClient,
  createStaticTokenProvider,
  createSyncEngine,
  evaluateFilter,
  extractDomain,
  parseReferral,
  PcReferralsError,
  type SyncReport,
} from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter, type FakePartnerCenter } from "@pc-referrals/core/testing";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PgStore } from "../src/index.js";
import { BACKENDS, itPostgresOnly, useBackend } from "./backends.js";

const REFERRALS = generateReferrals(60, { seed: 11 });

describe.each(BACKENDS)("sync engine on pg-store (%s)", (backend) => {
  const h = useBackend(backend, import.meta.filename);
  let fake: FakePartnerCenter;
  const clients: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    fake = await startFakePartnerCenter({ referrals: REFERRALS, latencyMs: 50 });
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    await fake.stop();
  });
  afterEach(async () => {
    await h.closeStores();
    await h.reset();
  });

  const engineOn = (store: PgStore) => {
    const client = createPartnerCenterClient({ tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()), baseUrl: fake.url });
    clients.push(client);
    return createSyncEngine({ client, store, enabled: true, pageSize: 20 });
  };
  const replica = (): PgStore => (backend === "postgres" ? h.separateStore().store : h.store());
  const tableCounts = async () =>
    (
      await h.sql<{ referrals: number; distinct_ids: number; raw_leads: number; companies: number }>(
        `SELECT (SELECT count(*) FROM "${h.schema}".referrals)::int AS referrals,
                (SELECT count(DISTINCT referral_id) FROM "${h.schema}".referrals)::int AS distinct_ids,
                (SELECT count(*) FROM "${h.schema}".raw_leads)::int AS raw_leads,
                (SELECT count(*) FROM "${h.schema}".companies)::int AS companies`,
      )
    )[0];

  it("lets exactly one of two engines on separate connections sync", async () => {
    const results = await Promise.allSettled([engineOn(replica()).run({ trigger: "schedule" }), engineOn(replica()).run({ trigger: "schedule" })]);
    const done = results.filter((r): r is PromiseFulfilledResult<SyncReport> => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(done).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(PcReferralsError.hasCode(refused[0]?.reason, "sync_in_progress")).toBe(true);
    const report = done[0]?.value as SyncReport;
    expect(report.status).toBe("succeeded");
    expect(report.counts.ingested).toBeGreaterThan(0);
    expect(await tableCounts()).toMatchObject({ referrals: report.counts.ingested, distinct_ids: report.counts.ingested, raw_leads: report.counts.ingested });
  });

  it("item 13: quarantines a referral that fails in consecutive runs, and the mark passes it", async () => {
    const store = h.store();
    // The oldest referral the engine ingests (so its scoring hook runs).
    const ingestible = REFERRALS.filter((r) => {
      const parsed = parseReferral(r);
      return parsed.ok && evaluateFilter(parsed.referral).ingest && extractDomain(parsed.referral).domain !== null;
    });
    const at = (r: unknown) => Date.parse(String((r as { updatedDateTime?: unknown }).updatedDateTime));
    const doomed = ingestible.sort((a, b) => at(a) - at(b))[0] as { id: string; updatedDateTime: string };
    const client = createPartnerCenterClient({ tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()), baseUrl: fake.url });
    clients.push(client);
    const failing = new Error("CRM rejects this customer");
    const engine = createSyncEngine({
      client,
      store,
      enabled: true,
      pageSize: 20,
      quarantineAfterRuns: 2,
      scoring: {
        hooks: [
          (input, current) => {
            if (input.referral?.id === doomed.id) throw failing;
            return current;
          },
        ],
      },
    });
    const first = await engine.run({ trigger: "manual" });
    const second = await engine.run({ trigger: "manual", full: true });

    expect(first.errors.map((e) => e.referralId)).toEqual([doomed.id]);
    expect(first.cursor.next).toBe(new Date(doomed.updatedDateTime).toISOString());
    expect(second.status).toBe("partial");
    expect(second.quarantined).toEqual([doomed.id]);
    expect(second.counts.missedByIncremental).toBe(0);
    expect(Date.parse(second.cursor.next ?? "")).toBeGreaterThan(Date.parse(doomed.updatedDateTime));
    const status = await store.getSyncStatus("default");
    expect(status.quarantined).toEqual([expect.objectContaining({ referralId: doomed.id, failures: 2, lastRunId: second.runId })]);
    expect(status.lastReconcile?.runId).toBe(second.runId);
    expect(await engine.lastFullRunAt()).toBe(second.startedAt);
  });

  itPostgresOnly(backend)(
    "fails a page whose connection is terminated mid-transaction, keeps nothing of it, and the next run lands every referral once",
    async () => {
      const appName = `pcr-kill-${process.pid}`;
      const engine = engineOn(h.separateStore({}, { applicationName: appName }).store);

      // Hold raw_leads so every page write blocks inside its transaction (after the companies upsert),
      // then terminate each blocked backend: the page dies mid-transaction, however often it is retried.
      const locker = await (h.adminPool as pg.Pool).connect();
      await locker.query("BEGIN");
      await locker.query(`LOCK TABLE "${h.schema}".raw_leads IN SHARE MODE`);
      let killing = true;
      let killed = 0;
      const killer = (async () => {
        while (killing) {
          const rows = await h.sql<{ n: number }>(
            `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name = $1 AND wait_event_type = 'Lock') AS t`,
            [appName],
          );
          killed += rows[0]?.n ?? 0;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();

      let first: SyncReport;
      try {
        first = await engine.run({ trigger: "manual" });
      } finally {
        killing = false;
        await killer;
        await locker.query("ROLLBACK");
        locker.release();
      }
      expect(killed).toBeGreaterThan(0);
      expect(first.status).toBe("partial");
      expect(first.counts.ingested).toBe(0);
      expect(first.counts.failed).toBeGreaterThan(0);
      expect(first.errors.some((e) => e.code === "store_error" && /terminat/i.test(e.message))).toBe(true);
      expect(await tableCounts()).toEqual({ referrals: 0, distinct_ids: 0, raw_leads: 0, companies: 0 });

      const second = await engine.run({ trigger: "manual" });
      expect(second.status).toBe("succeeded");
      expect(second.counts.ingested).toBe(first.counts.failed);
      const counts = await tableCounts();
      expect(counts).toMatchObject({ referrals: second.counts.ingested, distinct_ids: second.counts.ingested, raw_leads: second.counts.ingested });

      const third = await engine.run({ trigger: "manual", full: true });
      expect(third.counts.ingested).toBe(0);
      expect(await tableCounts()).toEqual(counts);
    },
  );
});
