// Item 16 of issue 9: the safety net of the incremental mark. A full run re-reads everything and
// counts what the incremental runs missed; the scheduler decides when one is due.
import type { Logger } from "../logger.js";
import type { SyncCounts } from "../store/store.js";
import type { EngineStore } from "./guarded-store.js";
import type { PageWriteResult } from "./page-writer.js";
import type { RunRecorder } from "./report.js";

/**
 * Returns the page hook of a run that counts `missedByIncremental`: referrals a full run inserted
 * or updated whose `updatedDateTime` is at or below the mark the run started with (newer ones are
 * simply new since the last incremental run). Known failures are no misses. A no-op unless `full`.
 */
export function createMissedCounter(init: {
  full: boolean;
  previousMs: number | null;
  knownFailing: ReadonlySet<string>;
  recorder: RunRecorder;
}): (written: PageWriteResult) => void {
  const { previousMs } = init;
  if (!init.full || previousMs === null) return () => {};
  return (written) => {
    for (const c of written.changed) {
      if (c.updatedAtMs !== null && c.updatedAtMs <= previousMs && !init.knownFailing.has(c.referralId)) {
        init.recorder.missedByIncremental();
      }
    }
  };
}

/** Logs a non-zero count as the `missed_by_incremental` warning. */
export function warnMissed(logger: Logger, runId: string, counts: Pick<SyncCounts, "missedByIncremental">): void {
  const count = counts.missedByIncremental ?? 0;
  if (count > 0) logger.warn({ runId, count }, "missed_by_incremental");
}

/** `startedAt` of the store's last reconcile (newest full run that succeeded or was partial), or null. */
export async function lastFullRunAt(store: EngineStore, scope: string): Promise<string | null> {
  return (await store.getSyncStatus(scope)).lastReconcile?.startedAt ?? null;
}
