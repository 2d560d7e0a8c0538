// What the store last read of some referrals (readPageContext, getKnownReferrals). applyBatch
// plans the page on it instead of reading the rows again, and its statement checks under a row lock
// that the rows are still exactly this, so a stale memory costs a retry, never a wrong write.
import type { KnownReferral } from "@pc-referrals/core";

/** The stored state of referrals as last read: `null` for an id that was read and is not stored. */
export type RecalledStates = Map<string, KnownReferral | null>;

/** The store's memory of its last read of known referrals. */
export interface KnownStates {
  /** Remembers the answer to a read of `ids`, dropping the oldest read kept. */
  remember(ids: readonly string[], known: ReadonlyMap<string, KnownReferral>): void;
  /** The remembered state of every id (newest read first), or null when one of them was not read. */
  recall(ids: readonly string[]): RecalledStates | null;
  /** Drops ids a write changed. */
  forget(ids: Iterable<string>): void;
}

// Two reads: the engine may read page k+1's context while page k is still being written.
const READS_KEPT = 2;

/** An empty memory; it holds the last {@link READS_KEPT} reads (one page's ids each), newest first. */
export function createKnownStates(): KnownStates {
  let reads: RecalledStates[] = [];
  return {
    remember(ids, known) {
      reads = [new Map(ids.map((id) => [id, known.get(id) ?? null])), ...reads].slice(0, READS_KEPT);
    },
    recall(ids) {
      const states: RecalledStates = new Map();
      for (const id of ids) {
        const read = reads.find((r) => r.has(id));
        if (read === undefined) return null;
        states.set(id, read.get(id) as KnownReferral | null);
      }
      return states;
    },
    forget(ids) {
      for (const id of ids) for (const read of reads) read.delete(id);
    },
  };
}
