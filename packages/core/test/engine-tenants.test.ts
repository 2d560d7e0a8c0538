// Two partner tenants in one memory store, each synced by its own engine from its own fake
// Partner Center: runs of different tenants go at once, runs of one tenant never do.
import { afterEach, describe, expect, it } from "vitest";
import { createPartnerCenterClient } from "../src/client/partner-center-client.js";
import type { PartnerCenterClient } from "../src/client/types.js";
import { PcReferralsError, SyncInProgressError } from "../src/errors.js";
import { createMemoryStore, type MemoryStore } from "../src/store/memory-store.js";
import { createSyncEngine, type SyncEngine } from "../src/sync/engine.js";
import { startFakePartnerCenter, type FakePartnerCenter } from "../src/testing/fake-partner-center.js";
import { generateReferrals } from "../src/testing/generate-referrals.js";
import { expectedIngestedIds, newestUpdatedAt } from "./engine-harness.js";

const referralsA = generateReferrals(250, { seed: 7, invalidRatio: 0 });
// Tenant b has 150 of a's referral ids (its own copies, another customer name) and 100 of its own.
const referralsB = [
  ...referralsA.slice(0, 150).map((r) => ({ ...r, customerProfile: { ...(r.customerProfile as object), name: "Tenant B Customer" } })),
  ...generateReferrals(100, { seed: 8, invalidRatio: 0 }),
];

const opened: Array<{ fake: FakePartnerCenter; client: PartnerCenterClient }> = [];
afterEach(async () => {
  for (const { fake, client } of opened.splice(0)) {
    await client.close();
    await fake.stop();
  }
});

/** A fake Partner Center serving `referrals` (with some latency, so runs overlap) and a client of it. */
async function partnerCenter(referrals: readonly unknown[]): Promise<PartnerCenterClient> {
  const fake = await startFakePartnerCenter({ referrals, latencyMs: 5 });
  const client = createPartnerCenterClient({
    tokenProvider: { getAccessToken: async () => fake.entra.issueAccessToken() },
    baseUrl: fake.url,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
  });
  opened.push({ fake, client });
  return client;
}

const engineOn = (store: MemoryStore, client: PartnerCenterClient): SyncEngine => createSyncEngine({ client, store, enabled: true });

async function inboxOf(store: MemoryStore): Promise<Map<string, string | null>> {
  const { items, total } = await store.queryInbox({ pageSize: 500 });
  expect(items).toHaveLength(total);
  expect(new Set(items.map((row) => row.tenant))).toEqual(new Set(total === 0 ? [] : [store.tenant]));
  return new Map(items.map((row) => [row.referralId, row.customerName]));
}

describe("engines of two tenants on one memory store", () => {
  it("sync both tenants at once, every referral once per tenant with that tenant's copy", async () => {
    const root = createMemoryStore();
    const [a, b] = [root.forTenant("a"), root.forTenant("b")];
    const [clientA, clientB] = await Promise.all([partnerCenter(referralsA), partnerCenter(referralsB)]);

    const reports = await Promise.all([engineOn(a, clientA).run({ trigger: "manual" }), engineOn(b, clientB).run({ trigger: "manual" })]);

    expect(reports.map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
    const [inboxA, inboxB] = await Promise.all([inboxOf(a), inboxOf(b)]);
    expect(new Set(inboxA.keys())).toEqual(expectedIngestedIds(referralsA));
    expect(new Set(inboxB.keys())).toEqual(expectedIngestedIds(referralsB));
    const shared = [...inboxB.keys()].filter((id) => inboxA.has(id));
    expect(shared.length).toBeGreaterThan(50);
    for (const id of shared) {
      expect(inboxB.get(id)).toBe("Tenant B Customer");
      expect(inboxA.get(id)).not.toBe("Tenant B Customer");
    }
    expect(reports.map((r) => r.counts.ingested)).toEqual([inboxA.size, inboxB.size]);
    expect((await a.listRawLeads()).length + (await b.listRawLeads()).length).toBe(inboxA.size + inboxB.size);

    expect([await a.getCursor("default"), await b.getCursor("default")]).toEqual([
      { updatedAt: newestUpdatedAt(referralsA) },
      { updatedAt: newestUpdatedAt(referralsB) },
    ]);
    expect((await a.listRuns()).map((r) => r.runId)).toEqual([reports[0]?.runId]);
    expect((await b.listRuns()).map((r) => r.runId)).toEqual([reports[1]?.runId]);
    expect(await inboxOf(root)).toEqual(new Map());
    expect(await root.listRuns()).toEqual([]);
  });

  it("runs one of two engines started at once on the same tenant; the other is refused while the lock is held", async () => {
    const root = createMemoryStore();
    const [a, b] = [root.forTenant("a"), root.forTenant("b")];
    const [clientA, clientB] = await Promise.all([partnerCenter(referralsA), partnerCenter(referralsB)]);

    const outcomes = await Promise.allSettled([
      engineOn(a, clientA).run({ trigger: "manual" }),
      engineOn(a, clientA).run({ trigger: "schedule" }),
      engineOn(b, clientB).run({ trigger: "manual" }),
    ]);

    const [first, second, other] = outcomes;
    const ran = [first, second].filter((o) => o.status === "fulfilled");
    const refused = [first, second].filter((o) => o.status === "rejected");
    expect([ran.length, refused.length]).toEqual([1, 1]);
    const report = ran[0]?.status === "fulfilled" ? ran[0].value : null;
    const error: unknown = refused[0]?.status === "rejected" ? refused[0].reason : null;
    expect(report?.status).toBe("succeeded");
    expect(PcReferralsError.hasCode(error, "sync_in_progress")).toBe(true);
    expect((error as SyncInProgressError).runningRunId).toBe(report?.runId);
    // Tenant b's lock is its own: its run went ahead beside a's.
    expect(other.status === "fulfilled" && other.value.status).toBe("succeeded");

    expect((await a.listRuns()).map((r) => r.runId)).toEqual([report?.runId]);
    expect(new Set((await inboxOf(a)).keys())).toEqual(expectedIngestedIds(referralsA));
    expect((await a.getSyncStatus("default")).running).toBeNull();
  });
});
