// applyBatch of the memory store: stage every change over the current state, then commit at once,
// so a page lands whole or not at all (as one PostgreSQL transaction would).
import { mergeCompanyFacts } from "./company-merge.js";
import { toRawLead, type RawLead } from "./inspection.js";
import { keepManualLink } from "./manual-link.js";
import { isOlderCopy } from "./stale-copy.js";
import type {
  BatchOutcome,
  Company,
  CompanyOutcome,
  CompanyUpsert,
  ProcessedPage,
  ProcessedReferral,
  ReferralOutcome,
  StoredReferral,
} from "./store.js";
import { assertValidProcessedPage, jsonClone, toIsoInstant } from "./validate-page.js";

/** The referral and company tables of the memory store. */
export interface MemoryTables {
  referrals: Map<string, StoredReferral>;
  /** Keyed by domain. */
  companies: Map<string, Company>;
  rawLeads: RawLead[];
}

/** Clock and id source of one batch. */
export interface BatchEnvironment {
  nowIso: () => string;
  newId: () => string;
  /** The tenant the rows belong to. */
  tenant: string;
}

function upsertCompany(existing: Company | undefined, input: CompanyUpsert, env: BatchEnvironment): Company {
  const now = env.nowIso();
  if (!existing) {
    return {
      id: env.newId(),
      domain: input.domain,
      name: input.name,
      normalizedName: input.normalizedName,
      provider: input.provider,
      azureTenantId: input.azureTenantId,
      segment: input.segment,
      score: input.score,
      reasons: [...input.reasons],
      externalId: null,
      createdAt: now,
      updatedAt: now,
    };
  }
  return { ...existing, ...mergeCompanyFacts(existing, input), updatedAt: now };
}

function storeReferral(
  previous: StoredReferral | undefined,
  input: ProcessedReferral,
  syncedAt: string,
  tenant: string,
): StoredReferral {
  const link = keepManualLink(previous, input.link);
  return {
    tenant,
    referralId: input.referralId,
    referralType: input.referralType,
    typeEvidence: input.typeEvidence,
    status: input.status,
    substatus: input.substatus,
    direction: input.direction,
    customerName: input.customerName,
    domain: input.domain,
    azureTenantId: input.azureTenantId,
    linkStatus: link.status,
    linkedCompanyId: link.companyId,
    updatedAt: input.remoteUpdatedAt === null ? null : toIsoInstant(input.remoteUpdatedAt, "remoteUpdatedAt"),
    syncedAt,
    contentHash: input.contentHash,
    firstSeenAt: previous?.firstSeenAt ?? syncedAt,
    score: input.scoring.score,
    segment: input.scoring.segment,
    reasons: [...input.scoring.reasons],
    payload: jsonClone(input.payload),
    expiresAt: input.expiresAt == null ? null : toIsoInstant(input.expiresAt, "expiresAt"),
  };
}

/** Applies one page to `tables`: all of it, or (after throwing `InvalidInputError`) none of it. */
export function applyPageToTables(tables: MemoryTables, page: ProcessedPage, env: BatchEnvironment): BatchOutcome {
  assertValidProcessedPage(page);
  const syncedAt = toIsoInstant(page.syncedAt, "page.syncedAt");
  const companies = new Map<string, Company>();
  const referrals = new Map<string, StoredReferral>();
  const rawLeads: RawLead[] = [];

  const companyOutcomes: CompanyOutcome[] = page.companies.map((input) => {
    const existing = companies.get(input.domain) ?? tables.companies.get(input.domain);
    const next = upsertCompany(existing, input, env);
    companies.set(next.domain, next);
    return { companyId: next.id, domain: next.domain, created: existing === undefined };
  });

  const referralOutcomes: ReferralOutcome[] = page.referrals.map((input) => {
    const previous = referrals.get(input.referralId) ?? tables.referrals.get(input.referralId);
    let next: StoredReferral;
    let outcome: ReferralOutcome["outcome"];
    if (previous !== undefined && previous.contentHash === input.contentHash) {
      next = { ...previous, syncedAt };
      outcome = "unchanged";
    } else if (previous !== undefined && isOlderCopy(previous.updatedAt, input.remoteUpdatedAt)) {
      next = { ...previous, syncedAt };
      outcome = "stale";
    } else {
      next = storeReferral(previous, input, syncedAt, env.tenant);
      outcome = previous === undefined ? "inserted" : "updated";
      rawLeads.push(jsonClone(toRawLead(input, env.nowIso())));
    }
    referrals.set(next.referralId, next);
    return {
      referralId: next.referralId,
      outcome,
      previousStatus: previous?.status ?? null,
      previousSubstatus: previous?.substatus ?? null,
      linkStatus: next.linkStatus,
      linkedCompanyId: next.linkedCompanyId,
    };
  });

  for (const [domain, company] of companies) tables.companies.set(domain, company);
  for (const [id, referral] of referrals) tables.referrals.set(id, referral);
  tables.rawLeads.push(...rawLeads);
  return { referrals: referralOutcomes, companies: companyOutcomes };
}
