// engine.announceExpiring: which stored New referrals crossed a threshold, claimed in the store so
// each is announced once across restarts and replicas (docs/architecture.md "Expiry watch").
import type { SyncEventEmitter, SyncEventMap } from "../events.js";
import { expiryDaysLeft, type ExpiryAnnouncement } from "../store/expiry.js";
import { INBOX_MAX_PAGE_SIZE } from "../store/inbox-query.js";
import type { Store } from "../store/store.js";

const DAY_MS = 24 * 60 * 60_000;

/** One `referral.expiring` payload. */
export type ExpiringReferral = SyncEventMap["referral.expiring"];

/** What one check needs. */
export interface ExpiryWatchContext {
  store: Pick<Store, "queryInbox" | "claimExpiryAnnouncements">;
  emitter: Pick<SyncEventEmitter, "emit">;
  thresholdsDays: readonly number[];
}

/**
 * Reads every stored referral whose deadline is within the largest threshold (soonest first),
 * claims each threshold it crossed and emits one `referral.expiring` per referral for the tightest
 * threshold newly claimed. Deadlines already past are not announced (Microsoft closes those, and
 * the next sync reports `referral.status_changed`). Returns what was emitted.
 */
export async function announceExpiring(ctx: ExpiryWatchContext, nowMs: number): Promise<ExpiringReferral[]> {
  const thresholds = [...ctx.thresholdsDays].sort((a, b) => b - a);
  const widest = thresholds[0];
  if (widest === undefined) return [];
  const due: ExpiryAnnouncement[] = [];
  const now = new Date(nowMs).toISOString();
  for (let page = 1; ; page += 1) {
    const result = await ctx.store.queryInbox({ expiresWithinDays: widest, sort: "urgency", now, page, pageSize: INBOX_MAX_PAGE_SIZE });
    for (const row of result.items) {
      if (row.expiresAt === null) continue;
      const leftMs = Date.parse(row.expiresAt) - nowMs;
      if (!(leftMs > 0)) continue;
      for (const days of thresholds) {
        if (leftMs <= days * DAY_MS) due.push({ referralId: row.referralId, thresholdDays: days, expiresAt: row.expiresAt });
      }
    }
    if (result.items.length < INBOX_MAX_PAGE_SIZE || page * INBOX_MAX_PAGE_SIZE >= result.total) break;
  }
  if (due.length === 0) return [];
  const claimed: ExpiryAnnouncement[] = [];
  for (let i = 0; i < due.length; i += INBOX_MAX_PAGE_SIZE) {
    claimed.push(...(await ctx.store.claimExpiryAnnouncements(due.slice(i, i + INBOX_MAX_PAGE_SIZE))));
  }
  // One message per referral: a host down for days, or a referral first seen late, crosses several
  // thresholds at once; the looser ones are recorded as announced without a message of their own.
  const tightest = new Map<string, ExpiryAnnouncement>();
  for (const item of claimed) {
    const current = tightest.get(item.referralId);
    if (current === undefined || item.thresholdDays < current.thresholdDays) tightest.set(item.referralId, item);
  }
  const emitted: ExpiringReferral[] = [];
  for (const item of tightest.values()) {
    const payload: ExpiringReferral = {
      referralId: item.referralId,
      expiresAt: item.expiresAt,
      daysLeft: expiryDaysLeft(item.expiresAt, nowMs),
      thresholdDays: item.thresholdDays,
    };
    ctx.emitter.emit("referral.expiring", payload);
    emitted.push(payload);
  }
  return emitted;
}
