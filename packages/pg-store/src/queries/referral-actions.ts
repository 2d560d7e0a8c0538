// The write-back audit trail (referral_actions) and companies.external_id (migration 0007).
import {
  normalizeCompanyExternalId,
  normalizeReferralActionRecord,
  normalizeReferralActionsQuery,
  type Company,
  type ReferralActionRecord,
  type ReferralActionsQuery,
} from "@pc-referrals/core";
import type { Db } from "../db.js";
import type { Tables } from "../schema.js";
import { hasNul, iso, storableText, storableTextOrNull, toJsonb } from "../values.js";
import { COMPANY_COLUMNS, toCompany, type CompanyDbRow } from "./rows.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ActionDbRow {
  id: string;
  referral_id: string;
  action: ReferralActionRecord["action"];
  actor: string | null;
  outcome: ReferralActionRecord["outcome"];
  request_id: string | null;
  input: Record<string, unknown>;
  error_code: string | null;
  error_message: string | null;
  at: Date | string;
}

const ACTION_COLUMNS = "id, referral_id, action, actor, outcome, request_id, input, error_code, error_message, at";

function toRecord(row: ActionDbRow): ReferralActionRecord {
  return {
    id: row.id,
    referralId: row.referral_id,
    action: row.action,
    actor: row.actor,
    outcome: row.outcome,
    requestId: row.request_id,
    input: row.input,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? "" },
    at: iso(row.at),
  };
}

/** See `Store.recordReferralAction`: an id written twice keeps the first record. */
export async function recordReferralAction(db: Db, t: Tables, record: ReferralActionRecord): Promise<void> {
  const r = normalizeReferralActionRecord(record);
  await db.query(
    `INSERT INTO ${t.referralActions} (tenant, ${ACTION_COLUMNS})
     VALUES ($11, $1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10::timestamptz)
     ON CONFLICT (tenant, id) DO NOTHING`,
    [
      storableText(r.id),
      storableText(r.referralId),
      r.action,
      storableTextOrNull(r.actor),
      r.outcome,
      storableTextOrNull(r.requestId),
      toJsonb(r.input).json,
      storableTextOrNull(r.error?.code ?? null),
      storableTextOrNull(r.error?.message ?? null),
      r.at,
      t.tenant,
    ],
  );
}

/** See `Store.listReferralActions`: newest first (`at`, then `id`, both descending). */
export async function listReferralActions(db: Db, t: Tables, query?: ReferralActionsQuery): Promise<ReferralActionRecord[]> {
  const { referralId, limit } = normalizeReferralActionsQuery(query);
  if (referralId !== null && hasNul(referralId)) return [];
  const rows = await db.query<ActionDbRow>(
    `SELECT ${ACTION_COLUMNS} FROM ${t.referralActions}
     WHERE tenant = $3 AND ($1::text IS NULL OR referral_id = $1) ORDER BY at DESC, id DESC LIMIT $2`,
    [referralId, limit, t.tenant],
  );
  return rows.map(toRecord);
}

/** See `Store.getCompany`. */
export async function getCompany(db: Db, t: Tables, companyId: string): Promise<Company | null> {
  if (typeof companyId !== "string" || !UUID.test(companyId)) return null;
  const [row] = await db.query<CompanyDbRow>(`SELECT ${COMPANY_COLUMNS} FROM ${t.companies} WHERE tenant = $2 AND id = $1::uuid`, [
    companyId,
    t.tenant,
  ]);
  return row ? toCompany(row) : null;
}

/** See `Store.setCompanyExternalId`. */
export async function setCompanyExternalId(
  db: Db,
  t: Tables,
  request: { companyId: string; externalId: string | null },
): Promise<Company | null> {
  const externalId = normalizeCompanyExternalId(request.externalId);
  if (typeof request.companyId !== "string" || !UUID.test(request.companyId)) return null;
  const [row] = await db.query<CompanyDbRow>(
    `UPDATE ${t.companies} SET external_id = $2, updated_at = now() WHERE tenant = $3 AND id = $1::uuid RETURNING ${COMPANY_COLUMNS}`,
    [request.companyId, externalId === null ? null : storableText(externalId), t.tenant],
  );
  return row ? toCompany(row) : null;
}
