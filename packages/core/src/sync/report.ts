// Counting and emitting go through one recorder, so a run's report always equals what its events said.
import { describeError } from "../errors.js";
import type { ErrorSummary, SyncEventEmitter, SyncEventMap, SyncReport } from "../events.js";
import { maskPii } from "../logger.js";
import { SKIP_REASONS, type SkipReason } from "../referral.js";
import { countWarnings } from "../store/referral-failures.js";
import type { SyncCounts, SyncRunRecord, SyncRunStatus, SyncTrigger, SyncWarning } from "../store/store.js";

/** Zeroed counts, with every skip reason present. */
export function emptyCounts(): SyncCounts {
  return {
    pages: 0,
    fetched: 0,
    ingested: 0,
    updated: 0,
    unchanged: 0,
    skipped: Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>,
    failed: 0,
    domainScansRequested: 0,
    futureDated: 0,
    stale: 0,
    quarantined: 0,
    missedByIncremental: null,
  };
}

/**
 * Counts read back from storage, completed with zero (or null) for every key a newer version added
 * since the record was written (e.g. `skipped.spam`, `stale`), so readers can rely on each key.
 */
export function completeCounts(stored: Partial<SyncCounts> | null | undefined): SyncCounts {
  const base = emptyCounts();
  if (typeof stored !== "object" || stored === null) return base;
  return { ...base, ...stored, skipped: { ...base.skipped, ...(stored.skipped ?? {}) } };
}

/** `succeeded` with no failures, `partial` when referrals failed but every page landed, `failed` on a run-level error. */
export function decideStatus(outcome: { runError: boolean; failed: number }): Exclude<SyncRunStatus, "running" | "skipped"> {
  if (outcome.runError) return "failed";
  return outcome.failed > 0 ? "partial" : "succeeded";
}

/** An error as events and reports carry it; messages are masked (a host hook may echo contact data). */
export function summarizeError(error: unknown): ErrorSummary {
  const { code, message } = describeError(error);
  return { code, message: maskPii(message).slice(0, 500) };
}

/** Records one run: every method counts and emits the matching event. */
export interface RunRecorder {
  readonly runId: string;
  readonly counts: Readonly<SyncCounts>;
  readonly errors: ReadonlyArray<SyncRunRecord["errors"][number]>;
  pageFetched(page: number, count: number): void;
  /** `referralId` null: a payload without a usable id, shown in the event by its position. */
  skipped(referral: { id: string | null; page: number; index: number }, reason: SkipReason, issues?: readonly string[]): void;
  failed(referralId: string, error: unknown): void;
  ingested(payload: Omit<SyncEventMap["referral.ingested"], "runId">): void;
  unchanged(): void;
  /** A copy older than the stored referral or than another copy on its page; nothing was written. */
  stale(): void;
  /** A referral dated past the run's start plus the clock-skew allowance (stored, never moving the mark). */
  futureDated(payload: Omit<SyncEventMap["referral.future_dated"], "runId">): void;
  /** Adds a run-level warning; one per code (a later one replaces it). */
  warn(warning: SyncWarning): void;
  statusChanged(payload: Omit<SyncEventMap["referral.status_changed"], "runId">): void;
  companyUpserted(payload: Omit<SyncEventMap["company.upserted"], "runId">): void;
  scanRequested(domain: string): void;
  /** A referral reached the quarantine threshold in this run. */
  quarantined(referralId: string, failures: number): void;
  /** Ids quarantined in this run, in order. */
  readonly quarantinedIds: readonly string[];
  /** A full run wrote a referral the incremental runs had missed. */
  missedByIncremental(): void;
  /** A run-level error (auth, network, store, abort); does not emit (the final event does). */
  runError(summary: ErrorSummary): void;
  /** The run as the store records it. */
  toRecord(status: SyncRunStatus, finishedAt: string | null): SyncRunRecord;
}

