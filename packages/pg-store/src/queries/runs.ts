// Sync runs, the cursor per scope, and domain scans.
import {
  completeCounts,
  InvalidInputError,
  isJsonObject,
  syncStatusWarnings,
  toIsoInstant,
  toStoredCursor,
  type Cursor,
  type DomainScanRecord,
  type DomainScanResult,
  type SyncRunRecord,
  type SyncStatus,
} from "@pc-referrals/core";
import type { Db } from "../db.js";
import type { Tables } from "../schema.js";
import { iso, isoOrNull, num, storableText, toJsonb } from "../values.js";
import { listQuarantined } from "./referral-failures.js";

/** `listRuns` returns this many runs unless asked otherwise, and never more than `RUNS_MAX_LIMIT`. */
const RUNS_DEFAULT_LIMIT = 20;
const RUNS_MAX_LIMIT = 500;

function requireText(value: unknown, name: string): string {
  if (typeof value !== "string" || value.length === 0) throw new InvalidInputError(`${name} must be a non-empty string.`);
  return value;
}

interface RunDbRow {
  run_id: string;
  trigger: SyncRunRecord["trigger"];
  full_sync: boolean;
  status: SyncRunRecord["status"];
  started_at: Date | string;
  finished_at: Date | string | null;
  counts: SyncRunRecord["counts"];
  errors: SyncRunRecord["errors"];
  warnings: SyncRunRecord["warnings"];
}

/** Columns of a run, in SELECT-list form. */
export const RUN_COLUMNS = "run_id, trigger, full_sync, status, started_at, finished_at, counts, errors, warnings";

/** The run record of a sync_runs row. */
export function toRun(row: RunDbRow): SyncRunRecord {
  return {
    runId: row.run_id,
    trigger: row.trigger,
    full: row.full_sync,
    status: row.status,
    startedAt: iso(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
    // Rows written by an older version lack the counts added since.
    counts: completeCounts(row.counts),
    errors: row.errors,
    warnings: row.warnings,
  };
}

/** See `Store.recordRun`: insert or replace by `runId`. */
export async function recordRun(db: Db, t: Tables, run: SyncRunRecord): Promise<void> {
  const runId = storableText(requireText(run.runId, "runId"));
  const startedAt = toIsoInstant(run.startedAt, "startedAt");
  const finishedAt = run.finishedAt === null ? null : toIsoInstant(run.finishedAt, "finishedAt");
  await db.query(
    `INSERT INTO ${t.syncRuns} (tenant, run_id, trigger, full_sync, status, started_at, finished_at, counts, errors, warnings)
     VALUES ($10, $1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb)
     ON CONFLICT (tenant, run_id) DO UPDATE SET trigger = EXCLUDED.trigger, full_sync = EXCLUDED.full_sync,
       status = EXCLUDED.status, started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
       counts = EXCLUDED.counts, errors = EXCLUDED.errors, warnings = EXCLUDED.warnings, recorded_at = now()`,
    [
      runId,
      run.trigger,
      run.full,
      run.status,
      startedAt,
      finishedAt,
      toJsonb(run.counts).json,
      toJsonb(run.errors).json,
      toJsonb(run.warnings ?? []).json,
      t.tenant,
    ],
  );
}

/** See `Store.listRuns`: newest `startedAt` first (ties: greater `runId` first); default 20, at most 500. */
export async function listRuns(db: Db, t: Tables, query: { limit?: number } = {}): Promise<SyncRunRecord[]> {
  const limit = query.limit ?? RUNS_DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidInputError("limit must be a positive integer.");
  const rows = await db.query<RunDbRow>(
    `SELECT ${RUN_COLUMNS} FROM ${t.syncRuns} WHERE tenant = $2 ORDER BY started_at DESC, run_id DESC LIMIT $1`,
    [Math.min(limit, RUNS_MAX_LIMIT), t.tenant],
  );
  return rows.map(toRun);
}

/** See `Store.getCursor`. */
export async function getCursor(db: Db, t: Tables, scope: string): Promise<Cursor | null> {
  const [row] = await db.query<{ updated_at: Date | string; order_honoured: boolean }>(
    `SELECT updated_at, order_honoured FROM ${t.cursor} WHERE tenant = $2 AND scope = $1`,
    [storableText(String(scope)), t.tenant],
  );
  return row ? toStoredCursor({ updatedAt: iso(row.updated_at), orderHonoured: row.order_honoured }) : null;
}

/** See `Store.advanceCursor`: sets the scope's high-water mark and whether the listing order was honoured. */
export async function advanceCursor(db: Db, t: Tables, scope: string, next: Cursor): Promise<void> {
  requireText(scope, "scope");
  const cursor = toStoredCursor(next);
  await db.query(
    `INSERT INTO ${t.cursor} (tenant, scope, updated_at, order_honoured) VALUES ($4, $1, $2, $3)
     ON CONFLICT (tenant, scope) DO UPDATE SET updated_at = EXCLUDED.updated_at, order_honoured = EXCLUDED.order_honoured,
       advanced_at = now()`,
    [storableText(scope), cursor.updatedAt, cursor.orderHonoured !== false, t.tenant],
  );
}

/** See `Store.claimDomainScans`: the newly claimed domains, deduplicated, in input order. */
export async function claimDomainScans(db: Db, t: Tables, domains: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(domains.filter((d): d is string => typeof d === "string" && d !== ""))];
  if (wanted.length === 0) return [];
  const rows = await db.query<{ domain: string }>(
    `INSERT INTO ${t.domainScans} (domain) SELECT unnest($1::text[]) ON CONFLICT (domain) DO NOTHING RETURNING domain`,
    [wanted.map(storableText)],
  );
  const claimed = new Set(rows.map((r) => r.domain));
  return wanted.filter((d) => claimed.has(storableText(d)));
}

