// Write-back (issue 13): createReferralActions against the fake Partner Center, the memory store and a real engine.
import { afterEach, describe, expect, it } from "vitest";
import { createReferralActions, type ReferralActions } from "../src/actions/referral-actions.js";
import { allowedReferralActions } from "../src/actions/transitions.js";
import { PcReferralsError, type InvalidTransitionError, type ReferralActionName, type ReferralConflictError } from "../src/errors.js";
import type { FaultRule } from "../src/testing/faults.js";
import { referenceExamples } from "./fixtures/reference-examples.js";
import { startHarness, type Harness } from "./engine-harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

let clock = Date.parse("2025-06-01T00:00:00Z");

function coSell(id: string, domain: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  clock += 60_000;
  const a = structuredClone(referenceExamples.A) as Record<string, unknown> & { customerProfile: Record<string, unknown> };
  return {
    ...a,
    id,
    eTag: `"etag-${id}"`,
    updatedDateTime: new Date(clock).toISOString(),
    customerProfile: { ...a.customerProfile, name: `Customer of ${domain}`, team: [{ firstName: "Jana", lastName: "K", email: `jana@${domain}` }] },
    details: { notes: `Customer site: https://www.${domain}/about`, dealValue: 1000, currency: "USD" },
    ...extra,
  };
}

const NEW = coSell("r-new", "alpenblick.de");
const ACTIVE = coSell("r-active", "contoso.com", { status: "Active", substatus: "Accepted" });
// Closed referrals are not ingested when first seen (the default filter), so this one closes after it was stored.
const CLOSED = coSell("r-closed", "fabrikam.com");

/** A synced harness and actions over it. */
async function setup(options: { faults?: FaultRule[] } = {}): Promise<{ harness: Harness; actions: ReferralActions }> {
  h = await startHarness({ referrals: [NEW, ACTIVE, CLOSED], ...(options.faults ? { faults: options.faults } : {}) });
  await h.engine.run({ trigger: "manual", full: true });
  h.fake.update("r-closed", { status: "Closed", substatus: "Won" });
  await h.engine.syncReferral("r-closed");
  return { harness: h, actions: createReferralActions({ client: h.client, store: h.store, engine: h.engine }) };
}

const patches = (harness: Harness) => harness.fake.requests.filter((r) => r.method === "PATCH");
const remote = async (harness: Harness, id: string) => (await harness.client.getReferral(id)) as Record<string, unknown> | null;
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (e: unknown) => (PcReferralsError.is(e) ? e.code : String(e)),
  );

describe("allowedReferralActions", () => {
  it.each([
    ["New", "Pending", ["accept", "decline", "setExternalReference", "setDealValue"]],
    ["New", "Received", ["accept", "decline", "setExternalReference", "setDealValue"]],
    ["Active", "Accepted", ["close", "setExternalReference", "setDealValue"]],
    ["Closed", "Won", []],
    ["Closed", "Declined", []],
    ["None", "None", []],
    [null, null, []],
    ["constructor", null, []],
  ])("allowedReferralActions: %s/%s allows %j", (status, substatus, allowed) => {
    expect(allowedReferralActions({ status, substatus })).toEqual(allowed);
  });
});

