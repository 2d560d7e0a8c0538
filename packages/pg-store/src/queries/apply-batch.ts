// applyBatch: a page in one transaction and at most three statements, whatever its size: lock the
// stored rows, upsert the companies, then write referrals, sync times and raw leads in one
// statement with data-modifying CTEs. Every multi-row input travels as one jsonb parameter.
import { randomUUID } from "node:crypto";
import {
  assertValidProcessedPage,
  foldCompanyUpserts,
  InvalidInputError,
  isOlderCopy,
  keepManualLink,
  toIsoInstant,
  type BatchOutcome,
  type CompanyOutcome,
  type CompanyUpsert,
  type KnownReferral,
  type LinkStatus,
  type ProcessedPage,
  type ProcessedReferral,
  type ReferralOutcome,
} from "@pc-referrals/core";
import type { Db, Queryable } from "../db.js";
import type { Tables } from "../schema.js";
import { hasNul, searchText, toJsonb } from "../values.js";
import { KNOWN_COLUMNS, toKnownReferral, type KnownDbRow } from "./rows.js";

type StoredState = Omit<KnownReferral, "referralId">;

// Several upserts of one domain in a page fold into one row with the same result as applying them
// in order (one statement cannot update a row twice). The ON CONFLICT clause below is the SQL form
// of the same mergeCompanyFacts rule.
async function upsertCompanies(tx: Queryable, t: Tables, companies: readonly CompanyUpsert[]): Promise<CompanyOutcome[]> {
  const folded = foldCompanyUpserts(companies);
  const proposed = new Map(folded.map((c) => [c.domain, randomUUID()]));
  const rows = folded.map((c) => ({
    id: proposed.get(c.domain),
    domain: c.domain,
    name: c.name,
    normalized_name: c.normalizedName,
    provider: c.provider,
    azure_tenant_id: c.azureTenantId,
    segment: c.segment,
    score: c.score,
    reasons: c.reasons,
  }));
  const result = await tx.query<{ id: string; domain: string }>(
    `INSERT INTO ${t.companies} AS c (id, domain, name, normalized_name, provider, azure_tenant_id, segment, score, reasons)
     SELECT id, domain, name, normalized_name, provider, azure_tenant_id, segment, score, reasons
     FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, domain text, name text, normalized_name text, provider text,
       azure_tenant_id text, segment text, score double precision, reasons jsonb)
     ON CONFLICT (domain) DO UPDATE SET
       name = COALESCE(c.name, EXCLUDED.name),
       normalized_name = COALESCE(c.normalized_name, EXCLUDED.normalized_name),
       provider = COALESCE(EXCLUDED.provider, c.provider),
       azure_tenant_id = COALESCE(EXCLUDED.azure_tenant_id, c.azure_tenant_id),
       segment = COALESCE(EXCLUDED.segment, c.segment),
       score = COALESCE(EXCLUDED.score, c.score),
       reasons = CASE WHEN jsonb_array_length(EXCLUDED.reasons) > 0 THEN EXCLUDED.reasons ELSE c.reasons END,
       updated_at = now()
     RETURNING id::text AS id, domain`,
    [toJsonb(rows).json],
  );
  const ids = new Map(result.map((r) => [r.domain, r.id]));
  const seen = new Set<string>();
  return companies.map((c) => {
    const companyId = ids.get(c.domain) as string;
    const created = !seen.has(c.domain) && companyId === proposed.get(c.domain);
    seen.add(c.domain);
    return { companyId, domain: c.domain, created };
  });
}

interface PlannedReferrals {
  outcomes: ReferralOutcome[];
  /** Every written occurrence (raw leads); `final` marks the last one per id (the row to store). */
  writes: Array<{ referral: ProcessedReferral; link: { status: LinkStatus; companyId: string | null }; final: boolean }>;
  /** Ids whose only occurrences were unchanged or stale: just their sync time moves. */
  touched: string[];
}