/** See `Store.recordDomainScan`. */
export async function recordDomainScan(db: Db, t: Tables, result: DomainScanResult): Promise<void> {
  const domain = requireText(result.domain, "domain");
  if (result.status !== "done" && result.status !== "failed") throw new InvalidInputError("status must be done or failed.");
  const value: unknown = result.result ?? null;
  if (value !== null && !isJsonObject({ value })) throw new InvalidInputError("result must be JSON-serializable.");
  await db.query(
    `INSERT INTO ${t.domainScans} (domain, status, result, error, finished_at) VALUES ($1, $2, $3::jsonb, $4, now())
     ON CONFLICT (domain) DO UPDATE SET status = EXCLUDED.status, result = EXCLUDED.result, error = EXCLUDED.error,
       finished_at = EXCLUDED.finished_at`,
    [storableText(domain), result.status, value === null ? null : toJsonb(value).json, result.error === undefined ? null : storableText(result.error)],
  );
}

/** Every claimed or scanned domain, oldest claim first (what the conformance suite inspects). */
export async function listDomainScans(db: Db, t: Tables): Promise<DomainScanRecord[]> {
  const rows = await db.query<{ domain: string; status: DomainScanRecord["status"]; result: unknown; error: string | null }>(
    `SELECT domain, status, result, error FROM ${t.domainScans} ORDER BY claimed_at, domain`,
  );
  return rows.map((r) => ({ domain: r.domain, status: r.status, result: r.result ?? null, error: r.error }));
}

/** See `Store.getSyncStatus`; `running` comes from the run lock. */
export async function getSyncStatus(
  db: Db,
  t: Tables,
  scope: string,
  running: () => Promise<SyncStatus["running"]>,
): Promise<SyncStatus> {
  const landed = (fullOnly: boolean) =>
    db.query<RunDbRow>(
      `SELECT ${RUN_COLUMNS} FROM ${t.syncRuns} WHERE tenant = $1 AND status IN ('succeeded', 'partial')${fullOnly ? " AND full_sync" : ""}
       ORDER BY started_at DESC, run_id DESC LIMIT 1`,
      [t.tenant],
    );
  const [last, succeeded, reconcile, quarantined, holder, cursor, count] = await Promise.all([
    listRuns(db, t, { limit: 1 }),
    landed(false),
    landed(true),
    listQuarantined(db, t, scope),
    running(),
    getCursor(db, t, scope),
    db.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${t.referrals} WHERE tenant = $1`, [t.tenant]),
  ]);
  const lastReconcile = reconcile[0] ? toRun(reconcile[0]) : null;
  return {
    lastRun: last[0] ?? null,
    lastSucceededRun: succeeded[0] ? toRun(succeeded[0]) : null,
    lastReconcile,
    quarantined,
    warnings: syncStatusWarnings({ lastReconcile, quarantined }),
    running: holder,
    cursor,
    referralCount: num(count[0]?.n ?? 0),
  };
}
