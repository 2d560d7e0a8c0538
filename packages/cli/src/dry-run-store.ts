// `sync --dry-run`: the engine reads the real store but every write lands in a scratch memory
// store, and applyBatch only says what it would have written.
import { createMemoryStore, isManualLink, isOlderCopy } from "@pc-referrals/core";
import type { BatchOutcome, ProcessedPage, Store } from "@pc-referrals/core";

/** A Store that reads `real` and writes nothing to it. */
export function dryRunStore(real: Store): Store {
  const scratch = createMemoryStore();
  return {
    kind: real.kind,
    // Reads: what the real store knows decides inserted / updated / unchanged.
    getKnownReferrals: (ids) => real.getKnownReferrals(ids),
    findCompanies: (query) => real.findCompanies(query),
    getCursor: (scope) => real.getCursor(scope),
    getSyncStatus: (scope) => real.getSyncStatus(scope),
    listRuns: (query) => real.listRuns(query),
    listReferralFailures: (scope) => real.listReferralFailures(scope),
    queryInbox: (query) => real.queryInbox(query),
    getReferral: (id) => real.getReferral(id),
    referralTypesByDomain: (domains) => real.referralTypesByDomain(domains),
    listReferralDomains: (query) => real.listReferralDomains(query),
    getCompany: (companyId) => real.getCompany(companyId),
    listReferralActions: (query) => real.listReferralActions(query),
    // Writes: to the scratch store, which forgets them with the process.
    acquireRunLock: (request) => scratch.acquireRunLock(request),
    recordRun: (run) => scratch.recordRun(run),
    advanceCursor: (scope, next) => scratch.advanceCursor(scope, next),
    claimDomainScans: () => Promise.resolve([]),
    recordDomainScan: (result) => scratch.recordDomainScan(result),
    recordReferralFailures: (batch) => scratch.recordReferralFailures(batch),
    setManualLink: () => Promise.resolve(null),
    setCompanyExternalId: () => Promise.resolve(null),
    // A dry run sends no write-back, so it has nothing to audit.
    recordReferralAction: (record) => scratch.recordReferralAction(record),
    applyBatch: (page) => wouldApply(real, page),
  };
}

async function wouldApply(real: Store, page: ProcessedPage): Promise<BatchOutcome> {
  const known = await real.getKnownReferrals(page.referrals.map((r) => r.referralId));
  const found = await real.findCompanies({ domains: page.companies.map((c) => c.domain), normalizedNames: [] });
  const byDomain = new Map(found.map((c) => [c.domain, c]));
  return {
    referrals: page.referrals.map((r) => {
      const before = known.get(r.referralId);
      const stale = before !== undefined && isOlderCopy(before.remoteUpdatedAt ?? null, r.remoteUpdatedAt);
      const outcome = before === undefined ? "inserted" : stale ? "stale" : before.contentHash === r.contentHash ? "unchanged" : "updated";
      const manual = before !== undefined && isManualLink(before.linkStatus);
      return {
        referralId: r.referralId,
        outcome,
        previousStatus: before?.status ?? null,
        previousSubstatus: before?.substatus ?? null,
        linkStatus: before !== undefined && manual ? before.linkStatus : r.link.status,
        linkedCompanyId: before !== undefined && manual ? before.linkedCompanyId : r.link.companyId,
      };
    }),
    companies: page.companies.map((c) => {
      const existing = byDomain.get(c.domain);
      return { companyId: existing?.id ?? `dry-run:${c.domain}`, domain: c.domain, created: existing === undefined };
    }),
  };
}
