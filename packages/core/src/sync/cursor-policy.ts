// Where an incremental run stops and which mark it may write (issue 9 items 1 and 15): the mark
// never passes the run's start plus the clock-skew allowance, and the early stop relies on the
// listing being newest first only while the server is seen to honour that order.
import type { ReferralPage } from "../client/types.js";
import type { Cursor, SyncWarning } from "../store/store.js";
import { pageItemUpdatedAtMs, parseTimestamp } from "./process-referral.js";

/** An item newer than an earlier one by more than this means the server did not honour `$orderby`. */
export const ORDER_TOLERANCE_MS = 1000;

/** How one run lists, decided from the stored cursor before the first page. */
export interface ListingPlan {
  /** The stored cursor, as read. */
  stored: Cursor | null;
  /** Epoch ms of the stored mark; null when there is none or it lies past `capMs` (then it is set back). */
  previousMs: number | null;
  /** Stop after the first page holding an item below this; null lists in full. */
  stopBelowMs: number | null;
  /** No mark may be later than this: the run's start plus the clock-skew allowance. */
  capMs: number;
  /** Whether the stored cursor says the order was honoured. */
  orderHonoured: boolean;
  warning: SyncWarning | null;
}

export function planListing(input: {
  stored: Cursor | null;
  full: boolean;
  startMs: number;
  overlapMs: number;
  clockSkewAllowanceMs: number;
}): ListingPlan {
  const { stored } = input;
  const capMs = input.startMs + input.clockSkewAllowanceMs;
  const storedMs = parseTimestamp(stored?.updatedAt);
  const orderHonoured = stored?.orderHonoured !== false;
  if (storedMs !== null && storedMs > capMs) {
    // Written before the cap existed (or by a host): stopping there would skip everything older.
    const message = `The stored mark ${stored?.updatedAt} lies past the run's start plus clockSkewAllowanceMs; the run listed in full and set it back.`;
    return { stored, previousMs: null, stopBelowMs: null, capMs, orderHonoured, warning: { code: "cursor_in_future", message } };
  }
  const inFull = input.full || storedMs === null || !orderHonoured;
  return { stored, previousMs: storedMs, stopBelowMs: inFull ? null : storedMs - input.overlapMs, capMs, orderHonoured, warning: null };
}

/**
 * True when the page holds a dated item older than `belowMs` (undated garbage is ignored). Newest
 * first, every item after it is older still, so the listing can stop at this page (issue 12 item 7)
 * — but only while the order is seen honoured (see {@link OrderWatch}).
 */
export function holdsItemOlder(page: ReferralPage, belowMs: number): boolean {
  return page.referrals.some((item) => {
    const ms = pageItemUpdatedAtMs(item);
    return ms !== null && ms < belowMs;
  });
}

/** Whether the listing so far was newest first; `observe` each page in listing order. */
export interface OrderWatch {
  readonly honoured: boolean;
  observe(page: ReferralPage): void;
}

/** Watches the listing for an item newer than an earlier one (undated and invalid items are ignored). */
export function createOrderWatch(): OrderWatch {
  let lowestMs: number | null = null;
  let honoured = true;
  return {
    get honoured() {
      return honoured;
    },
    observe(page: ReferralPage): void {
      for (const item of page.referrals) {
        const ms = item.ok ? parseTimestamp(item.referral.updatedDateTime) : null;
        if (ms === null) continue;
        if (lowestMs !== null && ms > lowestMs + ORDER_TOLERANCE_MS) honoured = false;
        lowestMs = lowestMs === null ? ms : Math.min(lowestMs, ms);
      }
    },
  };
}

export const ORDER_WARNING: SyncWarning = {
  code: "order_not_honoured",
  message: `The listing was not newest first (an item newer than an earlier one by more than ${ORDER_TOLERANCE_MS} ms): the run read to the end, and incremental runs list in full until one sees the order honoured.`,
};

/**
 * The cursor to write after a run, or null when the stored one stays: the mark moves to `targetMs`
 * (capped) when that is later, and `orderHonoured` is what this run saw.
 */
export function nextCursor(plan: ListingPlan, targetMs: number | null, orderHonoured: boolean): Cursor | null {
  const capped = targetMs === null ? null : Math.min(targetMs, plan.capMs);
  const moves = capped !== null && (plan.previousMs === null || capped > plan.previousMs);
  const updatedAt = moves ? new Date(capped).toISOString() : (plan.stored?.updatedAt ?? null);
  if (updatedAt === null || (!moves && orderHonoured === plan.orderHonoured)) return null;
  return orderHonoured ? { updatedAt } : { updatedAt, orderHonoured: false };
}
