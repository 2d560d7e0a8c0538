import { describe, expect, it } from "vitest";
import { createEventEmitter, type SyncEvent } from "../events.js";
import { SKIP_REASONS } from "../referral.js";
import { createMetricsRecorder, metricSamples } from "./metrics.js";
import { createRunRecorder, decideStatus, emptyCounts, summarizeError } from "./report.js";

function setup(maxErrors = 10) {
  const emitter = createEventEmitter();
  const events: SyncEvent[] = [];
  emitter.onAny((e) => events.push(e));
  const metrics = createMetricsRecorder();
  emitter.onAny((e) => metrics.observe(e));
  const recorder = createRunRecorder({ runId: "run-1", trigger: "manual", full: false, startedAt: "2025-01-01T00:00:00.000Z", emitter, maxErrors });
  return { recorder, events, metrics };
}

describe("decideStatus", () => {
  it.each([
    [{ runError: false, failed: 0 }, "succeeded"],
    [{ runError: false, failed: 2 }, "partial"],
    [{ runError: true, failed: 0 }, "failed"],
    [{ runError: true, failed: 3 }, "failed"],
  ] as const)("%j → %s", (outcome, status) => {
    expect(decideStatus(outcome)).toBe(status);
  });
});

describe("createRunRecorder", () => {
  it("counts exactly what it emits", () => {
    const { recorder, events } = setup();
    recorder.pageFetched(1, 3);
    recorder.skipped({ id: "r1", page: 1, index: 0 }, "status");
    recorder.skipped({ id: null, page: 1, index: 1 }, "invalid_payload", ["id: Too small"]);
    recorder.failed("r3", new Error("boom"));
    recorder.ingested({ referralId: "r4", referralType: "co-sell", outcome: "inserted", domain: "a.com", linkStatus: "unlinked", score: 15 });
    recorder.ingested({ referralId: "r5", referralType: "co-sell", outcome: "updated", domain: "a.com", linkStatus: "unlinked", score: 15 });
    recorder.unchanged();
    recorder.scanRequested("a.com");

    expect(recorder.counts).toEqual({
      ...emptyCounts(),
      pages: 1,
      fetched: 3,
      ingested: 1,
      updated: 1,
      unchanged: 1,
      failed: 1,
      domainScansRequested: 1,
      skipped: { ...emptyCounts().skipped, status: 1, invalid_payload: 1 },
    });
    expect(events.map((e) => e.type)).toEqual([
      "page.fetched",
      "referral.skipped",
      "referral.skipped",
      "referral.failed",
      "referral.ingested",
      "referral.ingested",
      "domain.scan_requested",
    ]);
    expect(events[2]).toMatchObject({ referralId: "page-1/item-1", reason: "invalid_payload", runId: "run-1" });
    expect(recorder.errors).toEqual([
      { referralId: null, code: "invalid_payload", message: "Invalid payload: id: Too small" },
      { referralId: "r3", code: "internal", message: "boom" },
    ]);
  });

  it("caps the error list but never the counts; run-level errors always make the list", () => {
    const { recorder } = setup(2);
    for (let i = 0; i < 5; i += 1) recorder.failed(`r${i}`, new Error("x"));
    recorder.runError({ code: "network_error", message: "down" });
    expect(recorder.counts.failed).toBe(5);
    expect(recorder.errors.map((e) => e.referralId)).toEqual(["r0", "r1", null]);
    expect(recorder.toRecord("failed", "2025-01-01T00:01:00.000Z")).toMatchObject({ status: "failed", counts: { failed: 5 } });
  });
});

describe("summarizeError", () => {
  it("masks contact data a host error may echo", () => {
    expect(summarizeError(new Error("no lead for jana@contoso.com")).message).not.toContain("jana@contoso.com");
  });
});

describe("metrics", () => {
  it("derives counters from events and flattens them into samples", () => {
    const { recorder, metrics } = setup();
    recorder.pageFetched(1, 2);
    recorder.skipped({ id: "r1", page: 1, index: 0 }, "direction");
    recorder.ingested({ referralId: "r2", referralType: "marketplace", outcome: "inserted", domain: null, linkStatus: "unlinked", score: null });
    metrics.scanFinished(false);
    const snapshot = metrics.snapshot();
    expect(snapshot.referrals).toMatchObject({ fetched: 2, inserted: 1, skipped: { direction: 1 } });
    expect(snapshot.domainScans.failed).toBe(1);
    const samples = metricSamples(snapshot);
    expect(samples).toContainEqual(expect.objectContaining({ name: "pc_referrals_referrals_total", labels: { outcome: "skipped", reason: "direction" }, value: 1 }));
    expect(samples.filter((s) => s.labels.outcome === "skipped")).toHaveLength(SKIP_REASONS.length);
    snapshot.pages = 99;
    expect(metrics.snapshot().pages).toBe(1);
  });
});
