// Item 13 of issue 9: a referral that fails in every run would hold the mark at its timestamp
// forever. Its failures are counted across runs in the store; once quarantined, its failure no
// longer holds the mark back (it is still processed whenever it is read, e.g. by a full run).
import { StoreError } from "../errors.js";
import type { ReferralFailureState } from "../store/referral-failures.js";
import type { EngineStore } from "./guarded-store.js";
import type { PageWriteResult } from "./page-writer.js";
import { summarizeError, type RunRecorder } from "./report.js";

/** The failure bookkeeping of one run. */
export interface QuarantineTracker {
  /** Referrals with failure state when the run began: known failures, not misses of the mark. */
  readonly knownFailing: ReadonlySet<string>;
  /** Records a written page; returns the oldest `updatedDateTime` among its failures that still hold the mark. */
  afterPage(written: PageWriteResult): Promise<number | null>;
}

/** Reads the scope's failure state once; the run lock keeps it current for the whole run. */
export async function createQuarantineTracker(init: {
  store: EngineStore;
  scope: string;
  runId: string;
  quarantineAfter: number;
  recorder: RunRecorder;
  now: () => number;
}): Promise<QuarantineTracker> {
  const { store, scope, runId, recorder } = init;
  const states = new Map((await store.listReferralFailures(scope)).map((s) => [s.referralId, s]));
  const knownFailing = new Set(states.keys());

  return {
    knownFailing,
    async afterPage(written) {
      // An id-less failure cannot be tracked; it holds the mark as any failure did before.
      const failures = written.failures.filter((f) => f.referralId !== "");
      const untracked = written.failures.filter((f) => f.referralId === "");
      const succeeded = written.succeeded.filter((id) => states.has(id));
      let oldest = minOf(untracked.map((f) => f.updatedAtMs));
      if (failures.length === 0 && succeeded.length === 0) return oldest;

      const result: ReferralFailureState[] = await store.recordReferralFailures({
        scope,
        runId,
        quarantineAfter: init.quarantineAfter,
        at: new Date(init.now()).toISOString(),
        failed: failures.map((f) => ({
          referralId: f.referralId,
          contentHash: f.contentHash,
          updatedAt: f.updatedAtMs === null ? null : new Date(f.updatedAtMs).toISOString(),
          error: summarizeError(f.error),
        })),
        succeeded,
      });
      if (!Array.isArray(result) || result.length !== failures.length) {
        throw new StoreError("recordReferralFailures must return one state per failed referral, in input order.");
      }
      for (const id of succeeded) states.delete(id);
      failures.forEach((f, i) => {
        const state = result[i] as ReferralFailureState;
        const wasQuarantined = (states.get(f.referralId)?.quarantinedAt ?? null) !== null;
        states.set(f.referralId, state);
        if (state.quarantinedAt === null) oldest = minOf([oldest, f.updatedAtMs]);
        else if (!wasQuarantined) recorder.quarantined(f.referralId, state.failures);
      });
      return oldest;
    },
  };
}

function minOf(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : Math.min(...present);
}
