// Row shapes of the referrals and companies tables and their mapping to the Store types.
import type { Company, InboxRow, KnownReferral, LinkStatus, ReferralType, StoredReferral } from "@pc-referrals/core";
import type { Tables } from "../schema.js";
import { iso, isoOrNull } from "../values.js";

/** Columns of an inbox row, in SELECT-list form. */
export const INBOX_COLUMNS = `tenant, referral_id, referral_type, status, substatus, customer_name, domain, link_status,
  linked_company_id, azure_tenant_id, remote_updated_at, last_synced_at, expires_at`;

/** Columns of what the engine (and applyBatch) must know of a stored referral, in SELECT-list form. */
export const KNOWN_COLUMNS = "referral_id, content_hash, status, substatus, link_status, linked_company_id, remote_updated_at";

/** A row selected with {@link KNOWN_COLUMNS}. */
export interface KnownDbRow {
  referral_id: string;
  content_hash: string;
  status: string | null;
  substatus: string | null;
  link_status: LinkStatus;
  linked_company_id: string | null;
  remote_updated_at: Date | string | null;
}

/** The known referral of a referrals row. */
export function toKnownReferral(row: KnownDbRow): KnownReferral {
  return {
    referralId: row.referral_id,
    contentHash: row.content_hash,
    status: row.status,
    substatus: row.substatus,
    linkStatus: row.link_status,
    linkedCompanyId: row.linked_company_id,
    remoteUpdatedAt: isoOrNull(row.remote_updated_at),
  };
}

/** Columns of a stored referral (the inbox ones plus the rest), selected from {@link referralsWithPayload}. */
export const REFERRAL_COLUMNS = `${INBOX_COLUMNS}, type_evidence, direction, content_hash, first_seen_at, score,
  segment, reasons, payload, payload_json`;

/**
 * FROM clause of referrals with their payload. The payload's one copy is the raw lead of the
 * referral's current version (migration 0005), found through raw_leads_version_key.
 */
export function referralsWithPayload(t: Tables): string {
  return `${t.referrals} r CROSS JOIN LATERAL (
    SELECT l.payload, l.payload_json FROM ${t.rawLeads} l
    WHERE l.tenant = r.tenant AND l.source = r.payload_source AND l.referral_id = r.referral_id
      AND l.content_hash = r.content_hash) p`;
}

/** A row selected with {@link INBOX_COLUMNS}. */
export interface InboxDbRow {
  tenant: string;
  referral_id: string;
  referral_type: ReferralType;
  status: string | null;
  substatus: string | null;
  customer_name: string | null;
  domain: string | null;
  link_status: LinkStatus;
  linked_company_id: string | null;
  azure_tenant_id: string | null;
  remote_updated_at: Date | string | null;
  last_synced_at: Date | string;
  expires_at: Date | string | null;
}

/** A row selected with {@link REFERRAL_COLUMNS}. */
export interface ReferralDbRow extends InboxDbRow {
  type_evidence: string;
  direction: string | null;
  content_hash: string;
  first_seen_at: Date | string;
  score: number | null;
  segment: string | null;
  reasons: string[];
  payload: Record<string, unknown>;
  payload_json: string | null;
}

/** The inbox row of a referrals row. */
export function toInboxRow(row: InboxDbRow): InboxRow {
  return {
    tenant: row.tenant,
    referralId: row.referral_id,
    referralType: row.referral_type,
    status: row.status,
    substatus: row.substatus,
    customerName: row.customer_name,
    domain: row.domain,
    linkStatus: row.link_status,
    linkedCompanyId: row.linked_company_id,
    azureTenantId: row.azure_tenant_id,
    updatedAt: isoOrNull(row.remote_updated_at),
    syncedAt: iso(row.last_synced_at),
    expiresAt: isoOrNull(row.expires_at),
  };
}

/** The stored referral of a referrals row; the exact payload JSON wins over the jsonb copy when present. */
export function toStoredReferral(row: ReferralDbRow): StoredReferral {
  return {
    ...toInboxRow(row),
    typeEvidence: row.type_evidence,
    direction: row.direction,
    contentHash: row.content_hash,
    firstSeenAt: iso(row.first_seen_at),
    score: row.score,
    segment: row.segment,
    reasons: row.reasons,
    payload: row.payload_json === null ? row.payload : (JSON.parse(row.payload_json) as Record<string, unknown>),
  };
}

/** Columns of a company, in SELECT-list form. */
export const COMPANY_COLUMNS = `id::text AS id, domain, name, normalized_name, provider, azure_tenant_id, segment,
  score, reasons, external_id, created_at, updated_at`;

/** A row selected with {@link COMPANY_COLUMNS}. */
export interface CompanyDbRow {
  id: string;
  domain: string;
  name: string | null;
  normalized_name: string | null;
  provider: string | null;
  azure_tenant_id: string | null;
  segment: string | null;
  score: number | null;
  reasons: string[];
  external_id: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** The company of a companies row. */
export function toCompany(row: CompanyDbRow): Company {
  return {
    id: row.id,
    domain: row.domain,
    name: row.name,
    normalizedName: row.normalized_name,
    provider: row.provider,
    azureTenantId: row.azure_tenant_id,
    segment: row.segment,
    score: row.score,
    reasons: row.reasons,
    externalId: row.external_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}
