// claimExpiryAnnouncements: one INSERT … ON CONFLICT DO NOTHING, so of two replicas claiming the
// same announcement exactly one gets the row back.
import { expiryClaimKey, normalizeExpiryClaims, type ExpiryAnnouncement } from "@pc-referrals/core";
import type { Db } from "../db.js";
import type { Tables } from "../schema.js";
import { iso, storableText } from "../values.js";

interface ClaimedDbRow {
  referral_id: string;
  threshold_days: number | string;
  expires_at: Date | string;
}

/** See `Store.claimExpiryAnnouncements`. */
export async function claimExpiryAnnouncements(db: Db, t: Tables, items: readonly ExpiryAnnouncement[]): Promise<ExpiryAnnouncement[]> {
  const wanted = normalizeExpiryClaims(items);
  if (wanted.length === 0) return [];
  const rows = await db.query<ClaimedDbRow>(
    `INSERT INTO ${t.expiryAnnouncements} (tenant, referral_id, threshold_days, expires_at)
     SELECT $4, * FROM unnest($1::text[], $2::double precision[], $3::timestamptz[])
     ON CONFLICT (tenant, referral_id, threshold_days, expires_at) DO NOTHING
     RETURNING referral_id, threshold_days, expires_at`,
    [wanted.map((w) => storableText(w.referralId)), wanted.map((w) => w.thresholdDays), wanted.map((w) => w.expiresAt), t.tenant],
  );
  // Ids go in as storable text; match on that form, answer with the caller's own values.
  const claimed = new Set(
    rows.map((r) => expiryClaimKey({ referralId: r.referral_id, thresholdDays: Number(r.threshold_days), expiresAt: iso(r.expires_at) })),
  );
  return wanted.filter((w) => claimed.has(expiryClaimKey({ ...w, referralId: storableText(w.referralId) })));
}
