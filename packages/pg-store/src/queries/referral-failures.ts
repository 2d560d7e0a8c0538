// Cross-run failure state (quarantine): one DELETE and one upsert in a transaction, whatever the
// batch size. The upsert states core's `nextFailureState` in SQL (SET sees the old row throughout).
import { normalizeReferralFailureBatch, type ReferralFailureBatch, type ReferralFailureState } from "@pc-referrals/core";
import type { Db, Queryable } from "../db.js";
import type { Tables } from "../schema.js";
import { isoOrNull, storableText, storableTextOrNull } from "../values.js";

interface FailureDbRow {
  referral_id: string;
  failures: number;
  content_hash: string | null;
  remote_updated_at: Date | string | null;
  last_error_code: string;
  last_error_message: string;
  last_run_id: string;
  quarantined_at: Date | string | null;
}

const COLUMNS =
  "referral_id, failures, content_hash, remote_updated_at, last_error_code, last_error_message, last_run_id, quarantined_at";

function toState(row: FailureDbRow): ReferralFailureState {
  return {
    referralId: row.referral_id,
    failures: Number(row.failures),
    contentHash: row.content_hash,
    updatedAt: isoOrNull(row.remote_updated_at),
    lastError: { code: row.last_error_code, message: row.last_error_message },
    lastRunId: row.last_run_id,
    quarantinedAt: isoOrNull(row.quarantined_at),
  };
}

/** See `Store.recordReferralFailures`. */
export async function recordReferralFailures(db: Db, t: Tables, batch: ReferralFailureBatch): Promise<ReferralFailureState[]> {
  const b = normalizeReferralFailureBatch(batch);
  const scope = storableText(b.scope);
  const rows = await db.transaction(async (tx: Queryable) => {
    if (b.succeeded.length > 0) {
      await tx.query(`DELETE FROM ${t.referralFailures} WHERE tenant = $3 AND scope = $1 AND referral_id = ANY($2::text[])`, [
        scope,
        b.succeeded.map(storableText),
        t.tenant,
      ]);
    }
    if (b.failed.length === 0) return [];
    // Ids that differ only in unstorable characters become one row; keep the last, as for duplicates.
    const failed = [...new Map(b.failed.map((f) => [storableText(f.referralId), f])).entries()];
    const sameRunFailures = "CASE WHEN cur.last_run_id = EXCLUDED.last_run_id THEN cur.failures ELSE cur.failures + 1 END";
    return tx.query<FailureDbRow>(
      `INSERT INTO ${t.referralFailures} AS cur (tenant, scope, ${COLUMNS})
       SELECT $10, $1, f.referral_id, 1, f.content_hash, f.updated_at, f.code, f.message, $2,
              CASE WHEN 1 >= $3::int THEN $4::timestamptz END
       FROM unnest($5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[])
         AS f(referral_id, content_hash, updated_at, code, message)
       ON CONFLICT (tenant, scope, referral_id) DO UPDATE SET
         failures = CASE WHEN cur.content_hash IS DISTINCT FROM EXCLUDED.content_hash THEN 1 ELSE ${sameRunFailures} END,
         quarantined_at = CASE
           WHEN cur.content_hash IS DISTINCT FROM EXCLUDED.content_hash THEN EXCLUDED.quarantined_at
           WHEN cur.quarantined_at IS NOT NULL THEN cur.quarantined_at
           WHEN ${sameRunFailures} >= $3::int THEN $4::timestamptz
         END,
         content_hash = EXCLUDED.content_hash, remote_updated_at = EXCLUDED.remote_updated_at,
         last_error_code = EXCLUDED.last_error_code, last_error_message = EXCLUDED.last_error_message,
         last_run_id = EXCLUDED.last_run_id
       RETURNING ${COLUMNS}`,
      [
        scope,
        storableText(b.runId),
        b.quarantineAfter,
        b.at,
        failed.map(([id]) => id),
        failed.map(([, f]) => storableTextOrNull(f.contentHash)),
        failed.map(([, f]) => f.updatedAt),
        failed.map(([, f]) => storableText(f.error.code)),
        failed.map(([, f]) => storableText(f.error.message)),
        t.tenant,
      ],
    );
  });
  const byId = new Map(rows.map((row) => [row.referral_id, toState(row)]));
  return batch.failed.map((f) => byId.get(storableText(f.referralId)) as ReferralFailureState);
}

/** See `Store.listReferralFailures`: by referral id (code-point order, as the memory store sorts). */
export async function listReferralFailures(db: Db, t: Tables, scope: string): Promise<ReferralFailureState[]> {
  const rows = await db.query<FailureDbRow>(
    `SELECT ${COLUMNS} FROM ${t.referralFailures} WHERE tenant = $2 AND scope = $1 ORDER BY referral_id COLLATE "C"`,
    [storableText(String(scope)), t.tenant],
  );
  return rows.map(toState);
}

/** `SyncStatus.quarantined`: oldest quarantine first, then referral id. */
export async function listQuarantined(db: Db, t: Tables, scope: string): Promise<ReferralFailureState[]> {
  const rows = await db.query<FailureDbRow>(
    `SELECT ${COLUMNS} FROM ${t.referralFailures} WHERE tenant = $2 AND scope = $1 AND quarantined_at IS NOT NULL
     ORDER BY quarantined_at, referral_id COLLATE "C"`,
    [storableText(String(scope)), t.tenant],
  );
  return rows.map(toState);
}
