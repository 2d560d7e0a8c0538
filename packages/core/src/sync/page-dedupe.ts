// Within one page only the newest copy of a referral is written (issue 9 item 2): offset paging
// under concurrent updates lists a referral twice, and newest first the later copy is the older.
import type { ReferralPageItem } from "../client/types.js";
import { parseTimestamp } from "./process-referral.js";

type ValidItem = Extract<ReferralPageItem, { ok: true }>;

/**
 * Positions of the copies to drop: of every id listed more than once among the valid items, all
 * but the one with the newest `updatedDateTime`, then the greater `eTag`, then the first listed.
 */
export function staleCopyIndexes(items: readonly ReferralPageItem[]): Set<number> {
  const kept = new Map<string, number>();
  const stale = new Set<number>();
  items.forEach((item, index) => {
    if (!item.ok) return;
    const keptIndex = kept.get(item.referral.id);
    if (keptIndex === undefined) {
      kept.set(item.referral.id, index);
    } else if (isNewer(item, items[keptIndex] as ValidItem)) {
      stale.add(keptIndex);
      kept.set(item.referral.id, index);
    } else {
      stale.add(index);
    }
  });
  return stale;
}

function isNewer(a: ValidItem, b: ValidItem): boolean {
  const aMs = parseTimestamp(a.referral.updatedDateTime) ?? -Infinity;
  const bMs = parseTimestamp(b.referral.updatedDateTime) ?? -Infinity;
  if (aMs !== bMs) return aMs > bMs;
  return (a.referral.eTag ?? "") > (b.referral.eTag ?? "");
}
