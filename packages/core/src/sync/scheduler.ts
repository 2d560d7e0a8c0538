// createScheduler: periodic runs with jitter, never overlapping, surviving every run-level failure.
import { z } from "zod";
import type { SyncReport } from "../events.js";
import { ConfigError, PcReferralsError, SyncInProgressError } from "../errors.js";
import { createMaskingLogger, silentLogger, type Logger } from "../logger.js";
import type { SyncTrigger } from "../store/store.js";
import { durationMs, MAX_TIMER_MS, parseOptions } from "../_options.js";
import type { SyncRunOptions } from "./engine-options.js";
import { summarizeError } from "./report.js";

/** What the scheduler needs of an engine. */
export interface SchedulableEngine {
  run(options: SyncRunOptions): Promise<SyncReport>;
  /**
   * When the last full run started (the engine reads it from the store, so restarts and other
   * replicas count). Without it the scheduler only knows the full runs it started itself.
   */
  lastFullRunAt?(): Promise<string | null>;
  /** The expiry watch; called on start and after every tick, whether or not the tick's sync ran. */
  announceExpiring?(): Promise<unknown>;
}

/** Options of {@link createScheduler}. */
export interface SchedulerOptions {
  /**
   * Pause between the end of one run and the next. Default 600 s, or 30 s when `NODE_ENV=development`.
   * At most 2147483647 ms (about 24.8 days), as for every duration here: the longest `setTimeout` holds.
   */
  intervalMs?: number;
  /** Run as soon as `start()` is called instead of after the first interval. Default false. */
  runOnStart?: boolean;
  /** Aborting stops the scheduler as `stop()` does. */
  signal?: AbortSignal;
  /** Up to this much random delay is added to each wait (spreads replicas). Excludes `jitterRatio`. */
  jitterMs?: number;
  /** Jitter as a fraction of the interval; default 0.1 when neither jitter option is given. */
  jitterRatio?: number;
  /** A requested run still waiting after this long (a long run was in flight) is dropped. Default 1 h. */
  maxQueueAgeMs?: number;
  logger?: Logger;
  /** Random source in [0, 1) for the jitter, for tests. Default `Math.random`. */
  random?: () => number;
  /**
   * A run becomes a full run (`full: true`, the reconcile) when the last full run started this
   * long ago or never happened. Default 24 h; null never asks for one.
   */
  reconcileEveryMs?: number | null;
  /** Clock in epoch ms (reconcile timing, queue age), for tests. Default `Date.now`. */
  now?: () => number;
}

/** A running schedule. */
export interface Scheduler {
  /** Starts ticking; calling it again while started does nothing. */
  start(): void;
  /** Stops ticking and aborts the run in flight, which ends after its current page commits; resolves then. */
  stop(): Promise<void>;
  /**
   * Asks for a run now. While a run is in flight it is queued (one slot) and runs right after,
   * unless it waited longer than `maxQueueAgeMs`. Ignored when the scheduler is not started.
   */
  trigger(trigger?: SyncTrigger): void;
  /** Started and not stopped. */
  readonly running: boolean;
  /** A run is in flight. */
  readonly busy: boolean;
  /** When the next scheduled run is due (ISO time); null while a run is in flight and when stopped. */
  readonly nextRunAt: string | null;
}

const optionsSchema = z
  .strictObject({
    intervalMs: durationMs().optional(),
    runOnStart: z.boolean().default(false),
    signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, "expected an AbortSignal").optional(),
    jitterMs: durationMs({ min: 0 }).optional(),
    jitterRatio: z.number().min(0).max(1).optional(),
    maxQueueAgeMs: durationMs().default(60 * 60_000),
    logger: z.custom<Logger>((v) => typeof v === "object" && v !== null, "expected a pino-compatible logger").optional(),
    random: z.custom<() => number>((v) => typeof v === "function", "expected a function returning [0, 1)").optional(),
    reconcileEveryMs: durationMs().nullable().default(24 * 60 * 60_000),
    now: z.custom<() => number>((v) => typeof v === "function", "expected a function returning epoch ms").optional(),
  })
  .refine((o) => o.jitterMs === undefined || o.jitterRatio === undefined, {
    message: "give jitterMs or jitterRatio, not both",
    path: ["jitterMs"],
  });

