// Reads of single referrals and companies, the manual link, and referral types per domain.
import {
  InvalidInputError,
  REFERRAL_TYPES,
  type Company,
  type InboxRow,
  type KnownReferral,
  type ReferralType,
  type RawLead,
  type StoredReferral,
} from "@pc-referrals/core";
import type { Db } from "../db.js";
import type { Tables } from "../schema.js";
import { hasNul, iso } from "../values.js";
import {
  COMPANY_COLUMNS,
  INBOX_COLUMNS,
  KNOWN_COLUMNS,
  REFERRAL_COLUMNS,
  referralsWithPayload,
  toCompany,
  toInboxRow,
  toKnownReferral,
  toStoredReferral,
  type CompanyDbRow,
  type InboxDbRow,
  type KnownDbRow,
  type ReferralDbRow,
} from "./rows.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Keys that cannot be stored (non-strings, U+0000) cannot match anything: drop them before querying.
const keys = (values: readonly unknown[]): string[] => values.filter((v): v is string => typeof v === "string" && !hasNul(v));
const isKey = (value: unknown): value is string => typeof value === "string" && !hasNul(value);

/** See `Store.getKnownReferrals`. */
export async function getKnownReferrals(db: Db, t: Tables, ids: readonly string[]): Promise<Map<string, KnownReferral>> {
  const wanted = keys(ids);
  if (wanted.length === 0) return new Map();
  const rows = await db.query<KnownDbRow>(`SELECT ${KNOWN_COLUMNS} FROM ${t.referrals} WHERE tenant = $2 AND referral_id = ANY($1::text[])`, [
    wanted,
    t.tenant,
  ]);
  return new Map(rows.map((r) => [r.referral_id, toKnownReferral(r)]));
}

/** See `Store.getReferral`. */
export async function getReferral(db: Db, t: Tables, referralId: string): Promise<StoredReferral | null> {
  if (!isKey(referralId)) return null;
  const [row] = await db.query<ReferralDbRow>(`SELECT ${REFERRAL_COLUMNS} FROM ${referralsWithPayload(t)} WHERE r.tenant = $2 AND r.referral_id = $1`, [
    referralId,
    t.tenant,
  ]);
  return row ? toStoredReferral(row) : null;
}

/** See `Store.findCompanies`: exact domain or exact normalized name, ordered by domain. */
export async function findCompanies(
  db: Db,
  t: Tables,
  query: { domains: readonly string[]; normalizedNames: readonly string[] },
): Promise<Company[]> {
  const domains = keys(query.domains);
  const names = keys(query.normalizedNames);
  if (domains.length === 0 && names.length === 0) return [];
  const rows = await db.query<CompanyDbRow>(
    `SELECT ${COMPANY_COLUMNS} FROM ${t.companies}
     WHERE tenant = $3 AND (domain = ANY($1::text[]) OR normalized_name = ANY($2::text[])) ORDER BY domain`,
    [domains, names, t.tenant],
  );
  return rows.map(toCompany);
}

/** See `Store.setManualLink`. A company id that names no company of the same tenant is `InvalidInputError`. */
export async function setManualLink(
  db: Db,
  t: Tables,
  request: { referralId: string; companyId: string | null },
): Promise<InboxRow | null> {
  const { referralId, companyId } = request;
  if (!isKey(referralId)) return null;
  const [known] = await db.query(`SELECT 1 AS present FROM ${t.referrals} WHERE tenant = $2 AND referral_id = $1`, [referralId, t.tenant]);
  if (!known) return null;
  if (companyId !== null) {
    const exists =
      typeof companyId === "string" &&
      UUID.test(companyId) &&
      (await db.query(`SELECT 1 AS present FROM ${t.companies} WHERE tenant = $2 AND id = $1::uuid`, [companyId, t.tenant])).length > 0;
    if (!exists) throw new InvalidInputError("companyId does not name a known company.");
  }
  const [row] = await db.query<InboxDbRow>(
    `UPDATE ${t.referrals} SET link_status = $2, linked_company_id = $3 WHERE tenant = $4 AND referral_id = $1 RETURNING ${INBOX_COLUMNS}`,
    [referralId, companyId === null ? "manual_unlinked" : "manual_linked", companyId, t.tenant],
  );
  return row ? toInboxRow(row) : null;
}

/** See `Store.referralTypesByDomain`: types in {@link REFERRAL_TYPES} order; domains without referrals are absent. */
export async function referralTypesByDomain(db: Db, t: Tables, domains: readonly string[]): Promise<Map<string, ReferralType[]>> {
  const wanted = keys(domains);
  if (wanted.length === 0) return new Map();
  const rows = await db.query<{ domain: string; referral_type: ReferralType }>(
    `SELECT DISTINCT domain, referral_type FROM ${t.referrals} WHERE tenant = $2 AND domain = ANY($1::text[])`,
    [wanted, t.tenant],
  );
  const seen = new Map<string, Set<ReferralType>>();
  for (const row of rows) seen.set(row.domain, (seen.get(row.domain) ?? new Set()).add(row.referral_type));
  return new Map([...seen].map(([domain, types]) => [domain, REFERRAL_TYPES.filter((type) => types.has(type))]));
}

/** Every raw lead, oldest first, optionally of one referral (what the conformance suite inspects). */
export async function listRawLeads(db: Db, t: Tables, referralId?: string): Promise<RawLead[]> {
  const rows = await db.query<{
    referral_id: string;
    domain: string | null;
    company_name: string | null;
    email: string | null;
    website: string | null;
    payload: Record<string, unknown>;
    payload_json: string | null;
    content_hash: string;
    created_at: Date | string;
  }>(
    `SELECT referral_id, domain, company_name, email, website, payload, payload_json, content_hash, created_at
     FROM ${t.rawLeads} WHERE tenant = $2 AND source = 'partnercenter' AND ($1::text IS NULL OR referral_id = $1) ORDER BY id`,
    [referralId ?? null, t.tenant],
  );
  return rows.map((r) => ({
    source: "partnercenter",
    referralId: r.referral_id,
    domain: r.domain,
    companyName: r.company_name,
    email: r.email,
    website: r.website,
    payload: r.payload_json === null ? r.payload : (JSON.parse(r.payload_json) as Record<string, unknown>),
    contentHash: r.content_hash,
    createdAt: iso(r.created_at),
  }));
}
