// Issue 13 "Expiry watch" on the memory store: deadlines computed while syncing, and every
// referral.expiring threshold announced once, across restarts (new engines over the same store).
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, FeatureDisabledError } from "../src/errors.js";
import { referralExpiresAt } from "../src/store/expiry.js";
import { createMemoryStore } from "../src/store/memory-store.js";
import { createSyncEngine } from "../src/sync/engine.js";
import type { ExpiringReferral } from "../src/sync/expiry-watch.js";
import { startHarness, type Harness } from "./engine-harness.js";
import { coSellFromMicrosoft } from "./fixtures/reference-examples.js";

const DAY = 24 * 60 * 60_000;
const T0 = Date.parse("2025-06-01T00:00:00.000Z");
const at = (days: number) => new Date(T0 + days * DAY).toISOString();

/** An incoming co-sell referral (reference example A) with its own id, status and dates. */
function referral(id: string, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    ...coSellFromMicrosoft,
    id,
    createdDateTime: at(-3),
    updatedDateTime: at(-1),
    expirationDateTime: undefined,
    status: "New",
    substatus: "Pending",
    ...fields,
  };
}

describe("expiry rule (referralExpiresAt)", () => {
  it("expiry: a New referral's deadline is its expirationDateTime, else createdDateTime + the default days (14)", () => {
    expect(referralExpiresAt({ status: "New", createdDateTime: at(0), expirationDateTime: "2025-06-05T02:00:00+02:00" })).toBe(at(4));
    expect(referralExpiresAt({ status: "New", createdDateTime: at(0) })).toBe(at(14));
    expect(referralExpiresAt({ status: "new", createdDateTime: at(0), expirationDateTime: "not a date" }, 10)).toBe(at(10));
    expect(referralExpiresAt({ status: "New", createdDateTime: at(0), expirationDateTime: "" }, 7)).toBe(at(7));
  });

  it("expiry: every other status, an Expired New referral, and one without dates have no deadline", () => {
    for (const status of ["Active", "Closed", "None", null]) {
      expect(referralExpiresAt({ status, createdDateTime: at(0), expirationDateTime: at(3) })).toBeNull();
    }
    expect(referralExpiresAt({ status: "New", substatus: "Expired", createdDateTime: at(0) })).toBeNull();
    expect(referralExpiresAt({ status: "New" })).toBeNull();
  });
});

