import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthRequiredError, FeatureDisabledError, SyncInProgressError } from "../errors.js";
import type { SyncReport } from "../events.js";
import type { Logger } from "../logger.js";
import type { SyncRunOptions } from "./engine-options.js";
import { emptyCounts } from "./report.js";
import { createScheduler, defaultSyncIntervalMs, type SchedulableEngine } from "./scheduler.js";

const MIN = 60_000;

function report(status: SyncReport["status"], errors: SyncReport["errors"] = []): SyncReport {
  return {
    runId: "run",
    trigger: "schedule",
    full: false,
    status,
    startedAt: "2025-01-01T00:00:00.000Z",
    finishedAt: "2025-01-01T00:00:01.000Z",
    durationMs: 1000,
    counts: emptyCounts(),
    errors,
    warnings: [],
    cursor: { previous: null, next: null },
    quarantined: [],
  };
}

type Behaviour = () => Promise<SyncReport>;

/** An engine whose runs we finish by hand (or that answer with queued behaviours). */
function fakeEngine() {
  const calls: SyncRunOptions[] = [];
  const behaviours: Behaviour[] = [];
  let release: (() => void) | null = null;
  const engine: SchedulableEngine = {
    run(options) {
      calls.push(options);
      const next = behaviours.shift();
      if (next) return next();
      return new Promise<SyncReport>((resolve) => {
        release = () => resolve(report("succeeded"));
      });
    },
  };
  return {
    engine,
    calls,
    then: (b: Behaviour) => behaviours.push(b),
    finish: () => {
      release?.();
      release = null;
    },
  };
}

function recordingLogger() {
  const lines: Array<{ level: string; msg: string | undefined; obj: Record<string, unknown> }> = [];
  const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, msg, obj: obj as Record<string, unknown> });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines, msgs: () => lines.map((l) => l.msg) };
}