/** Default interval: 30 s in development, 600 s otherwise (docs/architecture.md "Schedule"). */
export function defaultSyncIntervalMs(env: Record<string, string | undefined> = process.env): number {
  // Same reading as loadConfig: NODE_ENV is compared trimmed and case-insensitively.
  return env.NODE_ENV?.trim().toLowerCase() === "development" ? 30_000 : 600_000;
}

/**
 * Runs `engine` on a schedule. Runs never overlap: the next wait starts when a run ends. A
 * tick that finds the store lock held elsewhere is skipped; a disabled feature flag, a needed
 * login (`AuthRequiredError`) or a network failure is logged and the schedule goes on.
 *
 * ```ts
 * const scheduler = createScheduler(engine, { runOnStart: true, signal: shutdown.signal });
 * scheduler.start();
 * ```
 */
export function createScheduler(engine: SchedulableEngine, options: SchedulerOptions = {}): Scheduler {
  const o = parseOptions(optionsSchema, options, "createScheduler");
  if (typeof engine?.run !== "function") {
    throw new ConfigError([{ path: "createScheduler.engine", message: "expected an engine with run(), e.g. createSyncEngine({ … })" }]);
  }
  const intervalMs = o.intervalMs ?? defaultSyncIntervalMs();
  const jitterMax = o.jitterMs ?? Math.round((o.jitterRatio ?? 0.1) * intervalMs);
  const random = o.random ?? Math.random;
  const now = o.now ?? (() => Date.now());
  const logger = createMaskingLogger(o.logger ?? silentLogger);

  let started = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let nextRunAtMs: number | null = null;
  let inFlight: Promise<void> | null = null;
  let queued: { since: number; trigger: SyncTrigger } | null = null;
  let controller = new AbortController();
  // Fallback reconcile clock for an engine without lastFullRunAt: counted from start().
  let ownLastFullMs = now();

  const clearTimer = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    nextRunAtMs = null;
  };

  const scheduleNext = () => {
    clearTimer();
    if (!started) return;
    const jitter = Math.floor(Math.min(Math.max(random(), 0), 1) * jitterMax);
    // Each bound fits a timer, their sum may not, and Node fires an overlong timer at once.
    const delay = Math.min(intervalMs + jitter, MAX_TIMER_MS);
    nextRunAtMs = Date.now() + delay;
    timer = setTimeout(() => {
      timer = null;
      nextRunAtMs = null;
      launch("schedule");
    }, delay);
  };

  const reconcileDue = async (): Promise<boolean> => {
    if (o.reconcileEveryMs === null) return false;
    let lastMs: number | null = ownLastFullMs;
    if (typeof engine.lastFullRunAt === "function") {
      try {
        const at = await engine.lastFullRunAt();
        lastMs = at === null ? null : Date.parse(at);
      } catch (error) {
        // The run itself will meet the same store failure and report it.
        logger.warn({ error: summarizeError(error) }, "reconcile_check_failed");
        return false;
      }
    }
    const due = lastMs === null || Number.isNaN(lastMs) || now() - lastMs >= o.reconcileEveryMs;
    if (due) logger.info({ lastFullRunAt: lastMs === null ? null : new Date(lastMs).toISOString() }, "reconcile_due");
    return due;
  };

  // After the tick's sync, so a referral answered in that run is not announced; a tick skipped for
  // another replica's run still checks.
  let announcing: Promise<void> | null = null;
  const announce = (): Promise<void> => {
    const check = engine.announceExpiring;
    if (typeof check !== "function") return Promise.resolve();
    announcing ??= Promise.resolve()
      .then(() => check.call(engine))
      .then(
        () => {},
        (error: unknown) => {
          if (PcReferralsError.hasCode(error, "feature_disabled")) return;
          logger.warn({ error: summarizeError(error) }, "expiry_check_failed");
        },
      )
      .finally(() => {
        announcing = null;
      });
    return announcing;
  };

  const runOnce = async (trigger: SyncTrigger, signal: AbortSignal): Promise<void> => {
    await syncOnce(trigger, signal);
    await announce();
  };

  const syncOnce = async (trigger: SyncTrigger, signal: AbortSignal): Promise<void> => {
    try {
      const startedMs = now();
      const full = await reconcileDue();
      const report = await engine.run(full ? { trigger, signal, full } : { trigger, signal });
      if (full && report.status !== "failed") ownLastFullMs = startedMs;
      if (report.status === "failed") {
        const error = report.errors.find((e) => e.referralId === null);
        logger.warn({ runId: report.runId, trigger, error }, error?.code === "auth_required" ? "sync_auth_required" : "sync_run_failed");
      } else {
        logger.info({ runId: report.runId, trigger, status: report.status, counts: report.counts }, "sync_run_finished");
      }
    } catch (error) {
      if (PcReferralsError.hasCode(error, "sync_in_progress")) {
        logger.info({ trigger, runningRunId: (error as SyncInProgressError).runningRunId }, "sync_tick_skipped");
      } else if (PcReferralsError.hasCode(error, "feature_disabled")) {
        logger.info({ trigger }, "sync_disabled");
      } else if (PcReferralsError.hasCode(error, "auth_required")) {
        logger.warn({ trigger, error: summarizeError(error) }, "sync_auth_required");
      } else {
        logger.error({ trigger, error: summarizeError(error) }, "sync_run_crashed");
      }
    }
  };

  const launch = (trigger: SyncTrigger) => {
    if (!started) return;
    if (inFlight !== null) {
      queued ??= { since: now(), trigger };
      return;
    }
    clearTimer();
    const signal = controller.signal;
    inFlight = runOnce(trigger, signal).finally(() => {
      inFlight = null;
      afterRun();
    });
  };

  const afterRun = () => {
    if (!started) return;
    const waiting = queued;
    queued = null;
    if (waiting !== null) {
      const age = now() - waiting.since;
      if (age <= o.maxQueueAgeMs) {
        launch(waiting.trigger);
        return;
      }
      logger.warn({ trigger: waiting.trigger, waitedMs: age }, "queued_run_dropped");
    }
    scheduleNext();
  };

  const stop = async (): Promise<void> => {
    const wasStarted = started;
    started = false;
    queued = null;
    clearTimer();
    controller.abort();
    if (inFlight !== null) await inFlight;
    if (announcing !== null) await announcing;
    if (wasStarted) logger.info({}, "scheduler_stopped");
  };

  o.signal?.addEventListener("abort", () => void stop(), { once: true });

  return {
    start() {
      if (started) return;
      if (o.signal?.aborted) {
        logger.info({}, "scheduler_not_started_aborted");
        return;
      }
      started = true;
      ownLastFullMs = now();
      if (controller.signal.aborted) controller = new AbortController();
      logger.info({ intervalMs, jitterMaxMs: jitterMax, runOnStart: o.runOnStart, reconcileEveryMs: o.reconcileEveryMs }, "scheduler_started");
      if (o.runOnStart) launch("schedule");
      else {
        scheduleNext();
        void announce();
      }
    },
    stop,
    trigger(trigger = "manual") {
      if (started) launch(trigger);
    },
    get running() {
      return started;
    },
    get busy() {
      return inFlight !== null;
    },
    get nextRunAt() {
      return nextRunAtMs === null ? null : new Date(nextRunAtMs).toISOString();
    },
  };
}
