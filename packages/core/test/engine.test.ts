// The sync engine end to end: fake Partner Center over HTTP → real client → engine → memory store.
import { afterEach, describe, expect, it } from "vitest";
import { PcReferralsError, SyncInProgressError } from "../src/errors.js";
import { SKIP_REASONS } from "../src/referral.js";
import { generateReferrals } from "../src/testing/generate-referrals.js";
import { expectedIngestedIds, newestUpdatedAt, startHarness, type Harness } from "./engine-harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Counts the events of one run say, per report field. */
function countsFromEvents(harness: Harness, runId: string) {
  const skipped = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0]));
  for (const e of harness.eventsOf("referral.skipped", runId)) skipped[e.reason] = (skipped[e.reason] ?? 0) + 1;
  const ingested = harness.eventsOf("referral.ingested", runId);
  const pages = harness.eventsOf("page.fetched", runId);
  return {
    pages: pages.length,
    fetched: pages.reduce((sum, e) => sum + e.count, 0),
    ingested: ingested.filter((e) => e.outcome === "inserted").length,
    updated: ingested.filter((e) => e.outcome === "updated").length,
    skipped,
    failed: harness.eventsOf("referral.failed", runId).length,
    domainScansRequested: harness.eventsOf("domain.scan_requested", runId).length,
  };
}

describe("createSyncEngine against the fake Partner Center and the memory store", () => {
  const referrals = generateReferrals(2000, { seed: 7 });
  const expected = expectedIngestedIds(referrals);

  it("fully syncs generateReferrals(2000): every ingestible referral lands once, counts equal the events", async () => {
    h = await startHarness({ referrals });
    const report = await h.engine.run({ trigger: "manual" });

    expect(report.status).toBe("succeeded");
    expect(report.counts).toMatchObject({ pages: 20, fetched: 2000, ingested: expected.size, updated: 0, unchanged: 0, failed: 0 });
    const skippedTotal = Object.values(report.counts.skipped).reduce((a, b) => a + b, 0);
    expect(report.counts.ingested + skippedTotal).toBe(2000);
    expect(report.counts.skipped.invalid_payload).toBe(20); // generateReferrals' default 1 % invalid ids
    expect(report.counts).toMatchObject(countsFromEvents(h, report.runId));

    const stored = await h.storedIds();
    expect(stored).toHaveLength(expected.size);
    expect(new Set(stored)).toEqual(expected);
    expect(await h.memory.listRawLeads()).toHaveLength(expected.size);

    // One scan claim per distinct company domain, never per referral.
    const inbox = await h.memory.queryInbox({ pageSize: 500 });
    const domains = new Set((await Promise.all(stored.map((id) => h!.memory.getReferral(id)))).map((r) => r?.domain));
    expect(report.counts.domainScansRequested).toBe(domains.size);
    expect(inbox.total).toBe(expected.size);

    expect(report.cursor).toEqual({ previous: null, next: newestUpdatedAt(referrals) });
    expect(await h.memory.getCursor("default")).toEqual({ updatedAt: newestUpdatedAt(referrals) });
    const [run] = await h.memory.listRuns({ limit: 1 });
    expect(run).toMatchObject({ runId: report.runId, status: "succeeded", counts: report.counts });
    expect(h.eventsOf("sync.completed")).toEqual([expect.objectContaining({ runId: report.runId, report })]);
    expect(h.engine.metrics().referrals.inserted).toBe(expected.size);
  });

  it("runs incrementally the second time and writes nothing for unchanged referrals", async () => {
    h = await startHarness({ referrals });
    await h.engine.run({ trigger: "manual" });
    const listingsBefore = h.fake.requests.length;
    const rowsBefore = h.writes.rows;

    const second = await h.engine.run({ trigger: "schedule" });

    expect(second.status).toBe("succeeded");
    expect(h.writes.rows - rowsBefore).toBe(0);
    expect(second.counts).toMatchObject({ ingested: 0, updated: 0, failed: 0, domainScansRequested: 0 });
    // Newest first, stopping at the page holding the first item below mark − overlap (issue 12 item 7): page 1.
    expect(second.counts.pages).toBe(1);
    expect(h.fake.requests.length - listingsBefore).toBe(1);
    expect(h.fake.requests.at(-1)?.query.$orderby).toBe("updatedDateTime desc");
    expect(second.counts.unchanged).toBe(second.counts.fetched - Object.values(second.counts.skipped).reduce((a, b) => a + b, 0));
    expect(second.cursor.next).toBe(second.cursor.previous);
    expect(await h.memory.listRawLeads()).toHaveLength(expected.size);
  });

  it("picks up exactly the 5 referrals updated in Partner Center, wherever they sit in the listing", async () => {
    h = await startHarness({ referrals });
    await h.engine.run({ trigger: "manual" });
    const stored = await h.storedIds();
    const chosen = [0, 0.25, 0.5, 0.75, 1].map((f) => stored[Math.round(f * (stored.length - 1))] as string);
    for (const id of chosen) h.fake.update(id, { details: { notes: `Follow-up for ${id}` } });
    const rowsBefore = { inserted: h.writes.inserted, updated: h.writes.updated };

    const report = await h.engine.run({ trigger: "api" });

    expect(report.status).toBe("succeeded");
    expect(report.counts).toMatchObject({ ingested: 0, updated: 5, failed: 0 });
    const updatedIds = h.eventsOf("referral.ingested", report.runId).map((e) => e.referralId);
    expect(updatedIds.sort()).toEqual([...chosen].sort());
    expect(h.writes.updated - rowsBefore.updated).toBe(5);
    expect(h.writes.inserted - rowsBefore.inserted).toBe(0);
    expect(report.counts.fetched).toBeLessThan(300);
    for (const id of chosen) {
      expect((await h.memory.getReferral(id))?.payload).toMatchObject({ details: { notes: `Follow-up for ${id}` } });
    }
    expect(await h.memory.listRawLeads()).toHaveLength(expected.size + 5);
    expect(Date.parse(report.cursor.next ?? "")).toBeGreaterThan(Date.parse(report.cursor.previous ?? ""));
  });

  it("after a run aborted mid-way, the next run completes with every referral present exactly once", async () => {
    h = await startHarness({ referrals });
    const controller = new AbortController();
    const off = h.engine.on("page.fetched", (e) => {
      if (e.page === 7) controller.abort();
    });
    const aborted = await h.engine.run({ trigger: "manual", signal: controller.signal });
    off();

    expect(aborted.status).toBe("failed");
    expect(aborted.errors).toContainEqual(expect.objectContaining({ referralId: null, code: "aborted", message: expect.stringContaining("aborted") }));
    expect(aborted.counts.pages).toBe(7); // the page being written when the signal fired still commits
    expect(aborted.cursor).toEqual({ previous: null, next: null });
    expect(await h.memory.getCursor("default")).toBeNull();
    const landed = aborted.counts.ingested;
    expect(await h.storedIds()).toHaveLength(landed);
    expect(h.eventsOf("sync.failed")).toHaveLength(1);

    const resumed = await h.engine.run({ trigger: "manual" });

    expect(resumed.status).toBe("succeeded");
    expect(resumed.counts).toMatchObject({ fetched: 2000, ingested: expected.size - landed, unchanged: landed });
    const stored = await h.storedIds();
    expect(stored).toHaveLength(expected.size);
    expect(new Set(stored)).toEqual(expected);
    const rawIds = (await h.memory.listRawLeads()).map((l) => l.referralId);
    expect(new Set(rawIds).size).toBe(rawIds.length);
    expect(await h.memory.getCursor("default")).toEqual({ updatedAt: newestUpdatedAt(referrals) });
  });

  it("lets only one of two engines on one store run; the other gets SyncInProgressError naming the run", async () => {
    h = await startHarness({ referrals: referrals.slice(0, 300), latencyMs: 20 });
    const other = h.secondEngine();
    let firstRunId: string | undefined;
    const started = new Promise<void>((resolve) =>
      h!.engine.on("sync.started", (e) => {
        firstRunId = e.runId;
        resolve();
      }),
    );
    const first = h.engine.run({ trigger: "schedule" });
    await started;

    const error = await other.run({ trigger: "manual" }).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "sync_in_progress")).toBe(true);
    expect((error as SyncInProgressError).runningRunId).toBe(firstRunId);

    const sameEngine = await h.engine.run({ trigger: "manual" }).catch((e: unknown) => e);
    expect((sameEngine as SyncInProgressError).runningRunId).toBe(firstRunId);

    expect((await first).status).toBe("succeeded");
    expect((await other.run({ trigger: "manual" })).status).toBe("succeeded");
  });

  it("lands every good referral of a hostile batch and reports every one of the 200 bad payloads", async () => {
    const good = generateReferrals(600, { seed: 11, invalidRatio: 0 });
    const garbage = hostilePayloads(200);
    const mixed = good.flatMap((g, i) => (i % 3 === 0 ? [g, garbage[i / 3]] : [g])).filter((x) => x !== undefined);
    expect(mixed).toHaveLength(800);
    const expectedGood = expectedIngestedIds(good);
    h = await startHarness({ referrals: mixed });

    const report = await h.engine.run({ trigger: "manual" });

    expect(report.status).toBe("succeeded");
    expect(report.counts.fetched).toBe(800);
    expect(report.counts.skipped.invalid_payload).toBe(200);
    expect(h.eventsOf("referral.skipped").filter((e) => e.reason === "invalid_payload")).toHaveLength(200);
    expect(report.errors.filter((e) => e.code === "invalid_payload")).toHaveLength(200);
    expect(report.errors.every((e) => e.message.length < 600 && !/@[a-z]/.test(e.message))).toBe(true);
    expect(new Set(await h.storedIds())).toEqual(expectedGood);
    expect(report.counts.ingested).toBe(expectedGood.size);
  });
});