describe("createReferralActions: transitions allowed", () => {
  it("accept: New → Active/Accepted with If-Match of the stored eTag; the store, events and audit show it at once", async () => {
    const { harness, actions } = await setup();
    const result = await actions.accept("r-new", { actor: "jana@host.example" });

    expect(result).toMatchObject({ referralId: "r-new", action: "accept", status: "Active", substatus: "Accepted", requestId: expect.any(String), auditId: expect.any(String) });
    expect(result.eTag).not.toBe('"etag-r-new"');
    expect(result.sync).toMatchObject({ outcome: "updated" });
    expect(patches(harness).map((r) => r.headers["if-match"])).toEqual(['"etag-r-new"']);
    expect(await harness.memory.getReferral("r-new")).toMatchObject({ status: "Active", substatus: "Accepted" });
    expect(harness.eventsOf("referral.status_changed", result.sync?.runId)).toEqual([
      expect.objectContaining({ referralId: "r-new", from: { status: "New", substatus: "Pending" }, to: { status: "Active", substatus: "Accepted" } }),
    ]);
    expect(harness.eventsOf("referral.action")).toEqual([
      expect.objectContaining({ referralId: "r-new", action: "accept", actor: "jana@host.example", outcome: "succeeded", requestId: result.requestId, auditId: result.auditId }),
    ]);
    expect(await harness.memory.listReferralActions({ referralId: "r-new" })).toEqual([
      { id: result.auditId, referralId: "r-new", action: "accept", actor: "jana@host.example", outcome: "succeeded", requestId: result.requestId, input: {}, error: null, at: expect.any(String) },
    ]);
  });

  it("decline: New → Closed/Declined with the reason as statusReason", async () => {
    const { harness, actions } = await setup();
    const result = await actions.decline("r-new", { reason: "  Outside our service region " });
    expect(result).toMatchObject({ status: "Closed", substatus: "Declined" });
    expect(await remote(harness, "r-new")).toMatchObject({ status: "Closed", substatus: "Declined", statusReason: "Outside our service region" });
    expect((await harness.memory.listReferralActions())[0]).toMatchObject({ action: "decline", outcome: "succeeded", input: { reason: "Outside our service region" }, actor: null });
  });

  it.each([
    ["won", "Won"],
    ["lost", "Lost"],
  ] as const)("close: Active → Closed/%s, with an optional reason", async (outcome, substatus) => {
    const { harness, actions } = await setup();
    const result = await actions.close("r-active", { outcome, reason: "Budget decision" });
    expect(result).toMatchObject({ status: "Closed", substatus });
    expect(await remote(harness, "r-active")).toMatchObject({ status: "Closed", substatus, statusReason: "Budget decision" });
    expect(await harness.memory.getReferral("r-active")).toMatchObject({ status: "Closed", substatus });
  });

  it.each(["r-new", "r-active"])("setExternalReference and setDealValue on %s write externalReferenceId and details.dealValue/currency", async (id) => {
    const { harness, actions } = await setup();
    await actions.setExternalReference(id, "CRM-0042");
    const deal = await actions.setDealValue(id, { value: 25_000.5, currency: "eur" });
    expect(deal.status).toBe(id === "r-new" ? "New" : "Active");
    const after = await remote(harness, id);
    expect(after).toMatchObject({ externalReferenceId: "CRM-0042", details: { dealValue: 25_000.5, currency: "EUR" } });
    expect((after?.details as { notes?: string }).notes).toContain("https://www.");
    expect((await harness.memory.getReferral(id))?.payload).toMatchObject({ externalReferenceId: "CRM-0042" });
    expect((await harness.memory.listReferralActions({ referralId: id })).map((r) => [r.action, r.outcome, r.input])).toEqual([
      ["setDealValue", "succeeded", { value: 25_000.5, currency: "EUR" }],
      ["setExternalReference", "succeeded", { value: "CRM-0042" }],
    ]);
  });

  it("works without an engine (it makes one of the defaults for the re-read)", async () => {
    const { harness } = await setup();
    const actions = createReferralActions({ client: harness.client, store: harness.memory });
    const result = await actions.accept("r-new");
    expect(result.sync).toMatchObject({ outcome: "updated" });
    expect((await harness.memory.getReferral("r-new"))?.status).toBe("Active");
  });
});

describe("createReferralActions: options", () => {
  it("options: a client that cannot PATCH, a store without the audit trail, or no engine and no listReferrals is config_invalid", async () => {
    const { harness } = await setup();
    const make = (options: unknown) => {
      try {
        createReferralActions(options as never);
        return "created";
      } catch (error) {
        return PcReferralsError.is(error) ? `${error.code}: ${error.message}` : String(error);
      }
    };
    expect(make({ client: { getReferral: harness.client.getReferral }, store: harness.memory })).toMatch(/^config_invalid: .*client/s);
    expect(make({ client: harness.client, store: { getReferral: harness.memory.getReferral } })).toMatch(/^config_invalid: .*store/s);
    const { getReferral, updateReferral } = harness.client;
    expect(make({ client: { getReferral, updateReferral }, store: harness.memory })).toMatch(/^config_invalid: .*createReferralActions\.engine/s);
    expect(make({ client: { getReferral, updateReferral }, store: harness.memory, engine: harness.engine })).toBe("created");
  });
});

