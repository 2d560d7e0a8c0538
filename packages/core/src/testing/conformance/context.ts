// Shared state and helpers of the store conformance suite. Timestamps are compared as instants
// (PostgreSQL formats them its own way); ids are only assumed to be non-empty strings.
import { expect } from "vitest";
import { PcReferralsError, type ErrorCode } from "../../errors.js";
import type { StoreInspector } from "../../store/inspection.js";
import type {
  CompanyUpsert,
  InboxRow,
  LinkStatus,
  ProcessedPage,
  ProcessedReferral,
  Store,
  StoredReferral,
} from "../../store/store.js";
import { DEFAULT_TENANT } from "../../tenants/tenant.js";
import { makeProcessedPage } from "../processed-fixtures.js";

/** What every behaviour file of the suite gets: the store of the running test. */
export interface ConformanceContext<S extends Store = Store> {
  /** A fresh, empty store, created before each test. */
  readonly store: S;
  readonly inspect: StoreInspector<S>;
}

/** The instant of a timestamp as `toISOString()`; null/undefined pass through. */
export function instant<T extends string | null | undefined>(value: T): T {
  return (typeof value === "string" ? new Date(value).toISOString() : value) as T;
}

/** A real wait, used only to let a short lock lease run out (never to assert a duration). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Awaits `promise` and asserts it rejects with a library error of `code`. */
export async function expectErrorCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const outcome = await promise.then(
    () => ({ rejected: false as const }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  expect(outcome.rejected, `expected a rejection with code ${code}`).toBe(true);
  if (outcome.rejected) {
    const actual = PcReferralsError.is(outcome.error) ? outcome.error.code : String(outcome.error);
    expect(actual).toBe(code);
  }
}

/** The tenant a store's rows must carry: its `tenant`, or `"default"` for a store without tenants. */
export function tenantOf(store: Store): string {
  return store.tenant ?? DEFAULT_TENANT;
}

/** A row with its timestamps normalized to instants. */
export function withInstants<R extends InboxRow | StoredReferral>(row: R): R {
  const normalized: R = { ...row, updatedAt: instant(row.updatedAt), syncedAt: instant(row.syncedAt), expiresAt: instant(row.expiresAt) };
  if ("firstSeenAt" in normalized) normalized.firstSeenAt = instant(normalized.firstSeenAt);
  return normalized;
}

/** The referral a store must return after storing `referral` (timestamps as instants). */
export function expectedStored(
  referral: ProcessedReferral,
  stored: { syncedAt: string; firstSeenAt?: string; linkStatus?: LinkStatus; linkedCompanyId?: string | null; tenant?: string },
): StoredReferral {
  return {
    tenant: stored.tenant ?? DEFAULT_TENANT,
    referralId: referral.referralId,
    referralType: referral.referralType,
    typeEvidence: referral.typeEvidence,
    status: referral.status,
    substatus: referral.substatus,
    direction: referral.direction,
    customerName: referral.customerName,
    domain: referral.domain,
    azureTenantId: referral.azureTenantId,
    linkStatus: stored.linkStatus ?? referral.link.status,
    linkedCompanyId: stored.linkedCompanyId === undefined ? referral.link.companyId : stored.linkedCompanyId,
    updatedAt: instant(referral.remoteUpdatedAt),
    syncedAt: instant(stored.syncedAt),
    contentHash: referral.contentHash,
    firstSeenAt: instant(stored.firstSeenAt ?? stored.syncedAt),
    score: referral.scoring.score,
    segment: referral.scoring.segment,
    reasons: referral.scoring.reasons,
    payload: referral.payload,
    expiresAt: instant(referral.expiresAt ?? null),
  };
}

/** Reads a referral that must exist, timestamps normalized. */
export async function readReferral(store: Store, referralId: string): Promise<StoredReferral> {
  const stored = await store.getReferral(referralId);
  expect(stored, `referral ${referralId} should be stored`).not.toBeNull();
  return withInstants(stored as StoredReferral);
}

/** Applies a page holding only these referrals. */
export function applyReferrals(
  store: Store,
  referrals: ProcessedReferral[],
  page: Partial<Omit<ProcessedPage, "referrals">> = {},
): ReturnType<Store["applyBatch"]> {
  return store.applyBatch(makeProcessedPage(referrals, page));
}

/** Upserts companies through a page without referrals; returns their ids by domain. */
export async function seedCompanies(store: Store, companies: CompanyUpsert[]): Promise<Record<string, string>> {
  const outcome = await store.applyBatch(makeProcessedPage([], { companies }));
  return Object.fromEntries(outcome.companies.map((c) => [c.domain, c.companyId]));
}

/** The keys of an inbox row, sorted; rows must have exactly these. */
export const INBOX_ROW_KEYS = [
  "azureTenantId",
  "customerName",
  "domain",
  "expiresAt",
  "linkStatus",
  "linkedCompanyId",
  "referralId",
  "referralType",
  "status",
  "substatus",
  "syncedAt",
  "tenant",
  "updatedAt",
];
