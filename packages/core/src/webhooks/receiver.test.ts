// createWebhookReceiver over the real engine, client, fake Partner Center and memory store.
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../store/memory-store.js";
import { createSyncEngine } from "../sync/engine.js";
import { generateReferrals } from "../testing/generate-referrals.js";
import { setupFakeClient } from "../../test/support/fake-client.js";
import { useCleanups } from "../../test/support/local-server.js";
import type { PartnerCenterWebhookEvent } from "./event.js";
import { createWebhookReceiver } from "./receiver.js";

const defer = useCleanups();
// Only referrals the pipeline stores (the generator also makes spam, invalid and filtered ones).
const referrals = generateReferrals(40, { seed: 41 }).filter((r) => {
  const x = r as { id?: unknown; status?: unknown; isSpam?: unknown };
  return typeof x.id === "string" && x.id !== "" && x.isSpam !== true;
});

function event(id: string, changedAt = "2026-12-01T10:00:00.0000000Z", eventName = "referral-updated"): PartnerCenterWebhookEvent {
  return { eventName, resourceUri: `https://api.partnercenter.microsoft.com/engagements/v1/referrals/${id}`, resourceName: "referral", auditUri: null, resourceChangeUtcDate: changedAt };
}

let ids: string[] = [];

async function setup(options: { now?: () => number } = {}) {
  const { fake, client } = await setupFakeClient(defer, { referrals });
  // The ids a sync stores, found with a scratch store so the store under test starts empty.
  const scratch = createMemoryStore();
  await createSyncEngine({ client, store: scratch, enabled: true }).run({ trigger: "manual" });
  ids = (await scratch.queryInbox({ pageSize: 100 })).items.map((row) => row.referralId).sort();
  fake.requests.length = 0;
  const store = createMemoryStore();
  const engine = createSyncEngine({ client, store, enabled: true });
  const receiver = createWebhookReceiver({ engine, coalesceMs: 60_000, ...options });
  defer(() => receiver.close());
  const reads = () => fake.requests.filter((r) => r.method === "GET" && r.path.startsWith("/v1.0/engagements/referrals/")).length;
  return { fake, store, engine, receiver, reads };
}

describe("createWebhookReceiver", () => {
  it("returns at once and syncs the referral in the background through engine.syncReferral", async () => {
    const { receiver, store, reads } = await setup();
    expect(receiver.accept(event(ids[0] ?? ""))).toEqual({ outcome: "scheduled", referralId: ids[0] });
    expect(reads()).toBe(0);
    expect(receiver.status().pending).toBe(1);
    await receiver.flush();
    expect(reads()).toBe(1);
    expect(await store.getReferral(ids[0] ?? "")).not.toBeNull();
    expect(receiver.status()).toMatchObject({ received: 1, synced: 1, failed: 0, pending: 0 });
  });

  it("deduplicates a replayed delivery (event + id + change date) for 24 h, then reads it again", async () => {
    let clock = Date.parse("2026-12-01T10:00:00Z");
    const { receiver, reads } = await setup({ now: () => clock });
    receiver.accept(event(ids[0] ?? ""));
    await receiver.flush();
    expect(receiver.accept(event(ids[0] ?? "")).outcome).toBe("duplicate");
    // Another change date or another event name is a new delivery.
    expect(receiver.accept(event(ids[0] ?? "", "2026-12-01T10:05:00Z")).outcome).toBe("scheduled");
    await receiver.flush();
    clock += 24 * 3_600_000 + 1;
    expect(receiver.accept(event(ids[0] ?? "")).outcome).toBe("scheduled");
    await receiver.flush();
    expect(reads()).toBe(3);
    expect(receiver.status()).toMatchObject({ received: 4, deduplicated: 1 });
  });

  it("coalesces a burst: 50 deliveries for 10 referrals give 10 reads", async () => {
    const { receiver, reads } = await setup();
    const outcomes = ids.slice(0, 10).flatMap((id) => Array.from({ length: 5 }, (_, n) => receiver.accept(event(id, `2026-12-01T10:00:0${n}Z`)).outcome));
    expect(outcomes.filter((o) => o === "scheduled")).toHaveLength(10);
    await receiver.flush();
    expect(reads()).toBe(10);
  });

  it("reads once more when a delivery arrives while the referral is being read", async () => {
    const { receiver, reads, engine } = await setup();
    const [id] = ids;
    const offs: Array<() => void> = [];
    // A delivery that lands during the read (the engine is storing the copy it fetched).
    offs.push(engine.on("referral.ingested", () => receiver.accept(event(id ?? "", "2026-12-01T10:09:00Z"))));
    receiver.accept(event(id ?? ""));
    await receiver.flush();
    for (const off of offs) off();
    expect(reads()).toBe(2);
    expect(receiver.status().coalesced).toBe(1);
  });

  it("ignores events that are not referral events, and ResourceUris without a referral id", async () => {
    const { receiver, reads } = await setup();
    expect(receiver.accept({ ...event("x"), eventName: "test-created" })).toEqual({ outcome: "ignored", referralId: null });
    expect(receiver.accept({ ...event("x"), resourceUri: "https://api.partnercenter.microsoft.com/engagements/v1/referrals" })).toMatchObject({ outcome: "ignored" });
    await receiver.flush();
    expect(reads()).toBe(0);
    expect(receiver.status()).toMatchObject({ received: 2, ignored: 2 });
    expect(receiver.status().lastReceivedAt).not.toBeNull();
  });

  it("counts what a polling run stored that no webhook announced", async () => {
    const { receiver, engine, fake } = await setup();
    const first = await engine.run({ trigger: "schedule" });
    // The first run inserted every referral, none announced.
    expect(ids.length).toBeGreaterThanOrEqual(10);
    expect(receiver.status().unannouncedByPolling).toBe(first.counts.ingested);
    fake.update(ids[0] ?? "", { name: "announced, not yet read" });
    fake.update(ids[1] ?? "", { name: "never announced" });
    receiver.accept(event(ids[0] ?? "", "2026-12-01T11:00:00Z"));
    // Polling gets there before the receiver's read: ids[0] was announced, ids[1] was not.
    await engine.run({ trigger: "schedule" });
    expect(receiver.status().unannouncedByPolling).toBe(first.counts.ingested + 1);
  });

  it("counts a failed read without throwing, and keeps accepting", async () => {
    const { receiver, fake } = await setup();
    fake.setFaults([{ kind: "server_error", path: "/v1.0/engagements/referrals/" }]);
    receiver.accept(event(ids[0] ?? ""));
    await receiver.flush();
    expect(receiver.status()).toMatchObject({ synced: 1, failed: 1 });
  });

  it("refuses an engine without syncReferral with a ConfigError", () => {
    expect(() => createWebhookReceiver({ engine: { on: () => () => {} } as never })).toThrow(/createWebhookReceiver\.engine/);
  });
});