// Decides every outcome against the locked rows, in input order, exactly as sequential upserts would.
function planReferrals(referrals: readonly ProcessedReferral[], stored: Map<string, StoredState>): PlannedReferrals {
  const state = new Map(stored);
  const outcomes: ReferralOutcome[] = [];
  const writes: PlannedReferrals["writes"] = [];
  const lastWrite = new Map<string, number>();
  for (const r of referrals) {
    const prev = state.get(r.referralId);
    const stale = prev !== undefined && prev.contentHash !== r.contentHash && isOlderCopy(prev.remoteUpdatedAt, r.remoteUpdatedAt);
    if (prev !== undefined && (stale || prev.contentHash === r.contentHash)) {
      outcomes.push({
        referralId: r.referralId,
        outcome: stale ? "stale" : "unchanged",
        previousStatus: prev.status,
        previousSubstatus: prev.substatus,
        linkStatus: prev.linkStatus,
        linkedCompanyId: prev.linkedCompanyId,
      });
      continue;
    }
    const link = keepManualLink(prev, r.link);
    lastWrite.set(r.referralId, writes.length);
    writes.push({ referral: r, link, final: false });
    state.set(r.referralId, {
      contentHash: r.contentHash,
      status: r.status,
      substatus: r.substatus,
      linkStatus: link.status,
      linkedCompanyId: link.companyId,
      remoteUpdatedAt: r.remoteUpdatedAt,
    });
    outcomes.push({
      referralId: r.referralId,
      outcome: prev === undefined ? "inserted" : "updated",
      previousStatus: prev?.status ?? null,
      previousSubstatus: prev?.substatus ?? null,
      linkStatus: link.status,
      linkedCompanyId: link.companyId,
    });
  }
  for (const index of lastWrite.values()) (writes[index] as PlannedReferrals["writes"][number]).final = true;
  const touched = [...new Set(referrals.map((r) => r.referralId))].filter((id) => !lastWrite.has(id));
  return { outcomes, writes, touched };
}

function writeRow({ referral: r, link, final }: PlannedReferrals["writes"][number]): Record<string, unknown> {
  const payload = toJsonb(r.payload);
  return {
    is_final: final,
    referral_id: r.referralId,
    referral_type: r.referralType,
    type_evidence: r.typeEvidence,
    status: r.status,
    substatus: r.substatus,
    direction: r.direction,
    customer_name: r.customerName,
    domain: r.domain,
    domain_source: r.domainSource,
    contact_email: r.contactEmail,
    website: r.website,
    azure_tenant_id: r.azureTenantId,
    score: r.scoring.score,
    segment: r.scoring.segment,
    reasons: r.scoring.reasons,
    link_status: link.status,
    linked_company_id: link.companyId,
    link_candidate_ids: r.link.candidateIds,
    // Parsed back so the row array is one JSON document; `exact` keeps what jsonb cannot.
    payload: JSON.parse(payload.json) as unknown,
    payload_json: payload.exact,
    content_hash: r.contentHash,
    remote_updated_at: r.remoteUpdatedAt === null ? null : toIsoInstant(r.remoteUpdatedAt, "remoteUpdatedAt"),
    status_key: r.status?.toLowerCase() ?? null,
    search_text: searchText([r.customerName, r.domain, r.referralId]),
    expires_at: r.expiresAt == null ? null : toIsoInstant(r.expiresAt, "expiresAt"),
  };
}

const RECORD = `x(is_final boolean, referral_id text, referral_type text, type_evidence text, status text, substatus text,
  direction text, customer_name text, domain text, domain_source text, contact_email text, website text,
  azure_tenant_id text, score double precision, segment text, reasons jsonb, link_status text,
  linked_company_id text, link_candidate_ids jsonb, payload jsonb, payload_json text, content_hash text,
  remote_updated_at timestamptz, status_key text, search_text text, expires_at timestamptz)`;

const COLUMNS = `referral_type, type_evidence, status, substatus, direction, customer_name, domain, domain_source,
  contact_email, website, azure_tenant_id, score, segment, reasons, link_status, linked_company_id,
  link_candidate_ids, payload, payload_json, content_hash, remote_updated_at, status_key, search_text, expires_at`;

const MANUAL = `r.link_status IN ('manual_linked', 'manual_unlinked')`;

