// applyBatch's rules on copies of the tables: the caller writes the staged tables to the file in
// one rename and only then adopts them, so a page lands whole or not at all.
import {
  DEFAULT_TENANT,
  assertValidProcessedPage,
  isOlderCopy,
  keepManualLink,
  mergeCompanyFacts,
  toIsoInstant,
  toRawLead,
  type BatchOutcome,
  type Company,
  type CompanyOutcome,
  type ProcessedPage,
  type ProcessedReferral,
  type RawLead,
  type ReferralOutcome,
  type StoredReferral,
} from "@pc-referrals/core";

export interface Tables {
  referrals: Map<string, StoredReferral>;
  companies: Map<string, Company>;
  rawLeads: RawLead[];
}

const jsonCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function stored(previous: StoredReferral | undefined, input: ProcessedReferral, syncedAt: string): StoredReferral {
  const link = keepManualLink(previous, input.link); // a manual link survives every later page
  return {
    tenant: DEFAULT_TENANT, // this store holds one partner tenant's referrals
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
    payload: jsonCopy(input.payload),
    expiresAt: input.expiresAt == null ? null : toIsoInstant(input.expiresAt, "expiresAt"),
  };
}

/** Stages `page` over `tables` (which it does not change); throws `InvalidInputError` for a page that cannot be stored. */
export function stagePage(
  tables: Tables,
  page: ProcessedPage,
  env: { nowIso: () => string; newId: () => string },
): { tables: Tables; outcome: BatchOutcome } {
  assertValidProcessedPage(page);
  const syncedAt = toIsoInstant(page.syncedAt, "page.syncedAt");
  const companies = new Map(tables.companies);
  const referrals = new Map(tables.referrals);
  const rawLeads = [...tables.rawLeads];

  const companyOutcomes: CompanyOutcome[] = page.companies.map((input) => {
    const existing = companies.get(input.domain);
    const now = env.nowIso();
    const next: Company = existing
      ? { ...existing, ...mergeCompanyFacts(existing, input), updatedAt: now }
      : {
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
    companies.set(next.domain, next);
    return { companyId: next.id, domain: next.domain, created: existing === undefined };
  });

  const referralOutcomes: ReferralOutcome[] = page.referrals.map((input) => {
    const previous = referrals.get(input.referralId);
    let next: StoredReferral;
    let outcome: ReferralOutcome["outcome"];
    if (previous !== undefined && previous.contentHash === input.contentHash) {
      next = { ...previous, syncedAt };
      outcome = "unchanged";
    } else if (previous !== undefined && isOlderCopy(previous.updatedAt, input.remoteUpdatedAt)) {
      next = { ...previous, syncedAt };
      outcome = "stale";
    } else {
      next = stored(previous, input, syncedAt);
      outcome = previous === undefined ? "inserted" : "updated";
      rawLeads.push(jsonCopy(toRawLead(input, env.nowIso())));
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

  return { tables: { referrals, companies, rawLeads }, outcome: { referrals: referralOutcomes, companies: companyOutcomes } };
}
