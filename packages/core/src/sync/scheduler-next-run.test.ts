// Scheduler.nextRunAt: the time the status route shows as "next sync".
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SyncReport } from "../events.js";
import { emptyCounts } from "./report.js";
import { createScheduler, type SchedulableEngine } from "./scheduler.js";

const START = Date.parse("2026-01-01T00:00:00.000Z");

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

/** An engine whose run we finish by hand. */
function heldEngine() {
  let finish = () => {};
  const engine: SchedulableEngine = {
    run: () =>
      new Promise<SyncReport>((resolve) => {
        finish = () =>
          resolve({
            runId: "run",
            trigger: "schedule",
            full: false,
            status: "succeeded",
            startedAt: new Date().toISOString(),
            finishedAt: new Date().toISOString(),
            durationMs: 0,
            counts: emptyCounts(),
            errors: [],
            warnings: [],
            quarantined: [],
            cursor: { previous: null, next: null },
          });
      }),
  };
  return { engine, finish: () => finish() };
}

describe("Scheduler.nextRunAt", () => {
  it("is the due time of the next tick, null during a run and after stop()", async () => {
    const f = heldEngine();
    const scheduler = createScheduler(f.engine, { intervalMs: 60_000, jitterMs: 1_000, random: () => 0.5 });
    expect(scheduler.nextRunAt).toBeNull();
    scheduler.start();
    expect(scheduler.nextRunAt).toBe(new Date(START + 60_500).toISOString());
    await vi.advanceTimersByTimeAsync(60_500);
    expect(scheduler.busy).toBe(true);
    expect(scheduler.nextRunAt).toBeNull();
    f.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(scheduler.nextRunAt).toBe(new Date(START + 2 * 60_500).toISOString());
    await scheduler.stop();
    expect(scheduler.nextRunAt).toBeNull();
  });
});
