// createSyncEngine: one run = lock → pages (one ahead) → scans → cursor → report (docs/architecture.md "Data flow").
import { randomUUID } from "node:crypto";
import { odataFilter } from "../client/odata-filter.js";
import type { ListReferralsQuery, ReferralPage, RetryNotice } from "../client/types.js";
import { AbortedError, FeatureDisabledError, PcReferralsError, StoreError, SyncInProgressError } from "../errors.js";
import { createEventEmitter, type SyncEvents, type SyncReport } from "../events.js";
import { createMaskingLogger, silentLogger } from "../logger.js";
import { defaultScoringHooks } from "../rules/scoring.js";
import type { RunLock, SyncTrigger } from "../store/store.js";
import { createDomainScanRunner } from "./domain-scans.js";
import { parseEngineOptions, parseRunOptions, type SyncEngineOptions, type SyncRunOptions } from "./engine-options.js";
import { guardStore } from "./guarded-store.js";
import { createOrderWatch, nextCursor, ORDER_WARNING, planListing, holdsItemOlder, type ListingPlan, type OrderWatch } from "./cursor-policy.js";
import { createMetricsRecorder, type SyncMetrics } from "./metrics.js";
import { commitPage, preparePage, type PageTouch, type PageWriteResult, type PageWriterContext, type PreparedPage } from "./page-writer.js";
import { parseTimestamp, type ReferralProcessingConfig } from "./process-referral.js";
import { createQuarantineTracker } from "./quarantine.js";
import { createMissedCounter, lastFullRunAt, warnMissed } from "./reconcile.js";
import { buildReport, createRunRecorder, decideStatus, summarizeError, type RunRecorder } from "./report.js";
import { createSingleFlight } from "./single-flight.js";

/** The sync engine. Subscribe with `on`/`onAny`; every `on` returns its unsubscribe function. */
export interface SyncEngine extends SyncEvents {
  /** The feature flag as configured. */
  readonly enabled: boolean;
  /** Id of the run in flight in this engine, or null. */
  readonly currentRunId: string | null;
  /**
   * Runs one sync. Resolves with the report, also when the run failed as a whole (auth, network,
   * store, abort: `status: "failed"`, the error in `errors`). Rejects only with
   * `FeatureDisabledError`, `SyncInProgressError` (another run holds this engine or the store
   * lock; `runningRunId` names it) and `InvalidInputError` for bad arguments.
   */
  run(options: SyncRunOptions): Promise<SyncReport>;
  /** Counters since the engine was created; `metricSamples()` flattens them for exporters. */
  metrics(): SyncMetrics;
  /**
   * Pass as the client's `onRetry` to surface throttling as `rate_limited` events:
   * `createPartnerCenterClient({ tokenProvider, onRetry: (n) => engine.handleRetryNotice(n) })`.
   */
  handleRetryNotice(notice: RetryNotice): void;
  /**
   * `startedAt` of the last full run that succeeded or was partial, read from the store (so it
   * survives restarts and counts other replicas' runs), or null. The scheduler's reconcile clock.
   */
  lastFullRunAt(): Promise<string | null>;
}

const ABORT_MESSAGE = "The sync was aborted; pages written before the abort are kept.";
class RunAborted extends AbortedError {
  constructor() {
    super(ABORT_MESSAGE);
  }
}

/**
 * Creates a sync engine over a client and a store. Throws `ConfigError` listing every bad
 * option (a store missing a method included).
 *
 * ```ts
 * const engine = createSyncEngine({ client, store: createMemoryStore(), enabled: true });
 * engine.on("referral.ingested", (e) => console.log(e.referralId, e.referralType));
 * const report = await engine.run({ trigger: "manual" });
 * ```
 */
