/**
 * Builders of processed pages, for testing a {@link Store} without running the sync engine.
 *
 * Every builder returns a fresh object with realistic defaults; pass overrides for what a test is
 * about. The defaults are fixed (no counters, no clock), so two calls give equal values: give each
 * referral its own `referralId`, and a new `contentHash` when its content is meant to change.
 */
import type { CompanyUpsert, ProcessedPage, ProcessedReferral } from "../store/store.js";

/** Default `referralId` of {@link makeProcessedReferral}. */
export const DEFAULT_REFERRAL_ID = "3f2a9c1e-5b7d-4e21-9a0c-1d2e3f405a61";

/**
 * A processed referral: an incoming, new co-sell referral of Contoso (`contoso.com`), unlinked,
 * unscored, with `contentHash` `"hash-1"` and no `expiresAt`. Unless overridden, `payload` is a small wire-shaped
 * referral whose `id` is the final `referralId`. `scoring` and `link` are replaced whole.
 */
export function makeProcessedReferral(overrides: Partial<ProcessedReferral> = {}): ProcessedReferral {
  const referralId = overrides.referralId ?? DEFAULT_REFERRAL_ID;
  const remoteUpdatedAt = overrides.remoteUpdatedAt === undefined ? "2025-03-04T09:12:44.123Z" : overrides.remoteUpdatedAt;
  return {
    referralId,
    referralType: "co-sell",
    typeEvidence: "type=Shared",
    status: "New",
    substatus: "Pending",
    direction: "Incoming",
    customerName: "Contoso Ltd",
    domain: "contoso.com",
    domainSource: "email",
    contactEmail: "buyer@contoso.com",
    website: null,
    azureTenantId: null,
    scoring: { score: null, segment: null, reasons: [] },
    link: { status: "unlinked", companyId: null, candidateIds: [] },
    contentHash: "hash-1",
    remoteUpdatedAt,
    payload: {
      id: referralId,
      name: "Contoso Ltd – Azure migration",
      status: "New",
      substatus: "Pending",
      type: "Shared",
      direction: "Incoming",
      updatedDateTime: remoteUpdatedAt,
      customerProfile: { name: "Contoso Ltd", team: [{ firstName: "Avery", email: "buyer@contoso.com" }] },
    },
    expiresAt: null,
    ...overrides,
  };
}

/** A company upsert for `contoso.com` named "Contoso Ltd" (normalized `contoso`), with no other facts. */
export function makeCompanyUpsert(overrides: Partial<CompanyUpsert> = {}): CompanyUpsert {
  return {
    domain: "contoso.com",
    name: "Contoso Ltd",
    normalizedName: "contoso",
    provider: null,
    azureTenantId: null,
    segment: null,
    score: null,
    reasons: [],
    ...overrides,
  };
}

/** A page of run `run-1` synced at 2025-03-04T10:00:00.000Z, holding `referrals` and no companies unless overridden. */
export function makeProcessedPage(
  referrals: ProcessedReferral[],
  overrides: Partial<Omit<ProcessedPage, "referrals">> = {},
): ProcessedPage {
  return {
    runId: "run-1",
    syncedAt: "2025-03-04T10:00:00.000Z",
    companies: [],
    ...overrides,
    referrals,
  };
}