describe("expiry watch (engine.announceExpiring on the memory store)", () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  const short = (events: ExpiringReferral[]) => events.map((e) => `${e.referralId}/${e.thresholdDays}d:${e.daysLeft}`);

  it("expiry: stores each New referral's deadline while syncing, shows it in the inbox, and null once accepted", async () => {
    h = await startHarness({
      referrals: [
        referral("with-deadline", { expirationDateTime: at(5) }),
        referral("by-created", { createdDateTime: at(-12) }),
        referral("accepted", { status: "Active", substatus: "Accepted", expirationDateTime: at(1) }),
      ],
      engine: { expiry: { defaultDays: 10 } },
    });
    await h.engine.run({ trigger: "manual" });
    const rows = Object.fromEntries((await h.memory.queryInbox({ sort: "urgency" })).items.map((r) => [r.referralId, r.expiresAt]));
    expect(rows).toEqual({ "with-deadline": at(5), "by-created": at(-2), accepted: null });
    expect((await h.memory.queryInbox({ sort: "urgency" })).items.map((r) => r.referralId)).toEqual(["by-created", "with-deadline", "accepted"]);
  });

  it("expiry: announces each threshold (3 and 1 days) once per referral across restarts; accepting stops it; a moved deadline announces again", async () => {
    let clock = T0;
    const base = [
      referral("a", { expirationDateTime: at(5) }),
      referral("b", { createdDateTime: at(-12) }), // 14 days after creation: at(2)
      referral("c", { status: "Active", substatus: "Accepted", expirationDateTime: at(1) }),
      referral("e", { expirationDateTime: at(4) }),
    ];
    h = await startHarness({ referrals: base, engine: { now: () => clock } });
    const harness = h;
    await harness.engine.run({ trigger: "manual" });
    const events: ExpiringReferral[] = [];
    harness.engine.on("referral.expiring", (e) => events.push(e));
    const restart = () => harness.secondEngine({ now: () => clock });

    const first = await harness.engine.announceExpiring();
    expect(short(first)).toEqual(["b/3d:2"]);
    expect(first[0]).toEqual({ referralId: "b", expiresAt: at(2), daysLeft: 2, thresholdDays: 3 });
    expect(events).toMatchObject([{ type: "referral.expiring", referralId: "b", thresholdDays: 3 }]);
    expect(await restart().announceExpiring()).toEqual([]);

    clock = T0 + 1.5 * DAY;
    expect(short(await restart().announceExpiring())).toEqual(["b/1d:1", "e/3d:3"]);
    expect(await restart().announceExpiring()).toEqual([]);

    // a is accepted before its first threshold; b's deadline passes (Microsoft closes it, no message).
    clock = T0 + 3 * DAY;
    harness.fake.setReferrals([referral("a", { status: "Active", substatus: "Accepted", expirationDateTime: at(5), updatedDateTime: at(2.9) }), ...base.slice(1)]);
    await restart().run({ trigger: "manual", full: true });
    expect((await harness.memory.getReferral("a"))?.expiresAt).toBeNull();
    expect(short(await restart().announceExpiring())).toEqual(["e/1d:1"]);
    expect(await restart().announceExpiring()).toEqual([]);

    // e's deadline moves out to at(6): announced again for it. f, first seen half a day before its
    // deadline, crosses both thresholds at once and gets one message, for the tighter one.
    clock = T0 + 3.5 * DAY;
    harness.fake.setReferrals([
      ...base.slice(1, 3),
      referral("e", { expirationDateTime: at(6), updatedDateTime: at(3.4) }),
      referral("f", { expirationDateTime: at(4), updatedDateTime: at(3.4) }),
    ]);
    await restart().run({ trigger: "manual", full: true });
    const moved = await restart().announceExpiring();
    expect(short(moved)).toEqual(["f/1d:1", "e/3d:3"]);
    expect(moved.find((e) => e.referralId === "e")?.expiresAt).toBe(at(6));
    clock = T0 + 3.6 * DAY;
    expect(await restart().announceExpiring()).toEqual([]);
  });

  it("expiry: thresholdsDays and defaultDays are configurable; [] announces nothing", async () => {
    h = await startHarness({ referrals: [referral("x", { createdDateTime: at(-1) })], engine: { now: () => T0, expiry: { defaultDays: 2, thresholdsDays: [1.5] } } });
    await h.engine.run({ trigger: "manual" });
    expect(await h.engine.announceExpiring()).toEqual([{ referralId: "x", expiresAt: at(1), daysLeft: 1, thresholdDays: 1.5 }]);
    expect(await h.secondEngine({ now: () => T0, expiry: { thresholdsDays: [] } }).announceExpiring()).toEqual([]);
  });

  it.each([
    ["a zero threshold", { thresholdsDays: [0] }],
    ["a negative threshold", { thresholdsDays: [-1] }],
    ["the same threshold twice", { thresholdsDays: [3, 3] }],
    ["a text default", { defaultDays: "14" }],
    ["a zero default", { defaultDays: 0 }],
    ["an unknown key", { thresholds: [3] }],
  ])("expiry: rejects %s with a ConfigError", (_name, expiry) => {
    const client = { listReferrals: async function* () {} };
    expect(() => createSyncEngine({ client, store: createMemoryStore(), expiry: expiry as never })).toThrow(ConfigError);
  });

  it("expiry: announceExpiring rejects with FeatureDisabledError while the feature flag is off", async () => {
    const engine = createSyncEngine({ client: { listReferrals: async function* () {} }, store: createMemoryStore() });
    await expect(engine.announceExpiring()).rejects.toBeInstanceOf(FeatureDisabledError);
  });
});
