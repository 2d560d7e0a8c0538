/**
 * The executable form of the {@link Store} contract: every store (memory, pg on PostgreSQL and
 * PGlite, yours) runs this vitest suite and must pass it unchanged.
 *
 * ```ts
 * import { describeStoreConformance } from "@pc-referrals/core/testing";
 * describeStoreConformance("my store", () => createMyStore(), { cleanup: (s) => s.truncateAll() });
 * ```
 *
 * Rules the suite pins down beyond the TSDoc of `store.ts`:
 * - A page that holds a referral with an empty `referralId`, or a payload JSON cannot represent
 *   (a BigInt), must be rejected as a whole: nothing of it may remain.
 * - `unchanged` (same content hash) moves only `syncedAt`; the page's other values are ignored.
 *   `firstSeenAt` is the `syncedAt` of the page that inserted the referral.
 * - Companies: the first name/normalized name is kept; provider, tenant, segment and score only
 *   change to non-null values; reasons only to a non-empty list.
 * - A stored `manual_linked`/`manual_unlinked` survives every later page. `setManualLink` rejects a
 *   company id that names no company with `invalid_input`.
 * - `findCompanies` and `referralTypesByDomain` match exactly (case-sensitive).
 * - `claimDomainScans` de-duplicates and keeps input order; a domain with a recorded scan counts as claimed.
 * - The run lock's identity is its owner: the holder re-acquiring renews; `renew` succeeds while
 *   nobody else took the lease (even past expiry); a stale holder never frees or renews a newer lease.
 * - `queryInbox`: page/pageSize must be positive integers and referralType/linkStatus known values
 *   (else `invalid_input`); pageSize is clamped to 500; `status` is a case-insensitive equality; `q`
 *   is trimmed (blank means no filter) and matched as a literal substring, case-insensitively for
 *   ASCII letters (other letters must match in the same case); hostile `q`, U+0000 included, never throws.
 * - `listReferralDomains`: one row per non-null domain, ordered by code point; page must be a
 *   positive integer, pageSize 1..500 (default 100, larger is `invalid_input`, not clamped); the
 *   newest referral is the first in inbox order (remote updatedAt desc, nulls last, then id).
 * - `listRuns` returns the newest runs by `startedAt`, 20 unless `limit` (a positive integer) says otherwise.
 * - Referral failures are kept per scope; `listReferralFailures` orders them by referral id and
 *   `SyncStatus.quarantined` by `quarantinedAt`, then referral id.
 * - Expiry: `expiresAt` is stored as an instant (absent means null) and replaced by every new or
 *   changed copy; `expiresWithinDays` (≥ 0) keeps rows whose deadline is at most that far after
 *   `now` (past ones included), `sort: "urgency"` orders by deadline, nulls last, then inbox order;
 *   `claimExpiryAnnouncements` is an atomic insert-if-absent keyed by (referralId, thresholdDays,
 *   expiresAt instant).
 * - The audit trail (`recordReferralAction`) is append-only: an id written twice keeps the first;
 *   `listReferralActions` is newest first (`at`, then `id`, descending), 50 by default, limit 1..500.
 * - A company's `externalId` is null until `setCompanyExternalId` sets it; syncs never change it.
 * - Text without U+0000 or lone surrogates is stored verbatim; timestamps are compared as instants.
 * - Tenants (checked when the store has `forTenant`; a store without it must be the `default`
 *   tenant): every row a view reads or writes is its tenant's (the same referral id is one row per
 *   tenant; another tenant's company is not found, and linking to it is `invalid_input`); domain
 *   scans are shared; each tenant has its own run lock (two tenants hold theirs at once, releasing
 *   one never frees another, even with the same owner); `forTenant` of a view is the sibling view,
 *   `forTenant("default")` reads the root's rows; a malformed id is `invalid_input`.
 * - Optional parts (checked when the store has them): `readPageContext` answers what
 *   `getKnownReferrals` plus `findCompanies` answer; `applyBatch` with `page.lease` renews the
 *   writer's lease in the same write, and when another run holds the lease the page is still
 *   written, `lease.renewed` is false and the other lease is left alone. A page carrying
 *   `payloadJson` stores the same payload as one without.
 *
 * Each test gets a fresh store from `makeStore`, which must be empty. After the test, `cleanup`
 * (if given) runs, then `store.close()` (if the store has one).
 */
import { afterEach, beforeEach, describe } from "vitest";
import type { StoreInspector } from "../store/inspection.js";
import type { Store } from "../store/store.js";
import { describeApplyBatch } from "./conformance/apply-batch.js";
import { describeCompanies } from "./conformance/companies.js";
import type { ConformanceContext } from "./conformance/context.js";
import { describeCursorScansRuns } from "./conformance/cursor-scans-runs.js";
import { describeExpiry } from "./conformance/expiry.js";
import { describeHostileStrings } from "./conformance/hostile-strings.js";
import { describeInbox } from "./conformance/inbox.js";
import { describeLookups } from "./conformance/lookups.js";
import { describeReferralActions } from "./conformance/referral-actions.js";
import { describeReferralDomains } from "./conformance/referral-domains.js";
import { describeReferralFailures } from "./conformance/referral-failures.js";
import { describeRunLock } from "./conformance/run-lock.js";
import { describeTenantRunLock } from "./conformance/tenant-run-lock.js";
import { describeTenants } from "./conformance/tenants.js";
import { describeWritePath } from "./conformance/write-path.js";

/** Options of {@link describeStoreConformance}. */
export interface StoreConformanceOptions<S extends Store = Store> {
  /** Runs after each test, before `store.close()`: drop or truncate what the test wrote. */
  cleanup?: (store: S) => Promise<void>;
  /** Read-back of raw leads and domain scans; the tests that need one are skipped without it. */
  inspect?: StoreInspector<S>;
}

/** Registers the Store conformance suite (about 70 tests, 130 cases) under `describe("Store conformance: <name>")`. */
export function describeStoreConformance<S extends Store>(
  name: string,
  makeStore: () => Promise<S> | S,
  options: StoreConformanceOptions<S> = {},
): void {
  describe(`Store conformance: ${name}`, () => {
    let current: S | undefined;
    const ctx: ConformanceContext<S> = {
      get store(): S {
        if (current === undefined) throw new Error("The store is only available inside a test.");
        return current;
      },
      inspect: options.inspect ?? {},
    };

    beforeEach(async () => {
      current = await makeStore();
    });

    afterEach(async () => {
      const store = current;
      current = undefined;
      if (store === undefined) return;
      try {
        await options.cleanup?.(store);
      } finally {
        await store.close?.();
      }
    });

    describeApplyBatch(ctx);
    describeCompanies(ctx);
    describeLookups(ctx);
    describeCursorScansRuns(ctx);
    describeRunLock(ctx);
    describeReferralFailures(ctx);
    describeInbox(ctx);
    describeReferralDomains(ctx);
    describeHostileStrings(ctx);
    describeWritePath(ctx);
    describeExpiry(ctx);
    describeReferralActions(ctx);
    describeTenants(ctx);
    describeTenantRunLock(ctx);
  });
}