describe("createReferralActions: transitions refused locally", () => {
  const refused: Array<[string, ReferralActionName, (a: ReferralActions, id: string) => Promise<unknown>]> = [
    ["r-new", "close", (a, id) => a.close(id, { outcome: "won" })],
    ["r-active", "accept", (a, id) => a.accept(id)],
    ["r-active", "decline", (a, id) => a.decline(id, { reason: "x" })],
    ["r-closed", "accept", (a, id) => a.accept(id)],
    ["r-closed", "decline", (a, id) => a.decline(id, { reason: "x" })],
    ["r-closed", "close", (a, id) => a.close(id, { outcome: "lost" })],
    ["r-closed", "setExternalReference", (a, id) => a.setExternalReference(id, "CRM-1")],
    ["r-closed", "setDealValue", (a, id) => a.setDealValue(id, { value: 1, currency: "EUR" })],
  ];

  it.each(refused)("%s refuses %s with invalid_transition naming the allowed moves; nothing sent, audited refused", async (id, action, call) => {
    const { harness, actions } = await setup();
    const error = (await call(actions, id).catch((e: unknown) => e)) as InvalidTransitionError;
    expect(error.code).toBe("invalid_transition");
    const stored = await harness.memory.getReferral(id);
    const allowed = allowedReferralActions({ status: stored?.status ?? null, substatus: stored?.substatus ?? null });
    expect(error.allowed).toEqual(allowed);
    expect(error.message).toContain(allowed.length === 0 ? "terminal" : allowed.join(", "));
    expect(patches(harness)).toEqual([]);
    expect(await harness.memory.listReferralActions({ referralId: id })).toEqual([
      expect.objectContaining({ action, outcome: "refused", requestId: null, error: expect.objectContaining({ code: "invalid_transition" }) }),
    ]);
    expect(harness.eventsOf("referral.action")).toEqual([expect.objectContaining({ referralId: id, action, outcome: "refused" })]);
  });

  it.each([
    ["decline without a reason", (a: ReferralActions) => a.decline("r-new", { reason: "  " })],
    ["decline without input", (a: ReferralActions) => a.decline("r-new", undefined as never)],
    ["close with another outcome", (a: ReferralActions) => a.close("r-active", { outcome: "maybe" as never })],
    ["a negative deal value", (a: ReferralActions) => a.setDealValue("r-new", { value: -1, currency: "EUR" })],
    ["a deal value that is not finite", (a: ReferralActions) => a.setDealValue("r-new", { value: Number.NaN, currency: "EUR" })],
    ["a currency that is not ISO 4217", (a: ReferralActions) => a.setDealValue("r-new", { value: 1, currency: "EURO" })],
    ["an empty external reference", (a: ReferralActions) => a.setExternalReference("r-new", "")],
    ["an external reference with a control character", (a: ReferralActions) => a.setExternalReference("r-new", "CRM\n1")],
  ])("refuses %s with invalid_input; nothing sent, audited refused", async (_name, call) => {
    const { harness, actions } = await setup();
    expect(await codeOf(call(actions))).toBe("invalid_input");
    expect(patches(harness)).toEqual([]);
    expect((await harness.memory.listReferralActions()).map((r) => [r.outcome, r.error?.code])).toEqual([["refused", "invalid_input"]]);
  });

  it("a referral that is not stored is not_found; nothing sent, audited refused", async () => {
    const { harness, actions } = await setup();
    expect(await codeOf(actions.accept("never-synced"))).toBe("not_found");
    expect(patches(harness)).toEqual([]);
    expect(await harness.memory.listReferralActions()).toEqual([expect.objectContaining({ referralId: "never-synced", outcome: "refused" })]);
  });

  it("a bad referral id or actor is invalid_input before anything else", async () => {
    const { harness, actions } = await setup();
    expect(await codeOf(actions.accept("a/b"))).toBe("invalid_input");
    expect(await codeOf(actions.accept("r-new", { actor: 42 as never }))).toBe("invalid_input");
    expect(patches(harness)).toEqual([]);
  });
});

describe("createReferralActions: conflicts and unknown outcomes", () => {
  it("412: someone changed the referral since it was stored → referral_conflict with the current remote state, stored, never retried", async () => {
    const { harness, actions } = await setup();
    harness.fake.update("r-new", { status: "Active", substatus: "Accepted" });
    const current = await remote(harness, "r-new");

    const error = (await actions.decline("r-new", { reason: "Not for us" }).catch((e: unknown) => e)) as ReferralConflictError;

    expect(error.code).toBe("referral_conflict");
    expect(error.current).toEqual({ status: "Active", substatus: "Accepted", eTag: current?.eTag });
    expect(patches(harness)).toHaveLength(1);
    expect(patches(harness)[0]?.status).toBe(412);
    expect(await remote(harness, "r-new")).toMatchObject({ status: "Active", substatus: "Accepted" });
    expect(await harness.memory.getReferral("r-new")).toMatchObject({ status: "Active", substatus: "Accepted" });
    expect(await harness.memory.listReferralActions()).toEqual([
      expect.objectContaining({ action: "decline", outcome: "conflict", requestId: expect.any(String), error: expect.objectContaining({ code: "referral_conflict" }) }),
    ]);
    // The stored copy is current again, so the move it now allows goes through.
    await expect(actions.close("r-new", { outcome: "won" })).resolves.toMatchObject({ status: "Closed", substatus: "Won" });
  });

  it("a 500 on the PATCH is never resent: write_unconfirmed (landed false after the read-back), audited failed", async () => {
    const { harness, actions } = await setup({ faults: [{ kind: "server_error", method: "PATCH", times: 1 }] });
    const error = await actions.accept("r-new").catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "write_unconfirmed")).toBe(true);
    expect((error as { landed: boolean | null }).landed).toBe(false);
    expect(patches(harness)).toHaveLength(1);
    expect(await remote(harness, "r-new")).toMatchObject({ status: "New" });
    expect(await harness.memory.listReferralActions()).toEqual([
      expect.objectContaining({ outcome: "failed", error: expect.objectContaining({ code: "write_unconfirmed" }) }),
    ]);
  });

  it("a PATCH that landed but whose answer was lost is confirmed by the read-back: succeeded, sent once", async () => {
    const { harness, actions } = await setup({ faults: [{ kind: "drop", method: "PATCH", times: 1 }] });
    const result = await actions.accept("r-new");
    expect(result).toMatchObject({ status: "Active", substatus: "Accepted", requestId: null });
    expect(patches(harness)).toHaveLength(1);
    expect((await harness.memory.listReferralActions())[0]).toMatchObject({ outcome: "succeeded" });
    expect((await harness.memory.getReferral("r-new"))?.status).toBe("Active");
  });
});