export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const settings = parseEngineOptions(options);
  const now = (options.now as (() => number) | undefined) ?? Date.now;
  const iso = (ms: number) => new Date(ms).toISOString();
  const logger = createMaskingLogger(options.logger ?? silentLogger);
  const store = guardStore(options.store);
  const { client, scanner, matchLead } = options;
  const metrics = createMetricsRecorder();
  const flight = createSingleFlight();
  const emitter = createEventEmitter({
    now: () => new Date(now()),
    onListenerError: (error, type) => logger.error({ event: type, error: summarizeError(error) }, "listener_failed"),
  });
  emitter.onAny((event) => metrics.observe(event));
  emitter.on("referral.failed", (e) => logger.warn({ runId: e.runId, referralId: e.referralId, error: e.error }, "referral_failed"));

  const scoring = settings.scoring;
  const processing: ReferralProcessingConfig = {
    rules: options.rules ?? {},
    scoringHooks:
      options.scoring?.hooks ??
      defaultScoringHooks({
        ...(scoring?.azureTenantScore === undefined ? {} : { azureTenantScore: scoring.azureTenantScore }),
        ...(scoring?.coSellBonus === undefined ? {} : { coSellBonus: scoring.coSellBonus }),
      }),
  };

  // A renewal that fails is this run's store failure (e.g. the lock's connection died), not a
  // second sync: only `false` means another run took the lease over.
  async function renewLock(lock: RunLock, runId: string): Promise<boolean> {
    try {
      return await lock.renew(settings.lockTtlMs);
    } catch (error) {
      const cause = summarizeError(error);
      logger.error({ runId, error: cause }, "run_lock_lost");
      throw new StoreError(`The run lock could not be renewed, so this run stops (no other sync is involved): ${cause.message}`, { cause: error });
    }
  }

  /**
   * Reads pages ahead of the writer and prepares page k+1 while page k is written (docs/architecture.md
   * "Pipelined pages"); returns the newest/oldest-failed timestamps seen.
   */
  async function runPages(
    ctx: PageWriterContext,
    lock: RunLock,
    query: ListReferralsQuery,
    stopBelowMs: number | null,
    order: OrderWatch,
    afterPage: (written: PageWriteResult) => Promise<number | null>,
    abortPrefetch: () => void,
    signal: AbortSignal | undefined,
  ) {
    let newestMs: number | null = null;
    let oldestFailedMs: number | null = null;
    const iterator = client.listReferrals(query);
    let pending: Promise<IteratorResult<ReferralPage, void>> | null = iterator.next();
    pending.catch(() => {});
    // Pages written so far: a preparation that began before the latest write must redo what it changed.
    let commits = 0;

    async function fetchAndPrepare(): Promise<{ prepared: PreparedPage; last: boolean; seenCommits: number } | null> {
      const step: IteratorResult<ReferralPage, void> = await (pending as Promise<IteratorResult<ReferralPage, void>>);
      pending = null;
      if (step.done) return null;
      const page = step.value;
      order.observe(page);
      // Decided before prefetching, so a run that reached its mark asks for nothing more. Once the
      // listing is seen out of order, an old item says nothing about the items still to come.
      const last = stopBelowMs !== null && order.honoured && holdsItemOlder(page, stopBelowMs);
      if (!last) {
        pending = iterator.next();
        pending.catch(() => {});
        await letRequestOut();
      }
      const seenCommits = commits;
      return { prepared: await preparePage(page, ctx), last, seenCommits };
    }

    let next: Promise<Awaited<ReturnType<typeof fetchAndPrepare>>> | null = fetchAndPrepare();
    next.catch(() => {});
    let touched: PageTouch | null = null;
    try {
      while (next !== null) {
        const current = await next;
        next = null;
        if (current === null) break;
        const writing = commitPage(current.prepared, ctx, current.seenCommits < commits ? touched : null);
        writing.catch(() => {});
        if (!current.last) {
          next = fetchAndPrepare();
          next.catch(() => {});
        }
        const written = await writing;
        commits += 1;
        touched = written.touched;
        newestMs = max(newestMs, written.newestMs);
        // Quarantined failures no longer hold the mark back (quarantine.ts).
        oldestFailedMs = min(oldestFailedMs, await afterPage(written));
        logger.debug({ runId: ctx.runId, page: current.prepared.page.pageNumber, count: current.prepared.page.referrals.length }, "page_written");
        // A store that renewed the lease with the page's write answered already (ProcessedPage.lease).
        const renewed = written.lease === undefined ? await renewLock(lock, ctx.runId) : written.lease.renewed;
        if (!renewed) {
          logger.error({ runId: ctx.runId }, "run_lock_lost");
          throw new SyncInProgressError(null);
        }
        if (signal?.aborted) throw new RunAborted();
      }
    } catch (error) {
      throw signal?.aborted ? new RunAborted() : error;
    } finally {
      if (pending !== null || next !== null) abortPrefetch();
      // No store read of a page that will not be written outlives the run.
      await next?.catch(() => {});
      await iterator.return(undefined).catch(() => {});
    }
    return { newestMs, oldestFailedMs };
  }

  async function execute(runId: string, trigger: SyncTrigger, full: boolean, signal: AbortSignal | undefined) {
    const startMs = now();
    const recorder = createRunRecorder({ runId, trigger, full, startedAt: iso(startMs), emitter, maxErrors: settings.maxReportedErrors });
    let lock: RunLock;
    try {
      const result = await store.acquireRunLock({ owner: runId, ttlMs: settings.lockTtlMs });
      if (!result.acquired) throw new SyncInProgressError(result.holder);
      lock = result.lock;
    } catch (error) {
      if (PcReferralsError.hasCode(error, "sync_in_progress")) throw error;
      return finish(recorder, startMs, error, { previous: null, next: null });
    }

    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    // A signal aborted before the run began fires no event: without this, its first page would be written.
    if (signal?.aborted) onAbort();
    const scans = scanner
      ? createDomainScanRunner({
          runId,
          scanner,
          recordDomainScan: (r) => store.recordDomainScan(r),
          concurrency: settings.scanConcurrency,
          timeoutMs: settings.scanTimeoutMs,
          logger,
          onFinished: (ok) => metrics.scanFinished(ok),
        })
      : null;
    let runError: unknown = null;
    let previous: string | null = null;
    let next: string | null = null;
    const order = createOrderWatch();
    let plan: ListingPlan | null = null;
    try {
      emitter.emit("sync.started", { runId, trigger, full });
      logger.info({ runId, trigger, full }, "sync_started");
      await store.recordRun(recorder.toRecord("running", null));
      const stored = await store.getCursor(settings.scope);
      previous = stored?.updatedAt ?? null;
      next = previous;
      plan = planListing({ stored, full, startMs, overlapMs: settings.overlapMs, clockSkewAllowanceMs: settings.clockSkewAllowanceMs });
      if (plan.warning) recorder.warn(plan.warning);
      const { stopBelowMs } = plan;
      const query: ListReferralsQuery = { orderBy: "updatedDateTime desc", top: settings.pageSize, signal: controller.signal, correlationId: runId };
      if (settings.useUpdatedSinceFilter && stopBelowMs !== null) {
        query.filter = odataFilter.compare("updatedDateTime", "gt", new Date(stopBelowMs));
      }
      const ctx: PageWriterContext = {
        runId,
        store,
        processing,
        matchLead,
        matchLeadConcurrency: settings.matchLeadConcurrency,
        recorder,
        scans,
        logger,
        now,
        capMs: plan.capMs,
        lease: { owner: lock.owner, ttlMs: settings.lockTtlMs },
      };
      const quarantineAfter = settings.quarantineAfterRuns;
      const quarantine = await createQuarantineTracker({ store, scope: settings.scope, runId, quarantineAfter, recorder, now });
      const countMissed = createMissedCounter({ full, previousMs: parseTimestamp(previous), knownFailing: quarantine.knownFailing, recorder });
      const afterPage = (written: PageWriteResult) => {
        countMissed(written);
        return quarantine.afterPage(written);
      };
      const seen = await runPages(ctx, lock, query, stopBelowMs, order, afterPage, () => controller.abort(), signal);
      await scans?.drain();
      if (!order.honoured) recorder.warn(ORDER_WARNING);
      const status = decideStatus({ runError: false, failed: recorder.counts.failed });
      // A partial run moves the mark no further than its oldest failure, so the next run retries it.
      const target = status === "partial" ? min(seen.newestMs, seen.oldestFailedMs) : seen.newestMs;
      const cursor = nextCursor(plan, target, order.honoured);
      if (cursor !== null) {
        await store.advanceCursor(settings.scope, cursor);
        next = cursor.updatedAt;
      }
    } catch (error) {
      runError = error instanceof RunAborted || signal?.aborted ? new RunAborted() : error;
      await scans?.drain();
      // A failed run that saw the order broken still says so, or the next could stop before what it missed.
      const flagged = order.honoured || plan === null ? null : nextCursor(plan, null, false);
      if (!order.honoured) recorder.warn(ORDER_WARNING);
      if (flagged) await store.advanceCursor(settings.scope, flagged).catch((e: unknown) => logger.warn({ runId, error: summarizeError(e) }, "cursor_write_failed"));
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    try {
      return await finish(recorder, startMs, runError, { previous, next });
    } finally {
      await lock.release().catch((error: unknown) => logger.warn({ runId, error: summarizeError(error) }, "run_lock_release_failed"));
    }
  }

  async function finish(recorder: RunRecorder, startMs: number, runError: unknown, cursor: SyncReport["cursor"]): Promise<SyncReport> {
    const { runId } = recorder;
    const failed = runError !== null;
    const summary = failed ? summarizeError(runError) : null;
    if (summary !== null) recorder.runError(summary);
    const status = decideStatus({ runError: failed, failed: recorder.counts.failed });
    const finishedMs = Math.max(now(), startMs);
    const record = recorder.toRecord(status, iso(finishedMs));
    for (const warning of record.warnings) logger.warn({ runId, code: warning.code, count: warning.count, message: warning.message }, warning.code);
    try {
      await store.recordRun(record);
    } catch (error) {
      logger.error({ runId, error: summarizeError(error) }, "run_record_failed");
    }
    const quarantined = [...recorder.quarantinedIds];
    const report = buildReport(record, { status, finishedAt: iso(finishedMs), durationMs: finishedMs - startMs, cursor, quarantined });
    warnMissed(logger, runId, report.counts);
    if (summary === null) {
      logger.info({ runId, status, counts: report.counts, durationMs: report.durationMs }, "sync_completed");
      emitter.emit("sync.completed", { runId, report });
    } else {
      if (summary.code === "auth_required") emitter.emit("auth.required", { runId, message: summary.message });
      logger.error({ runId, error: summary, counts: report.counts }, "sync_failed");
      emitter.emit("sync.failed", { runId, error: summary, report });
    }
    return report;
  }

  return {
    enabled: settings.enabled,
    get currentRunId() {
      return flight.current;
    },
    on: (type, listener) => emitter.on(type, listener),
    onAny: (listener) => emitter.onAny(listener),
    metrics: () => metrics.snapshot(),
    lastFullRunAt: () => lastFullRunAt(store, settings.scope),
    async run(runOptions) {
      if (!settings.enabled) throw new FeatureDisabledError();
      const { trigger, full, signal } = parseRunOptions(runOptions);
      const runId = randomUUID();
      const leave = flight.enter(runId);
      try {
        return await execute(runId, trigger, full, signal);
      } finally {
        leave();
      }
    },
    handleRetryNotice(notice) {
      if (typeof notice !== "object" || notice === null) return;
      const current = flight.current;
      const payload = {
        runId: current !== null && notice.correlationId === current ? current : null,
        attempt: notice.attempt,
        delayMs: notice.delayMs,
        status: notice.status,
        requestId: notice.requestId ?? null,
      };
      // Only throttling (429, or 503 with Retry-After) is `rate_limited`; other retries are just logged.
      if (notice.status !== 429 && notice.status !== 503) {
        logger.warn(payload, "request_retry");
        return;
      }
      logger.info(payload, "rate_limited");
      emitter.emit("rate_limited", payload);
    },
  };
}

/**
 * Event-loop turns after asking for the next page (issue 12 item 1). undici writes a request on a
 * reused keep-alive socket from its own setImmediate, one turn after it takes the socket back; a
 * store whose queries never yield (PGlite) would otherwise hold the request until the page is
 * written. The third turn lets a server in this process (the fake, `demo`) read it, so its
 * latency also overlaps the write. Each turn costs microseconds.
 */
const REQUEST_TURNS = 3;

async function letRequestOut(): Promise<void> {
  for (let turn = 0; turn < REQUEST_TURNS; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

function max(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

function min(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}
