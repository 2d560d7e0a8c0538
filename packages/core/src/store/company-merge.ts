// The one rule for a company upsert that meets a company already stored (or already staged in the
// same page). PostgreSQL's ON CONFLICT clause in pg-store states the same rule in SQL.
import type { CompanyUpsert } from "./store.js";

/** The company facts an upsert may change: everything but the domain that keys it. */
type CompanyFacts = Omit<CompanyUpsert, "domain">;

/**
 * The facts of a company after `next` is applied over `existing`: the first name (and normalized
 * name) seen is kept; every other fact only gains values, so a null never clears a stored one and
 * empty `reasons` keep the stored reasons. Applying upserts one by one, or folding them first and
 * applying the result, gives the same company.
 */
export function mergeCompanyFacts(existing: CompanyFacts, next: CompanyFacts): CompanyFacts {
  return {
    name: existing.name ?? next.name,
    normalizedName: existing.normalizedName ?? next.normalizedName,
    provider: next.provider ?? existing.provider,
    azureTenantId: next.azureTenantId ?? existing.azureTenantId,
    segment: next.segment ?? existing.segment,
    score: next.score ?? existing.score,
    reasons: next.reasons.length > 0 ? [...next.reasons] : [...existing.reasons],
  };
}

/**
 * Folds the company upserts of one page into one per domain, in first-seen order, by
 * {@link mergeCompanyFacts}: a page written whole then gives the same companies as its upserts
 * applied one by one (useful to a store that writes each domain once per statement).
 */
export function foldCompanyUpserts(upserts: readonly CompanyUpsert[]): CompanyUpsert[] {
  const byDomain = new Map<string, CompanyUpsert>();
  for (const next of upserts) {
    const current = byDomain.get(next.domain);
    const merged = current === undefined ? { ...next, reasons: [...next.reasons] } : { domain: next.domain, ...mergeCompanyFacts(current, next) };
    byDomain.set(next.domain, merged);
  }
  return [...byDomain.values()];
}
