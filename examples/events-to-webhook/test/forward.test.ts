// The forwarder against a local receiver: what a chat gets after real syncs from the fake
// Partner Center into the memory store.
import {
  createMemoryStore,
  createPartnerCenterClient,
  createStaticTokenProvider,
  createSyncEngine,
  PcReferralsError,
  type MemoryStore,
  type SyncEngine,
} from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter, type FakePartnerCenter } from "@pc-referrals/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { forwardCoSellReferrals } from "../src/forward.js";
import { startReceiver, type Receiver } from "../src/receiver.js";

let fake: FakePartnerCenter;
let receiver: Receiver;
let store: MemoryStore;
let engine: SyncEngine;
let closeClient: () => Promise<void>;

beforeEach(async () => {
  fake = await startFakePartnerCenter({ referrals: generateReferrals(120, { seed: 3 }) });
  receiver = await startReceiver();
  store = createMemoryStore();
  const client = createPartnerCenterClient({ baseUrl: fake.url, tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()) });
  closeClient = () => client.close();
  engine = createSyncEngine({ client, store, enabled: true });
});

afterEach(async () => {
  await closeClient();
  await receiver.stop();
  await fake.stop();
});

const texts = () => receiver.bodies.map((b) => (b as { text: string }).text);

async function coSellRows() {
  return (await store.queryInbox({ referralType: "co-sell", pageSize: 500 })).items;
}

describe("examples/events-to-webhook", () => {
  it("posts one message per new co-sell referral, with its customer name, domain and id, and nothing for other types", async () => {
    const forwarder = forwardCoSellReferrals(engine, { webhookUrl: receiver.url, store });
    const report = await engine.run({ trigger: "manual" });
    await forwarder.flush();

    const coSell = await coSellRows();
    expect(coSell.length).toBeGreaterThan(0);
    expect(coSell.length).toBeLessThan(report.counts.ingested); // other types exist and were not posted
    expect(receiver.bodies).toHaveLength(coSell.length);
    for (const row of coSell) {
      const text = texts().find((t) => t.includes(row.referralId));
      expect(text).toBeDefined();
      expect(text).toContain(`New co-sell referral: ${row.customerName ?? "(no customer name)"}`);
      if (row.domain !== null) expect(text).toContain(`(${row.domain})`);
    }
    expect(forwarder.stats).toEqual({ posted: coSell.length, failed: 0 });
  });

  it("posts nothing for referrals already known, even when their content changed; only new ones", async () => {
    const forwarder = forwardCoSellReferrals(engine, { webhookUrl: receiver.url, store });
    await engine.run({ trigger: "manual" });
    await forwarder.flush();
    const first = receiver.bodies.length;
    const [known] = await coSellRows();
    fake.update(known?.referralId ?? "", { details: { notes: "changed at Partner Center" } });

    const again = await engine.run({ trigger: "manual", full: true });
    await forwarder.flush();
    expect(again.counts.updated).toBeGreaterThanOrEqual(1);
    expect(receiver.bodies).toHaveLength(first);

    const before = new Set((await coSellRows()).map((r) => r.referralId));
    fake.setReferrals([...generateReferrals(120, { seed: 3 }), ...generateReferrals(60, { seed: 4 })]);
    await engine.run({ trigger: "manual", full: true });
    await forwarder.flush();
    const added = (await coSellRows()).filter((r) => !before.has(r.referralId));
    expect(added.length).toBeGreaterThan(0);
    expect(receiver.bodies).toHaveLength(first + added.length);
    for (const row of added) expect(texts().some((t) => t.includes(row.referralId))).toBe(true);
  });

  it("retries a 503 or 429 and delivers the message once; gives up at once on a 4xx, and the sync still succeeds", async () => {
    receiver.answerWith([503, 429, 400]);
    const forwarder = forwardCoSellReferrals(engine, { webhookUrl: receiver.url, store, retryDelayMs: 1 });
    const report = await engine.run({ trigger: "manual" });
    await forwarder.flush();
    const coSell = await coSellRows();

    expect(report.status).toBe("succeeded");
    // First message: 503, 429, then 200 (three requests). Second: 400, not retried. The rest: 200.
    expect(receiver.bodies).toHaveLength(coSell.length + 2);
    expect(forwarder.stats).toEqual({ posted: coSell.length - 1, failed: 1 });
    const [a, b, c] = texts();
    expect(a).toBe(b);
    expect(b).toBe(c);
  });

  it("expiry: posts each referral.expiring warning once, with time left, deadline, name, domain and id", async () => {
    const forwarder = forwardCoSellReferrals(engine, { webhookUrl: receiver.url, store });
    await engine.run({ trigger: "manual" });
    await forwarder.flush();
    const posted = receiver.bodies.length;
    const target = (await store.queryInbox({ sort: "urgency", pageSize: 500 })).items.find((r) => r.expiresAt !== null);
    expect(target).toBeDefined();
    // A clock 2.5 days before that referral's deadline.
    const now = Date.parse(target?.expiresAt ?? "") - 2.5 * 24 * 60 * 60_000;
    const announced = await engine.announceExpiring({ now });
    await forwarder.flush();
    expect(announced.map((e) => e.referralId)).toContain(target?.referralId);
    expect(receiver.bodies).toHaveLength(posted + announced.length);
    const text = texts().find((t) => t.includes(`id ${target?.referralId}`) && t.includes("expiring"));
    expect(text).toContain("expiring in 3 days:");
    expect(text).toContain(`${target?.customerName ?? "(no customer name)"}`);
    expect(text).toContain(`before ${target?.expiresAt?.slice(0, 16).replace("T", " ")} UTC`);
    expect(text).not.toMatch(/@/);

    await engine.announceExpiring({ now });
    await forwarder.flush();
    expect(receiver.bodies).toHaveLength(posted + announced.length);
    forwarder.stop();
  });

  it("expiry: expiring: false posts no warnings", async () => {
    const forwarder = forwardCoSellReferrals(engine, { webhookUrl: receiver.url, store, expiring: false });
    await engine.run({ trigger: "manual" });
    await forwarder.flush();
    const posted = receiver.bodies.length;
    const target = (await store.queryInbox({ sort: "urgency", pageSize: 500 })).items.find((r) => r.expiresAt !== null);
    expect((await engine.announceExpiring({ now: Date.parse(target?.expiresAt ?? "") - 0.5 * 24 * 60 * 60_000 })).length).toBeGreaterThan(0);
    await forwarder.flush();
    expect(receiver.bodies).toHaveLength(posted);
    forwarder.stop();
  });

  it("stop() unsubscribes: a later run posts nothing", async () => {
    const forwarder = forwardCoSellReferrals(engine, { webhookUrl: receiver.url, store });
    forwarder.stop();
    await engine.run({ trigger: "manual" });
    await forwarder.flush();
    expect(receiver.bodies).toHaveLength(0);
  });

  it("refuses a webhook URL that is not http(s) with config_invalid, before any sync", () => {
    const attempt = () => forwardCoSellReferrals(engine, { webhookUrl: "ftp://chat.example/hook", store });
    expect(attempt).toThrow(PcReferralsError);
    try {
      attempt();
    } catch (error) {
      expect(PcReferralsError.is(error) && error.code).toBe("config_invalid");
    }
  });
});