/** 200 payloads of garbage, each rejected by the referral schema, several carrying fresh timestamps. */
function hostilePayloads(count: number): unknown[] {
  const recent = "2025-10-30T12:00:00.0000000Z";
  const kinds: Array<(i: number) => unknown> = [
    () => null,
    (i) => i,
    (i) => `referral-${i}`,
    () => [],
    () => true,
    (i) => ({ name: `no id ${i}`, updatedDateTime: recent }),
    (i) => ({ id: i, updatedDateTime: recent }),
    () => ({ id: "", status: "New" }),
    (i) => ({ id: `bad-status-${i}`, status: 7, direction: "Incoming", updatedDateTime: recent }),
    (i) => ({ id: `bad-profile-${i}`, customerProfile: "contoso.com", updatedDateTime: recent }),
    (i) => ({ id: `bad-team-${i}`, customerProfile: { name: "X", team: "ceo@contoso.com" } }),
    (i) => ({ id: `bad-deal-${i}`, details: { dealValue: "a lot" } }),
    (i) => ({ id: `bad-date-${i}`, updatedDateTime: 20251030 }),
    (i) => ({ id: `bad-nested-${i}`, inviteContext: { invitedBy: "msft" }, constructor: { prototype: {} } }),
    (i) => ({ id: `deep-${i}`, customerProfile: { name: "Y", address: { city: { nested: { deeper: [1, 2, 3] } } } } }),
    (i) => ({ id: `huge-${i}`, target: "x".repeat(5000) }),
  ];
  return Array.from({ length: count }, (_, i) => kinds[i % kinds.length]!(i));
}