/** Creates a recorder; `maxErrors` caps the `errors` list (counts stay exact). */
export function createRunRecorder(init: {
  runId: string;
  trigger: SyncTrigger;
  full: boolean;
  startedAt: string;
  emitter: SyncEventEmitter;
  maxErrors: number;
}): RunRecorder {
  const { runId, emitter } = init;
  const counts = emptyCounts();
  if (init.full) counts.missedByIncremental = 0;
  const quarantinedIds: string[] = [];
  const errors: SyncRunRecord["errors"] = [];
  const warnings = new Map<SyncWarning["code"], SyncWarning>();
  const pushError = (entry: SyncRunRecord["errors"][number]) => {
    if (errors.length < init.maxErrors) errors.push(entry);
  };

  return {
    runId,
    counts,
    errors,
    quarantinedIds,
    pageFetched(page, count) {
      counts.pages += 1;
      counts.fetched += count;
      emitter.emit("page.fetched", { runId, page, count });
    },
    skipped(referral, reason, issues = []) {
      counts.skipped[reason] += 1;
      if (reason === "invalid_payload") {
        const shown = issues.slice(0, 5).join("; ");
        pushError({ referralId: referral.id, code: "invalid_payload", message: `Invalid payload: ${shown || "unknown shape"}` });
      }
      const referralId = referral.id ?? `page-${referral.page}/item-${referral.index}`;
      emitter.emit("referral.skipped", { runId, referralId, reason });
    },
    failed(referralId, error) {
      const summary = summarizeError(error);
      counts.failed += 1;
      pushError({ referralId, code: summary.code, message: summary.message });
      emitter.emit("referral.failed", { runId, referralId, error: summary });
    },
    ingested(payload) {
      if (payload.outcome === "inserted") counts.ingested += 1;
      else counts.updated += 1;
      emitter.emit("referral.ingested", { runId, ...payload });
    },
    unchanged() {
      counts.unchanged += 1;
    },
    stale() {
      counts.stale += 1;
    },
    futureDated(payload) {
      counts.futureDated += 1;
      emitter.emit("referral.future_dated", { runId, ...payload });
    },
    warn(warning) {
      warnings.set(warning.code, { ...warning });
    },
    statusChanged(payload) {
      emitter.emit("referral.status_changed", { runId, ...payload });
    },
    companyUpserted(payload) {
      emitter.emit("company.upserted", { runId, ...payload });
    },
    scanRequested(domain) {
      counts.domainScansRequested += 1;
      emitter.emit("domain.scan_requested", { runId, domain });
    },
    quarantined(referralId, failures) {
      counts.quarantined += 1;
      quarantinedIds.push(referralId);
      emitter.emit("referral.quarantined", { runId, referralId, failures });
    },
    missedByIncremental() {
      counts.missedByIncremental = (counts.missedByIncremental ?? 0) + 1;
    },
    runError(summary) {
      // Run-level errors always make the list, even when referral errors filled it.
      errors.push({ referralId: null, code: summary.code, message: summary.message });
    },
    toRecord(status, finishedAt) {
      return {
        runId,
        trigger: init.trigger,
        full: init.full,
        status,
        startedAt: init.startedAt,
        finishedAt,
        counts: structuredClone(counts),
        errors: errors.map((e) => ({ ...e })),
        warnings: [
          ...futureDatedWarning(counts.futureDated),
          ...countWarnings(counts),
          ...[...warnings.values()].map((w) => ({ ...w })),
        ],
      };
    },
  };
}

function futureDatedWarning(count: number): SyncWarning[] {
  if (count === 0) return [];
  const message = `${count} referral(s) dated after the run's start plus clockSkewAllowanceMs: stored and counted, but they never move the incremental mark.`;
  return [{ code: "future_dated", message, count }];
}

/** The report of a finished run. */
export function buildReport(
  record: SyncRunRecord,
  extra: Pick<SyncReport, "status" | "finishedAt" | "durationMs" | "cursor" | "quarantined">,
): SyncReport {
  return { ...record, ...extra };
}