const instant = () => Promise.resolve(report("succeeded"));

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe("createScheduler", () => {
  it.each([
    ["development", 30_000],
    [" Development ", 30_000],
    ["production", 600_000],
    [undefined, 600_000],
  ])("defaults the interval for NODE_ENV=%s to %i ms", async (env, interval) => {
    vi.stubEnv("NODE_ENV", env);
    expect(defaultSyncIntervalMs()).toBe(interval);
    const f = fakeEngine();
    for (let i = 0; i < 3; i += 1) f.then(instant);
    const scheduler = createScheduler(f.engine, { jitterMs: 0 });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(interval - 1);
    expect(f.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.calls).toHaveLength(1);
    expect(f.calls[0]?.trigger).toBe("schedule");
    await scheduler.stop();
  });

  it("runs on start when asked, then waits interval + jitter after each run", async () => {
    const f = fakeEngine();
    for (let i = 0; i < 3; i += 1) f.then(instant);
    const scheduler = createScheduler(f.engine, { intervalMs: 10 * MIN, runOnStart: true, jitterMs: 1000, random: () => 0.5 });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10 * MIN + 499);
    expect(f.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.calls).toHaveLength(2);
    await scheduler.stop();
  });

  it("applies jitterRatio of the interval", async () => {
    const f = fakeEngine();
    f.then(instant);
    const scheduler = createScheduler(f.engine, { intervalMs: 1000, jitterRatio: 0.5, random: () => 0.999 });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(1498);
    expect(f.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.calls).toHaveLength(1);
    await scheduler.stop();
  });

  it("never overlaps runs: a long run delays the next tick until it ends", async () => {
    const f = fakeEngine();
    const scheduler = createScheduler(f.engine, { intervalMs: MIN, jitterMs: 0, runOnStart: true });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(f.calls).toHaveLength(1);
    expect(scheduler.busy).toBe(true);
    f.finish();
    await vi.advanceTimersByTimeAsync(MIN);
    expect(f.calls).toHaveLength(2);
    f.finish();
    await scheduler.stop();
  });

  it("queues a trigger that arrives during a run and runs it right after", async () => {
    const f = fakeEngine();
    const scheduler = createScheduler(f.engine, { intervalMs: 10 * MIN, jitterMs: 0, runOnStart: true });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    scheduler.trigger("api");
    scheduler.trigger("api");
    await vi.advanceTimersByTimeAsync(MIN);
    expect(f.calls).toHaveLength(1);
    f.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.calls.map((c) => c.trigger)).toEqual(["schedule", "api"]);
    f.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.calls).toHaveLength(2);
    await scheduler.stop();
  });

  it("drops a queued run that waited longer than maxQueueAgeMs", async () => {
    const f = fakeEngine();
    const { logger, msgs } = recordingLogger();
    const scheduler = createScheduler(f.engine, { intervalMs: 10 * MIN, jitterMs: 0, runOnStart: true, logger });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    scheduler.trigger();
    await vi.advanceTimersByTimeAsync(61 * MIN);
    f.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.calls).toHaveLength(1);
    expect(msgs()).toContain("queued_run_dropped");
    await vi.advanceTimersByTimeAsync(10 * MIN);
    expect(f.calls).toHaveLength(2);
    f.finish();
    await scheduler.stop();
  });

  it("runs a trigger at once when idle and restarts the interval from its end", async () => {
    const f = fakeEngine();
    for (let i = 0; i < 3; i += 1) f.then(instant);
    const scheduler = createScheduler(f.engine, { intervalMs: 10 * MIN, jitterMs: 0 });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    scheduler.trigger();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.calls.map((c) => c.trigger)).toEqual(["manual"]);
    await vi.advanceTimersByTimeAsync(10 * MIN - 1);
    expect(f.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.calls).toHaveLength(2);
    await scheduler.stop();
  });

  it.each([
    ["the lock is held elsewhere", () => Promise.reject(new SyncInProgressError("other-run")), "sync_tick_skipped"],
    ["the feature is disabled", () => Promise.reject(new FeatureDisabledError()), "sync_disabled"],
    ["a login is needed", () => Promise.resolve(report("failed", [{ referralId: null, code: "auth_required", message: "login" }])), "sync_auth_required"],
    ["the network is down", () => Promise.resolve(report("failed", [{ referralId: null, code: "network_error", message: "reset" }])), "sync_run_failed"],
    ["the engine rejects with AuthRequiredError", () => Promise.reject(new AuthRequiredError("x")), "sync_auth_required"],
    ["the engine throws something unexpected", () => Promise.reject(new Error("bug")), "sync_run_crashed"],
  ])("survives when %s and keeps ticking", async (_name, behaviour, logged) => {
    const f = fakeEngine();
    const { logger, msgs } = recordingLogger();
    f.then(behaviour);
    f.then(instant);
    const scheduler = createScheduler(f.engine, { intervalMs: MIN, jitterMs: 0, runOnStart: true, logger });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(MIN);
    expect(f.calls).toHaveLength(2);
    expect(msgs()).toContain(logged);
    expect(scheduler.running).toBe(true);
    await scheduler.stop();
  });

  it("stop() aborts the run's signal, waits for it to end, and no tick follows", async () => {
    const f = fakeEngine();
    const scheduler = createScheduler(f.engine, { intervalMs: MIN, jitterMs: 0, runOnStart: true });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    const signal = f.calls[0]?.signal;
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    expect(signal?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    f.finish();
    await stopping;
    expect(scheduler.running).toBe(false);
    await vi.advanceTimersByTimeAsync(10 * MIN);
    expect(f.calls).toHaveLength(1);
  });

  it("stops when the signal it was given aborts, and does not start on an aborted one", async () => {
    const f = fakeEngine();
    for (let i = 0; i < 3; i += 1) f.then(instant);
    const controller = new AbortController();
    const scheduler = createScheduler(f.engine, { intervalMs: MIN, jitterMs: 0, signal: controller.signal });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(MIN);
    expect(f.calls).toHaveLength(1);
    controller.abort();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(f.calls).toHaveLength(1);
    scheduler.start();
    expect(scheduler.running).toBe(false);
  });

  describe("issue 13: the expiry watch on every tick", () => {
    /** The fake engine plus an announceExpiring that records when it ran relative to the runs. */
    function watchedEngine(announce: () => Promise<unknown> = async () => []) {
      const f = fakeEngine();
      const log: string[] = [];
      const engine: SchedulableEngine = {
        run: (options) => {
          log.push("run");
          return f.engine.run(options);
        },
        announceExpiring: () => {
          log.push("announce");
          return announce();
        },
      };
      return { ...f, engine, log };
    }

    it("expiry: checks on start, then after every tick's run (never during it)", async () => {
      const f = watchedEngine();
      for (let i = 0; i < 3; i += 1) f.then(instant);
      const scheduler = createScheduler(f.engine, { intervalMs: MIN, jitterMs: 0 });
      scheduler.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(f.log).toEqual(["announce"]);
      await vi.advanceTimersByTimeAsync(MIN);
      expect(f.log).toEqual(["announce", "run", "announce"]);
      await vi.advanceTimersByTimeAsync(MIN);
      expect(f.log).toEqual(["announce", "run", "announce", "run", "announce"]);
      await scheduler.stop();
    });

    it("expiry: checks after a tick whose sync was refused (another replica's run) or disabled", async () => {
      const f = watchedEngine();
      f.then(() => Promise.reject(new SyncInProgressError("other-run")));
      f.then(() => Promise.reject(new FeatureDisabledError()));
      const scheduler = createScheduler(f.engine, { intervalMs: MIN, jitterMs: 0, runOnStart: true });
      scheduler.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(f.log).toEqual(["run", "announce"]);
      await vi.advanceTimersByTimeAsync(MIN);
      expect(f.log).toEqual(["run", "announce", "run", "announce"]);
      await scheduler.stop();
    });

    it("expiry: a failing check is logged as expiry_check_failed and the schedule goes on", async () => {
      const f = watchedEngine(async () => {
        throw new Error("store down");
      });
      for (let i = 0; i < 2; i += 1) f.then(instant);
      const { logger, msgs } = recordingLogger();
      const scheduler = createScheduler(f.engine, { intervalMs: MIN, jitterMs: 0, runOnStart: true, logger });
      scheduler.start();
      await vi.advanceTimersByTimeAsync(MIN);
      expect(f.log).toEqual(["run", "announce", "run", "announce"]);
      expect(msgs().filter((m) => m === "expiry_check_failed")).toHaveLength(2);
      expect(scheduler.running).toBe(true);
      await scheduler.stop();
    });

    it("expiry: stop() waits for the check in flight", async () => {
      let finish: (() => void) | null = null;
      const f = watchedEngine(() => new Promise<void>((resolve) => (finish = resolve)));
      const scheduler = createScheduler(f.engine, { intervalMs: MIN, jitterMs: 0 });
      scheduler.start();
      await vi.advanceTimersByTimeAsync(0);
      let stopped = false;
      const stopping = scheduler.stop().then(() => (stopped = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(stopped).toBe(false);
      (finish as (() => void) | null)?.();
      await stopping;
      expect(stopped).toBe(true);
    });
  });

  describe("item 16: a full run (reconcile) at least every reconcileEveryMs", () => {
    const HOUR = 60 * MIN;

    /** An engine that remembers its last full run as a store would (it outlives the scheduler). */
    function engineWithHistory(clock: () => number, lastFullRunAt: string | null) {
      const f = fakeEngine();
      const history = { lastFullRunAt };
      const engine: SchedulableEngine = {
        run: async (options) => {
          f.calls.push(options);
          const startedAt = new Date(clock()).toISOString();
          if (options.full) history.lastFullRunAt = startedAt;
          return { ...report("succeeded"), full: options.full ?? false, startedAt };
        },
        lastFullRunAt: async () => history.lastFullRunAt,
      };
      return { engine, calls: f.calls, history };
    }

    it("item 16: runs full once the last full run is older than reconcileEveryMs, incremental in between", async () => {
      let clock = Date.parse("2025-06-01T00:00:00Z");
      const now = () => clock;
      const e = engineWithHistory(now, new Date(clock - 50 * MIN).toISOString());
      const scheduler = createScheduler(e.engine, { intervalMs: 10 * MIN, jitterMs: 0, reconcileEveryMs: HOUR, now });
      scheduler.start();
      for (let tick = 0; tick < 8; tick += 1) {
        clock += 10 * MIN;
        await vi.advanceTimersByTimeAsync(10 * MIN);
      }
      await scheduler.stop();
      // Ticks at +10 … +80 min: the full run falls due at +10 (60 min after the last) and again 60 min later.
      expect(e.calls.map((c) => c.full === true)).toEqual([true, false, false, false, false, false, true, false]);
    });

    it("item 16: after a restart it knows the last full run from the engine (the store), not from its own memory", async () => {
      let clock = Date.parse("2025-06-01T00:00:00Z");
      const now = () => clock;
      const recent = engineWithHistory(now, new Date(clock - 30 * MIN).toISOString());
      const first = createScheduler(recent.engine, { intervalMs: 10 * MIN, jitterMs: 0, runOnStart: true, reconcileEveryMs: HOUR, now });
      first.start();
      await vi.advanceTimersByTimeAsync(0);
      await first.stop();
      expect(recent.calls.map((c) => c.full === true)).toEqual([false]);

      clock += 31 * MIN; // "restarted" 31 min later: the full run is due at once
      const restarted = createScheduler(recent.engine, { intervalMs: 10 * MIN, jitterMs: 0, runOnStart: true, reconcileEveryMs: HOUR, now });
      restarted.start();
      await vi.advanceTimersByTimeAsync(0);
      await restarted.stop();
      expect(recent.calls.map((c) => c.full === true)).toEqual([false, true]);
      expect(recent.history.lastFullRunAt).toBe(new Date(clock).toISOString());

      const never = engineWithHistory(now, null);
      const fresh = createScheduler(never.engine, { intervalMs: 10 * MIN, jitterMs: 0, runOnStart: true, now });
      fresh.start();
      await vi.advanceTimersByTimeAsync(0);
      await fresh.stop();
      expect(never.calls.map((c) => c.full === true)).toEqual([true]);
    });

    it("item 16: reconcileEveryMs null never asks for a full run; an engine without lastFullRunAt counts from start()", async () => {
      let clock = Date.parse("2025-06-01T00:00:00Z");
      const now = () => clock;
      const off = engineWithHistory(now, null);
      const disabled = createScheduler(off.engine, { intervalMs: 10 * MIN, jitterMs: 0, runOnStart: true, reconcileEveryMs: null, now });
      disabled.start();
      await vi.advanceTimersByTimeAsync(0);
      await disabled.stop();
      expect(off.calls.map((c) => c.full === true)).toEqual([false]);

      const f = fakeEngine();
      for (let i = 0; i < 7; i += 1) f.then(instant);
      const scheduler = createScheduler(f.engine, { intervalMs: 10 * MIN, jitterMs: 0, reconcileEveryMs: HOUR, now });
      scheduler.start();
      for (let tick = 0; tick < 7; tick += 1) {
        clock += 10 * MIN;
        await vi.advanceTimersByTimeAsync(10 * MIN);
      }
      await scheduler.stop();
      expect(f.calls.map((c) => c.full === true)).toEqual([false, false, false, false, false, true, false]);
    });

    it("item 16: rejects a bad reconcileEveryMs with a ConfigError", () => {
      expect(() => createScheduler(fakeEngine().engine, { reconcileEveryMs: 0 })).toThrow(
        expect.objectContaining({ code: "config_invalid", issues: [expect.objectContaining({ path: "createScheduler.reconcileEveryMs" })] }),
      );
    });
  });

  it.each([
    [{ intervalMs: 0 }, "createScheduler.intervalMs"],
    [{ jitterMs: 10, jitterRatio: 0.1 }, "createScheduler.jitterMs"],
    [{ jitterRatio: 2 }, "createScheduler.jitterRatio"],
    [{ intervall: 5 }, "createScheduler.intervall"],
  ])("rejects bad options %j with a ConfigError", (options, path) => {
    expect(() => createScheduler(fakeEngine().engine, options as never)).toThrow(
      expect.objectContaining({ code: "config_invalid", issues: [expect.objectContaining({ path })] }),
    );
  });

  describe("item 9: timer overflow", () => {
    const MAX = 2 ** 31 - 1;

    it.each([
      [{ intervalMs: 2 ** 31 }, "createScheduler.intervalMs", 1],
      [{ intervalMs: 1e12 }, "createScheduler.intervalMs", 1],
      [{ jitterMs: 2 ** 31 }, "createScheduler.jitterMs", 0],
      [{ maxQueueAgeMs: 2 ** 31 }, "createScheduler.maxQueueAgeMs", 1],
    ])("rejects %j with a config_invalid that states the range", (options, path, min) => {
      expect(() => createScheduler(fakeEngine().engine, options)).toThrow(
        expect.objectContaining({
          code: "config_invalid",
          issues: [{ path, message: `expected a whole number of milliseconds from ${min} to ${MAX} (about 24.8 days)` }],
        }),
      );
    });

    it("waits the longest interval plus the longest jitter without firing early", async () => {
      const f = fakeEngine();
      f.then(instant);
      // Each bound alone is accepted; their sum overflows setTimeout, which would fire at once.
      const scheduler = createScheduler(f.engine, { intervalMs: MAX, jitterMs: MAX, random: () => 0.999 });
      scheduler.start();
      await vi.advanceTimersByTimeAsync(60 * MIN);
      expect(f.calls).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(MAX - 60 * MIN);
      expect(f.calls).toHaveLength(1);
      await scheduler.stop();
    });
  });

  it.each([null, {}, { run: "no" }])("rejects %j as the engine with a ConfigError", (engine) => {
    expect(() => createScheduler(engine as never)).toThrow(
      expect.objectContaining({ code: "config_invalid", issues: [expect.objectContaining({ path: "createScheduler.engine" })] }),
    );
  });
});
