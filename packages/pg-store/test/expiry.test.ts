// Issue 13 "Expiry watch" on pg-store: the sync engine from core stores each New referral's
// deadline, and every referral.expiring threshold is announced once across restarts (a new store
// and engine over the same schema) and between two replicas checking at the same moment.
import { createPartnerCenterClient, createStaticTokenProvider, createSyncEngine, type ExpiringReferral } from "@pc-referrals/core";
import { startFakePartnerCenter, type FakePartnerCenter } from "@pc-referrals/core/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PgStore } from "../src/index.js";
import { BACKENDS, useBackend } from "./backends.js";

const DAY = 24 * 60 * 60_000;
const T0 = Date.parse("2025-06-01T00:00:00.000Z");
const at = (days: number) => new Date(T0 + days * DAY).toISOString();

function referral(id: string, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id,
    name: `${id} – Azure migration`,
    createdDateTime: at(-3),
    updatedDateTime: at(-1),
    status: "New",
    substatus: "Pending",
    type: "Shared",
    direction: "Incoming",
    customerProfile: { name: `Customer ${id}`, team: [{ firstName: "Avery", email: `buyer@${id}-logistics.com` }] },
    ...fields,
  };
}

const REFERRALS = [
  referral("a", { expirationDateTime: at(5) }),
  referral("b", { createdDateTime: at(-12) }), // 14 days after creation: at(2)
  referral("c", { status: "Active", substatus: "Accepted", expirationDateTime: at(1) }),
];

describe.each(BACKENDS)("expiry watch on pg-store (%s)", (backend) => {
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
    fake.setReferrals(REFERRALS);
    await h.closeStores();
    await h.reset();
  });

  const engineOn = (store: PgStore, clock: () => number) => {
    const client = createPartnerCenterClient({ tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()), baseUrl: fake.url });
    clients.push(client);
    return createSyncEngine({ client, store, enabled: true, now: clock });
  };
  const short = (events: ExpiringReferral[]) => events.map((e) => `${e.referralId}/${e.thresholdDays}d:${e.daysLeft}`);

  it("expiry: announces each threshold once across a restart, stops once accepted, and filters/sorts by the stored deadline", async () => {
    let clock = T0;
    let store = h.store();
    await engineOn(store, () => clock).run({ trigger: "manual" });
    const urgent = await store.queryInbox({ expiresWithinDays: 3, sort: "urgency", now: at(0) });
    expect(urgent.items.map((r) => [r.referralId, r.expiresAt])).toEqual([["b", at(2)]]);

    expect(short(await engineOn(store, () => clock).announceExpiring())).toEqual(["b/3d:2"]);
    // Restart: a new store and engine over the same tables.
    await store.close();
    store = h.store();
    expect(await engineOn(store, () => clock).announceExpiring()).toEqual([]);

    clock = T0 + 2.5 * DAY;
    expect(short(await engineOn(store, () => clock).announceExpiring())).toEqual(["a/3d:3"]);
    await store.close();
    store = h.store();
    expect(await engineOn(store, () => clock).announceExpiring()).toEqual([]);

    // Accepted before its 1-day threshold: no further message, and the deadline is gone.
    fake.setReferrals([referral("a", { status: "Active", substatus: "Accepted", expirationDateTime: at(5), updatedDateTime: at(2.4) }), ...REFERRALS.slice(1)]);
    clock = T0 + 4.5 * DAY;
    await engineOn(store, () => clock).run({ trigger: "manual", full: true });
    expect((await store.getReferral("a"))?.expiresAt).toBeNull();
    expect(await engineOn(store, () => clock).announceExpiring()).toEqual([]);
  });

  it("expiry: two replicas checking at the same moment announce each threshold once between them", async () => {
    const clock = () => T0 + 1.5 * DAY;
    const first = h.store();
    await engineOn(first, clock).run({ trigger: "manual" });
    const second = backend === "postgres" ? h.separateStore().store : h.store();
    const results = await Promise.all([engineOn(first, clock).announceExpiring(), engineOn(second, clock).announceExpiring()]);
    expect(short(results.flat())).toEqual(["b/1d:1"]);
  });
});
