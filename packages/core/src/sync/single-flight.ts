// In-process half of "one run at a time"; the store's run lock covers other processes.
import { SyncInProgressError } from "../errors.js";

/** Admits one run at a time within this engine. */
export interface SingleFlight {
  /** Id of the run in flight, or null. */
  readonly current: string | null;
  /**
   * Admits `runId`, or throws `SyncInProgressError` carrying the id of the run in flight. Entry
   * is synchronous, so two calls in the same tick can never both get in. Returns the release
   * function (idempotent; a stale release never frees a later run).
   */
  enter(runId: string): () => void;
}

/** Creates an empty {@link SingleFlight}. */
export function createSingleFlight(): SingleFlight {
  let current: string | null = null;
  return {
    get current() {
      return current;
    },
    enter(runId) {
      if (current !== null) throw new SyncInProgressError(current);
      current = runId;
      return () => {
        if (current === runId) current = null;
      };
    },
  };
}
