// engine.syncReferral (issue 13): one referral read and written as a one-item page, beside the runs.
import { afterEach, describe, expect, it } from "vitest";
import { PcReferralsError } from "../src/errors.js";
import { createSyncEngine } from "../src/sync/engine.js";
import { referenceExamples } from "./fixtures/reference-examples.js";
import { startHarness, type Harness } from "./engine-harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

let clock = Date.parse("2025-06-01T00:00:00Z");

/** Reference example A with its own id, customer and domain, and a later updatedDateTime each time. */
function coSell(id: string, domain: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  clock += 60_000;
  const a = structuredClone(referenceExamples.A) as Record<string, unknown> & { customerProfile: Record<string, unknown> };
  return {
    ...a,
    id,
    updatedDateTime: new Date(clock).toISOString(),
    customerProfile: { ...a.customerProfile, name: `Customer of ${domain}`, team: [{ firstName: "Jana", lastName: "K", email: `jana@${domain}` }] },
    details: { notes: `Customer site: https://www.${domain}/about` },
    ...extra,
  };
}

const getsOf = (harness: Harness, id: string) =>
  harness.fake.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/referrals/${id}`)).length;

describe("engine.syncReferral", () => {
  it("syncReferral: stores a referral it never saw, with events of its own runId, and records no run nor cursor", async () => {
    h = await startHarness({ referrals: [coSell("r-1", "alpenblick.de")] });

    const result = await h.engine.syncReferral("r-1", { reason: "webhook" });

    expect(result).toEqual({ referralId: "r-1", runId: expect.any(String), outcome: "inserted" });
    expect(await h.memory.getReferral("r-1")).toMatchObject({ referralId: "r-1", domain: "alpenblick.de", status: "New" });
    expect(h.eventsOf("referral.ingested", result.runId)).toEqual([expect.objectContaining({ referralId: "r-1", outcome: "inserted" })]);
    expect(h.eventsOf("company.upserted", result.runId)).toEqual([expect.objectContaining({ domain: "alpenblick.de", created: true })]);
    expect(h.eventsOf("domain.scan_requested", result.runId)).toEqual([expect.objectContaining({ domain: "alpenblick.de" })]);
    expect(h.events.map((e) => e.type)).not.toContain("page.fetched");
    expect(h.events.map((e) => e.type)).not.toContain("sync.started");
    expect(await h.memory.listRuns()).toEqual([]);
    expect(await h.memory.getCursor("default")).toBeNull();
    expect(h.storeCalls.acquireRunLock ?? 0).toBe(0);
    expect(h.fake.requests.at(-1)?.headers["ms-correlationid"]).toBe(result.runId);
  });

  it("syncReferral: a status changed at Partner Center is updated and fires referral.status_changed; a second call is unchanged", async () => {
    h = await startHarness({ referrals: [coSell("r-2", "contoso.com")] });
    await h.engine.run({ trigger: "manual" });
    h.fake.update("r-2", { status: "Active", substatus: "Accepted" });

    const updated = await h.engine.syncReferral("r-2");
    const again = await h.engine.syncReferral("r-2");

    expect(updated.outcome).toBe("updated");
    expect(h.eventsOf("referral.status_changed", updated.runId)).toEqual([
      expect.objectContaining({ referralId: "r-2", from: { status: "New", substatus: "Pending" }, to: { status: "Active", substatus: "Accepted" } }),
    ]);
    expect(again.outcome).toBe("unchanged");
    expect(again.runId).not.toBe(updated.runId);
    expect((await h.memory.queryInbox({ status: "Active" })).items.map((r) => r.referralId)).toEqual(["r-2"]);
  });

  it("syncReferral: a 404 resolves not_found and writes nothing", async () => {
    h = await startHarness({ referrals: [] });
    const result = await h.engine.syncReferral("missing-id");
    expect(result).toEqual({ referralId: "missing-id", runId: expect.any(String), outcome: "not_found" });
    expect(h.writes.applyBatchCalls).toBe(0);
  });

  it("syncReferral: a referral the rules skip resolves skipped with the reason", async () => {
    h = await startHarness({ referrals: [coSell("r-out", "fabrikam.com", { direction: "Outgoing" })] });
    const result = await h.engine.syncReferral("r-out");
    expect(result).toMatchObject({ outcome: "skipped", skipReason: "direction" });
    expect(h.eventsOf("referral.skipped", result.runId)).toEqual([expect.objectContaining({ referralId: "r-out", reason: "direction" })]);
    expect(await h.memory.getReferral("r-out")).toBeNull();
  });

  it("syncReferral: an older copy than the stored one resolves stale and changes nothing", async () => {
    const newer = coSell("r-3", "northwind.com", { details: { notes: "newer https://www.northwind.com" } });
    const older = { ...newer, updatedDateTime: "2025-01-01T00:00:00.000Z", details: { notes: "older https://www.northwind.com" } };
    h = await startHarness({ referrals: [newer] });
    await h.engine.run({ trigger: "manual" });
    h.fake.setReferrals([older]);

    const result = await h.engine.syncReferral("r-3");

    expect(result.outcome).toBe("stale");
    expect((await h.memory.getReferral("r-3"))?.payload.details).toEqual({ notes: "newer https://www.northwind.com" });
  });

  it("syncReferral: a referral whose processing fails resolves failed with the error, and the call does not throw", async () => {
    h = await startHarness({
      referrals: [coSell("r-bad", "tailspin.com")],
      engine: {
        matchLead: async () => {
          throw new Error("CRM is down");
        },
      },
    });
    const result = await h.engine.syncReferral("r-bad");
    expect(result).toMatchObject({ outcome: "failed", error: { code: "internal", message: "CRM is down" } });
    expect(h.eventsOf("referral.failed", result.runId)).toHaveLength(1);
  });

  it("syncReferral: runs beside a sync that holds the run lock (it takes no lock)", async () => {
    h = await startHarness({ referrals: [coSell("r-4", "litware.com")] });
    const held = await h.memory.acquireRunLock({ owner: "other-run", ttlMs: 60_000 });
    expect(held.acquired).toBe(true);

    const result = await h.engine.syncReferral("r-4");

    expect(result.outcome).toBe("inserted");
    expect((await h.memory.getSyncStatus("default")).running).toMatchObject({ owner: "other-run" });
  });

  it("syncReferral: concurrent calls for one id share one request and one write", async () => {
    h = await startHarness({ referrals: [coSell("r-5", "adatum.com")] });
    const [a, b] = await Promise.all([h.engine.syncReferral("r-5"), h.engine.syncReferral("r-5")]);
    expect(a).toEqual(b);
    expect(getsOf(h, "r-5")).toBe(1);
    expect(h.writes.applyBatchCalls).toBe(1);
    await h.engine.syncReferral("r-5");
    expect(getsOf(h, "r-5")).toBe(2);
  });

  it("syncReferral: refuses bad input with invalid_input and a disabled engine with feature_disabled", async () => {
    h = await startHarness({ referrals: [] });
    await expect(h.engine.syncReferral("")).rejects.toSatisfy((e) => PcReferralsError.hasCode(e, "invalid_input"));
    await expect(h.engine.syncReferral("r", { reason: "cron" as never })).rejects.toSatisfy((e) => PcReferralsError.hasCode(e, "invalid_input"));
    const disabled = createSyncEngine({ client: h.client, store: h.memory });
    await expect(disabled.syncReferral("r")).rejects.toSatisfy((e) => PcReferralsError.hasCode(e, "feature_disabled"));
  });
});
