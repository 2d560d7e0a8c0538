// What the store last read of some referrals (readPageContext, getKnownReferrals). applyBatch
// plans the page on it instead of reading the rows again, and its statement checks under a row lock
// that the rows are still exactly this, so a stale memory costs a retry, never a wrong write.
import type { KnownReferral } from "@pc-referrals/core";

/** The stored state of referrals as last read: `null` for an id that was read and is not stored. */
export type RecalledStates = Map<string, KnownReferral | null>;

/** The store's memory of its last read of known referrals. */
export interface KnownStates {
  /** Replaces the memory with the answer to a read of `ids`. */
  remember(ids: readonly string[], known: ReadonlyMap<string, KnownReferral>): void;
  /** The remembered state of every id, or null when one of them was not part of the last read. */
  recall(ids: readonly string[]): RecalledStates | null;
  /** Drops ids a write changed. */
  forget(ids: Iterable<string>): void;
}

/** An empty memory; it only ever holds one read (one page's ids). */
export function createKnownStates(): KnownStates {
  let remembered: RecalledStates = new Map();
  return {
    remember(ids, known) {
      remembered = new Map(ids.map((id) => [id, known.get(id) ?? null]));
    },
    recall(ids) {
      const states: RecalledStates = new Map();
      for (const id of ids) {
        const state = remembered.get(id);
        if (state === undefined) return null;
        states.set(id, state);
      }
      return states;
    },
    forget(ids) {
      for (const id of ids) remembered.delete(id);
    },
  };
}
