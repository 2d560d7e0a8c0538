// applyBatch: a page in one statement, whatever its size (issue 12 item 6). The page is planned in
// JavaScript on the stored state the store read just before (readPageContext), and one statement
// with data-modifying CTEs locks those rows, checks they are still that state, and writes the
// companies, referrals, sync times, raw leads and the run lease; one statement is atomic without
// BEGIN/COMMIT. Rows that changed in between make it write nothing; the page is then planned again
// on its rows locked in a transaction. Every multi-row input travels as one jsonb parameter.
import { randomUUID } from "node:crypto";
import {
  assertValidProcessedPage,
  foldCompanyUpserts,
  InvalidInputError,
  isOlderCopy,
  keepManualLink,
  StoreError,
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
import { renewLeaseSql, requireOwner, requireTtl, type LeaseForWrite } from "../lock.js";
import type { Tables } from "../schema.js";
import { hasNul, iso, searchText, storableJson, toJsonb } from "../values.js";
import type { KnownStates, RecalledStates } from "./known-states.js";
import { KNOWN_COLUMNS, toKnownReferral, type KnownDbRow } from "./rows.js";

type StoredState = Omit<KnownReferral, "referralId">;

// Several upserts of one domain in a page fold into one row with the same result as applying them
// in order (one statement cannot update a row twice). The ON CONFLICT clause below is the SQL form
// of the same mergeCompanyFacts rule.
function companyRows(companies: readonly CompanyUpsert[]): { json: string; proposed: Map<string, string> } {
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
  return { json: toJsonb(rows).json, proposed };
}

// A company is created when the row kept the id proposed for it (an existing row keeps its own).
function companyOutcomes(
  companies: readonly CompanyUpsert[],
  proposed: ReadonlyMap<string, string>,
  written: ReadonlyArray<{ id: string; domain: string }>,
): CompanyOutcome[] {
  const ids = new Map(written.map((r) => [r.domain, r.id]));
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

// The row as JSON text with the payload spliced in: the payload's JSON is the canonical JSON the
// engine hashed (`payloadJson`), so it is never serialized again, nor parsed back (issue 12 item 4).
function writeRowJson({ referral: r, link, final }: PlannedReferrals["writes"][number]): string {
  const payload = storableJson(r.payloadJson ?? JSON.stringify(r.payload));
  const columns = toJsonb({
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
    // `exact` keeps what jsonb cannot.
    payload_json: payload.exact,
    content_hash: r.contentHash,
    remote_updated_at: r.remoteUpdatedAt === null ? null : toIsoInstant(r.remoteUpdatedAt, "remoteUpdatedAt"),
    status_key: r.status?.toLowerCase() ?? null,
    search_text: searchText([r.customerName, r.domain, r.referralId]),
    expires_at: r.expiresAt == null ? null : toIsoInstant(r.expiresAt, "expiresAt"),
  }).json;
  return `{"payload":${payload.json},${columns.slice(1)}`;
}

const RECORD = `x(is_final boolean, referral_id text, referral_type text, type_evidence text, status text, substatus text,
  direction text, customer_name text, domain text, domain_source text, contact_email text, website text,
  azure_tenant_id text, score double precision, segment text, reasons jsonb, link_status text,
  linked_company_id text, link_candidate_ids jsonb, payload jsonb, payload_json text, content_hash text,
  remote_updated_at timestamptz, status_key text, search_text text, expires_at timestamptz)`;

// The payload is not a column of referrals: its one copy is the raw lead (migration 0005).
const COLUMNS = `referral_type, type_evidence, status, substatus, direction, customer_name, domain, domain_source,
  contact_email, website, azure_tenant_id, score, segment, reasons, link_status, linked_company_id,
  link_candidate_ids, content_hash, remote_updated_at, status_key, search_text, expires_at`;

const MANUAL = `r.link_status IN ('manual_linked', 'manual_unlinked')`;

// Every content column takes the new value; the link columns are kept when set by hand.
const UPDATES = COLUMNS.split(",")
  .map((c) => c.trim())
  .filter((c) => c !== "link_status" && c !== "linked_company_id")
  .map((c) => `${c} = EXCLUDED.${c}`)
  .join(", ");

const EXPECTED = `e(referral_id text, present boolean, content_hash text, status text, substatus text, link_status text,
  linked_company_id text, remote_updated_at timestamptz)`;

/** The stored state the plan was made on, one row per referral id of the page (`present: false`: not stored). */
function expectedJson(ids: readonly string[], stored: ReadonlyMap<string, StoredState>): string {
  return toJsonb(
    ids.map((id) => {
      const s = stored.get(id);
      return s === undefined
        ? { referral_id: id, present: false }
        : {
            referral_id: id,
            present: true,
            content_hash: s.contentHash,
            status: s.status,
            substatus: s.substatus,
            link_status: s.linkStatus,
            linked_company_id: s.linkedCompanyId,
            remote_updated_at: s.remoteUpdatedAt ?? null,
          };
    }),
  ).json;
}

// The read gave the time in milliseconds (a JavaScript Date); the column may hold microseconds.
const SAME_INSTANT = `((l.remote_updated_at IS NULL AND e.remote_updated_at IS NULL)
  OR coalesce(abs(extract(epoch FROM l.remote_updated_at - e.remote_updated_at)) < 0.001, false))`;

/** A lease to renew in the write: its placeholders' values. */
interface LeaseParams {
  ttlMs: number;
  owner: string;
  token: string | null;
}

// The whole page in one statement. `locked` takes the page's rows FOR UPDATE (their newest
// versions, as a transaction's SELECT … FOR UPDATE would) and `verdict` holds only when they are
// exactly the state the plan was made on; every write is conditional on it, so a page planned on a
// stale read writes nothing and says so. The upsert also refuses an older copy (same rule as
// isOlderCopy), so that rule holds in SQL whatever the plan decided. PostgreSQL runs every
// data-modifying CTE to completion whether or not the outer statement reads it, and checks the
// referrals → raw_leads foreign key at the end of the statement, after the raw leads are in.
function writeSql(t: Tables, lease: boolean): string {
  const ok = "(SELECT ok FROM verdict)";
  return `WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}),
     expected AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS ${EXPECTED}),
     locked AS (
       SELECT ${KNOWN_COLUMNS} FROM ${t.referrals}
       WHERE tenant = $7 AND referral_id IN (SELECT referral_id FROM expected) FOR UPDATE),
     verdict AS (
       SELECT NOT EXISTS (
         SELECT 1 FROM expected e LEFT JOIN locked l ON l.referral_id = e.referral_id
         WHERE e.present <> (l.referral_id IS NOT NULL)
           OR (e.present AND ((l.content_hash, l.status, l.substatus, l.link_status, l.linked_company_id)
             IS DISTINCT FROM (e.content_hash, e.status, e.substatus, e.link_status, e.linked_company_id)
             OR NOT ${SAME_INSTANT}))
       ) AS ok),
     companies AS (
       INSERT INTO ${t.companies} AS c (tenant, id, domain, name, normalized_name, provider, azure_tenant_id, segment, score, reasons)
       SELECT $7, id, domain, name, normalized_name, provider, azure_tenant_id, segment, score, reasons
       FROM jsonb_to_recordset($6::jsonb) AS x(id uuid, domain text, name text, normalized_name text, provider text,
         azure_tenant_id text, segment text, score double precision, reasons jsonb)
       WHERE ${ok}
       ON CONFLICT (tenant, domain) DO UPDATE SET
         name = COALESCE(c.name, EXCLUDED.name),
         normalized_name = COALESCE(c.normalized_name, EXCLUDED.normalized_name),
         provider = COALESCE(EXCLUDED.provider, c.provider),
         azure_tenant_id = COALESCE(EXCLUDED.azure_tenant_id, c.azure_tenant_id),
         segment = COALESCE(EXCLUDED.segment, c.segment),
         score = COALESCE(EXCLUDED.score, c.score),
         reasons = CASE WHEN jsonb_array_length(EXCLUDED.reasons) > 0 THEN EXCLUDED.reasons ELSE c.reasons END,
         updated_at = now()
       RETURNING id::text AS id, domain),
     written AS (
       INSERT INTO ${t.referrals} AS r (tenant, referral_id, ${COLUMNS}, first_seen_at, last_synced_at, last_run_id)
       SELECT $7, referral_id, ${COLUMNS}, $4::timestamptz, $4::timestamptz, $5 FROM input WHERE is_final AND ${ok}
       ON CONFLICT (tenant, referral_id) DO UPDATE SET ${UPDATES},
         link_status = CASE WHEN ${MANUAL} THEN r.link_status ELSE EXCLUDED.link_status END,
         linked_company_id = CASE WHEN ${MANUAL} THEN r.linked_company_id ELSE EXCLUDED.linked_company_id END,
         last_synced_at = EXCLUDED.last_synced_at, last_run_id = EXCLUDED.last_run_id
       WHERE r.remote_updated_at IS NULL OR EXCLUDED.remote_updated_at IS NULL
         OR EXCLUDED.remote_updated_at >= r.remote_updated_at),
     touched AS (
       UPDATE ${t.referrals} SET last_synced_at = $4::timestamptz, last_run_id = $5
       WHERE tenant = $7 AND referral_id = ANY($3::text[]) AND ${ok}),
     leads AS (
       INSERT INTO ${t.rawLeads} (tenant, referral_id, run_id, domain, company_name, email, website, payload, payload_json, content_hash)
       SELECT $7, referral_id, $5, domain, customer_name, contact_email, website, payload, payload_json, content_hash FROM input
       WHERE ${ok}
       ON CONFLICT (tenant, source, referral_id, content_hash) DO NOTHING)${
         lease ? `,\n     lease AS (${renewLeaseSql(t, { ttlMs: "$8", owner: "$9", token: "$10", tenant: "$7" })})` : ""
       }
     SELECT ${ok} AS ok,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'domain', domain)), '[]'::jsonb) FROM companies) AS companies,
       ${lease ? "(SELECT expires_at FROM lease)" : "NULL::timestamptz"} AS lease_expires_at`;
}

interface WriteResult {
  /** False when the rows were no longer the state the plan was made on: nothing was written. */
  ok: boolean;
  companies: Array<{ id: string; domain: string }>;
  leaseExpiresAt: string | null;
}

async function writePage(
  q: Queryable,
  t: Tables,
  page: ProcessedPage,
  ids: readonly string[],
  stored: Map<string, StoredState>,
  lease: LeaseParams | null,
): Promise<{ plan: PlannedReferrals; proposed: Map<string, string>; result: WriteResult }> {
  const plan = planReferrals(page.referrals, stored);
  const companies = companyRows(page.companies);
  const params: unknown[] = [
    `[${plan.writes.map(writeRowJson).join(",")}]`,
    expectedJson(ids, stored),
    plan.touched,
    toIsoInstant(page.syncedAt, "page.syncedAt"),
    page.runId,
    companies.json,
    t.tenant,
  ];
  if (lease) params.push(lease.ttlMs, lease.owner, lease.token);
  const [row] = await q.query<{ ok: boolean; companies: Array<{ id: string; domain: string }>; lease_expires_at: Date | string | null }>(
    writeSql(t, lease !== null),
    params,
  );
  const ok = row?.ok === true;
  return {
    plan,
    proposed: companies.proposed,
    result: {
      ok,
      companies: ok ? (row?.companies ?? []) : [],
      leaseExpiresAt: ok && row?.lease_expires_at != null ? iso(row.lease_expires_at) : null,
    },
  };
}

/** What applyBatch needs of the store besides the database. */
export interface ApplyBatchDeps {
  /** The store's last read of known referrals (the page's, when the engine read its context). */
  known: KnownStates;
  /** How to renew a lease in the write (see `RunLockManager.leaseForWrite`); null: leave it to `RunLock.renew`. */
  leaseForWrite(owner: string): LeaseForWrite | null;
}

// How many times the page is applied again, its rows locked first, when they changed under it.
const LOCKED_ATTEMPTS = 3;

async function readStored(q: Queryable, t: Tables, ids: readonly string[], lock: boolean): Promise<Map<string, StoredState>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<KnownDbRow>(
    `SELECT ${KNOWN_COLUMNS} FROM ${t.referrals} WHERE tenant = $2 AND referral_id = ANY($1::text[])${lock ? " FOR UPDATE" : ""}`,
    [ids, t.tenant],
  );
  return new Map(rows.map((row) => [row.referral_id, toKnownReferral(row)]));
}

function presentOnly(recalled: RecalledStates): Map<string, StoredState> {
  const stored = new Map<string, StoredState>();
  for (const [id, state] of recalled) if (state !== null) stored.set(id, state);
  return stored;
}

/**
 * Applies one processed page atomically (see `Store.applyBatch`) in one statement when the store
 * just read the page's known referrals (readPageContext), else in two (that read, then the write).
 * Renews `page.lease` in the same statement. Throws `InvalidInputError` before writing anything for a bad page.
 */
export async function applyBatch(db: Db, t: Tables, page: ProcessedPage, deps: ApplyBatchDeps): Promise<BatchOutcome> {
  assertValidProcessedPage(page);
  // Keys must come back as sent; PostgreSQL text cannot hold U+0000 (other text gets U+FFFD instead).
  page.referrals.forEach((r, i) => {
    if (hasNul(r.referralId)) throw new InvalidInputError(`page.referrals[${i}].referralId must not contain U+0000.`);
  });
  page.companies.forEach((c, i) => {
    if (hasNul(c.domain)) throw new InvalidInputError(`page.companies[${i}].domain must not contain U+0000.`);
  });
  toIsoInstant(page.syncedAt, "page.syncedAt");
  const requested = page.lease === undefined ? null : { owner: requireOwner(page.lease.owner), ttlMs: requireTtl(page.lease.ttlMs) };
  if (page.referrals.length === 0 && page.companies.length === 0 && requested === null) {
    // Still one round trip: the engine probes the store with an empty page after a failed one.
    await db.query("SELECT 1");
    return { referrals: [], companies: [] };
  }
  const renewal = requested === null ? null : deps.leaseForWrite(requested.owner);
  const lease = requested === null || renewal === null ? null : { ...requested, token: renewal.token };
  const ids = [...new Set(page.referrals.map((r) => r.referralId))];

  const recalled = deps.known.recall(ids);
  const stored = recalled === null ? await readStored(db, t, ids, false) : presentOnly(recalled);
  let { plan, proposed, result } = await writePage(db, t, page, ids, stored, lease);
  for (let attempt = 1; !result.ok; attempt++) {
    // The rows changed since they were read (a manual link, another writer): plan on them locked.
    if (attempt > LOCKED_ATTEMPTS) {
      throw new StoreError("The page's referrals kept changing while it was written; nothing of it was written.");
    }
    ({ plan, proposed, result } = await db.transaction(async (tx) => writePage(tx, t, page, ids, await readStored(tx, t, ids, true), lease)));
  }
  deps.known.forget(plan.writes.map((w) => w.referral.referralId));
  if (renewal !== null) await renewal.settle(result.leaseExpiresAt);

  const outcome: BatchOutcome = {
    referrals: plan.outcomes,
    companies: companyOutcomes(page.companies, proposed, result.companies),
  };
  if (lease !== null) outcome.lease = { renewed: result.leaseExpiresAt !== null, expiresAt: result.leaseExpiresAt };
  return outcome;
}