// Every content column takes the new value; the link columns are kept when set by hand.
const UPDATES = COLUMNS.split(",")
  .map((c) => c.trim())
  .filter((c) => c !== "link_status" && c !== "linked_company_id")
  .map((c) => `${c} = EXCLUDED.${c}`)
  .join(", ");

// The upsert itself also refuses an older copy (same rule as isOlderCopy), so the rule holds in SQL
// whatever the plan above decided. PostgreSQL runs every data-modifying CTE to completion whether
// or not the outer statement reads it.
async function writeReferrals(tx: Queryable, t: Tables, plan: PlannedReferrals, page: { syncedAt: string; runId: string }): Promise<void> {
  await tx.query(
    `WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}),
     written AS (
       INSERT INTO ${t.referrals} AS r (referral_id, ${COLUMNS}, first_seen_at, last_synced_at, last_run_id)
       SELECT referral_id, ${COLUMNS}, $3::timestamptz, $3::timestamptz, $4 FROM input WHERE is_final
       ON CONFLICT (referral_id) DO UPDATE SET ${UPDATES},
         link_status = CASE WHEN ${MANUAL} THEN r.link_status ELSE EXCLUDED.link_status END,
         linked_company_id = CASE WHEN ${MANUAL} THEN r.linked_company_id ELSE EXCLUDED.linked_company_id END,
         last_synced_at = EXCLUDED.last_synced_at, last_run_id = EXCLUDED.last_run_id
       WHERE r.remote_updated_at IS NULL OR EXCLUDED.remote_updated_at IS NULL
         OR EXCLUDED.remote_updated_at >= r.remote_updated_at),
     touched AS (
       UPDATE ${t.referrals} SET last_synced_at = $3::timestamptz, last_run_id = $4
       WHERE referral_id = ANY($2::text[]))
     INSERT INTO ${t.rawLeads} (referral_id, run_id, domain, company_name, email, website, payload, payload_json, content_hash)
     SELECT referral_id, $4, domain, customer_name, contact_email, website, payload, payload_json, content_hash FROM input
     ON CONFLICT (source, referral_id, content_hash) DO NOTHING`,
    [toJsonb(plan.writes.map(writeRow)).json, plan.touched, page.syncedAt, page.runId],
  );
}

/** Applies one processed page atomically (see `Store.applyBatch`). Throws `InvalidInputError` before writing anything for a bad page. */
export async function applyBatch(db: Db, t: Tables, page: ProcessedPage): Promise<BatchOutcome> {
  assertValidProcessedPage(page);
  // Keys must come back as sent; PostgreSQL text cannot hold U+0000 (other text gets U+FFFD instead).
  page.referrals.forEach((r, i) => {
    if (hasNul(r.referralId)) throw new InvalidInputError(`page.referrals[${i}].referralId must not contain U+0000.`);
  });
  page.companies.forEach((c, i) => {
    if (hasNul(c.domain)) throw new InvalidInputError(`page.companies[${i}].domain must not contain U+0000.`);
  });
  const syncedAt = toIsoInstant(page.syncedAt, "page.syncedAt");
  if (page.referrals.length === 0 && page.companies.length === 0) {
    // Still one round trip: the engine probes the store with an empty page after a failed one.
    await db.query("SELECT 1");
    return { referrals: [], companies: [] };
  }
  return db.transaction(async (tx) => {
    let referrals: ReferralOutcome[] = [];
    if (page.referrals.length > 0) {
      const ids = [...new Set(page.referrals.map((r) => r.referralId))];
      const rows = await tx.query<KnownDbRow>(`SELECT ${KNOWN_COLUMNS} FROM ${t.referrals} WHERE referral_id = ANY($1::text[]) FOR UPDATE`, [
        ids,
      ]);
      const stored = new Map(rows.map((row) => [row.referral_id, toKnownReferral(row)]));
      const plan = planReferrals(page.referrals, stored);
      referrals = plan.outcomes;
      const companies = page.companies.length > 0 ? await upsertCompanies(tx, t, page.companies) : [];
      await writeReferrals(tx, t, plan, { syncedAt, runId: page.runId });
      return { referrals, companies };
    }
    return { referrals, companies: await upsertCompanies(tx, t, page.companies) };
  });
}
