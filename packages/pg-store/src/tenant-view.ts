// One tenant's side of a pg-store: every Store method on the shared database, with the tenant as
// a parameter of each query (Tables.tenant), its own run lock and its own memory of the last read.
import type {
  DomainScanRecord,
  PageContext,
  PageContextQuery,
  RawLead,
  Store,
  TokenCachePlugin,
} from "@pc-referrals/core";
import type { Db } from "./db.js";
import { createRunLockManager, type RunLockManager } from "./lock.js";
import { applyBatch } from "./queries/apply-batch.js";
import { claimExpiryAnnouncements } from "./queries/expiry-announcements.js";
import { queryInbox } from "./queries/inbox.js";
import { createKnownStates } from "./queries/known-states.js";
import { readPageContext } from "./queries/page-context.js";
import { listReferralDomains } from "./queries/referral-domains.js";
import { getCompany, listReferralActions, recordReferralAction, setCompanyExternalId } from "./queries/referral-actions.js";
import { listReferralFailures, recordReferralFailures } from "./queries/referral-failures.js";
import {
  findCompanies,
  getKnownReferrals,
  getReferral,
  listRawLeads,
  referralTypesByDomain,
  setManualLink,
} from "./queries/referrals.js";
import {
  advanceCursor,
  claimDomainScans,
  getCursor,
  getSyncStatus,
  listDomainScans,
  listRuns,
  recordDomainScan,
  recordRun,
} from "./queries/runs.js";
import { searchIndexState, type SearchIndexState } from "./queries/search-index.js";
import { tablesOf } from "./schema.js";
import { createTokenCachePlugin } from "./token-cache.js";

/**
 * A pg-store narrowed to one partner tenant (`store.forTenant(id)`; the store itself is the
 * `default` tenant's). It shares the store's pool or PGlite instance; it has no `migrate` or
 * `close` (closing the store closes its views). While a view holds its run lock, that lock keeps
 * one pool connection: a pool needs `max` ≥ the tenant runs held at once + 1.
 */
export interface PgTenantStore extends Store {
  readonly kind: "pg" | "pglite";
  /** The schema holding the tables. */
  readonly schema: string;
  /** The tenant whose rows this store reads and writes. */
  readonly tenant: string;
  /** The view of another tenant on the same store (the same view for the same id); bad ids are `invalid_input`. */
  forTenant(tenant: string): PgTenantStore;
  /** An MSAL cache plugin on this tenant's `key` row of the token_cache table (see `createPgTokenCache`). */
  tokenCache(key?: string): TokenCachePlugin;
  /** The known referrals and link candidates of one page in one statement (see `Store.readPageContext`). */
  readPageContext(query: PageContextQuery): Promise<PageContext>;
  /** This tenant's raw leads (full payloads), oldest first; every one, or one referral's. The one copy of each payload. */
  listRawLeads(query?: { referralId?: string }): Promise<RawLead[]>;
  /** Every claimed or scanned domain (shared by all tenants: public DNS facts). */
  listDomainScans(): Promise<DomainScanRecord[]>;
  /**
   * `trigram` when migration 0006 could create the pg_trgm index of the inbox search (searches of
   * 3+ characters read it), `none` where the extension was not available (every search scans).
   */
  searchIndex(): Promise<SearchIndexState>;
}

/** What every tenant view of one store shares. */
export interface ViewContext {
  readonly kind: "pg" | "pglite";
  readonly schema: string;
  /** The database, migrated first when the store was asked to. */
  ready(): Promise<Db>;
  /** Runs `fn` on the ready database, turning its failure into the store's error for `op`. */
  guard<T>(op: string, fn: (db: Db) => Promise<T>): Promise<T>;
  /** The run lock managers of the tenants, created on first use (the store closes them). */
  readonly locks: Map<string, RunLockManager>;
  forTenant(tenant: string): PgTenantStore;
}

/** Every method of `tenant`'s view but `forTenant`, which the store adds (its views are cached). */
export function createTenantView(ctx: ViewContext, tenant: string): Omit<PgTenantStore, "forTenant"> {
  const { guard, schema } = ctx;
  const t = tablesOf(schema, tenant);
  const runLock = async (): Promise<RunLockManager> => {
    const db = await ctx.ready();
    let manager = ctx.locks.get(tenant);
    if (manager === undefined) {
      manager = createRunLockManager(db, t, schema);
      ctx.locks.set(tenant, manager);
    }
    return manager;
  };
  // The last read of known referrals, which the next applyBatch plans on (queries/known-states.ts).
  const known = createKnownStates();
  const batchDeps = {
    known,
    // A view that never took the lock renews by owner alone (and finds nothing unless that owner holds it).
    leaseForWrite: (owner: string) => {
      const manager = ctx.locks.get(tenant);
      return manager === undefined ? { token: null, settle: async () => undefined } : manager.leaseForWrite(owner);
    },
  };

  return {
    kind: ctx.kind,
    schema,
    tenant,
    tokenCache: (key = "default") => createTokenCachePlugin(ctx.ready, t, key),
    applyBatch: (page) => guard("applyBatch", (db) => applyBatch(db, t, page, batchDeps)),
    readPageContext: (query) =>
      guard("readPageContext", async (db) => {
        const context = await readPageContext(db, t, query);
        known.remember(query.referralIds, context.known);
        return context;
      }),
    getKnownReferrals: (ids) =>
      guard("getKnownReferrals", async (db) => {
        const found = await getKnownReferrals(db, t, ids);
        known.remember(ids, found);
        return found;
      }),
    findCompanies: (query) => guard("findCompanies", (db) => findCompanies(db, t, query)),
    getCursor: (scope) => guard("getCursor", (db) => getCursor(db, t, scope)),
    advanceCursor: (scope, next) => guard("advanceCursor", (db) => advanceCursor(db, t, scope, next)),
    claimDomainScans: (domains) => guard("claimDomainScans", (db) => claimDomainScans(db, t, domains)),
    recordDomainScan: (result) => guard("recordDomainScan", (db) => recordDomainScan(db, t, result)),
    acquireRunLock: (request) => guard("acquireRunLock", async () => (await runLock()).acquire(request)),
    recordRun: (run) => guard("recordRun", (db) => recordRun(db, t, run)),
    listRuns: (query) => guard("listRuns", (db) => listRuns(db, t, query)),
    getSyncStatus: (scope) => guard("getSyncStatus", async (db) => getSyncStatus(db, t, scope, async () => (await runLock()).running())),
    recordReferralFailures: (batch) => guard("recordReferralFailures", (db) => recordReferralFailures(db, t, batch)),
    listReferralFailures: (scope) => guard("listReferralFailures", (db) => listReferralFailures(db, t, scope)),
    queryInbox: (query) => guard("queryInbox", (db) => queryInbox(db, t, query)),
    getReferral: (id) => guard("getReferral", (db) => getReferral(db, t, id)),
    setManualLink: (request) => guard("setManualLink", (db) => setManualLink(db, t, request)),
    referralTypesByDomain: (domains) => guard("referralTypesByDomain", (db) => referralTypesByDomain(db, t, domains)),
    listReferralDomains: (query) => guard("listReferralDomains", (db) => listReferralDomains(db, t, query)),
    claimExpiryAnnouncements: (items) => guard("claimExpiryAnnouncements", (db) => claimExpiryAnnouncements(db, t, items)),
    getCompany: (companyId) => guard("getCompany", (db) => getCompany(db, t, companyId)),
    setCompanyExternalId: (request) => guard("setCompanyExternalId", (db) => setCompanyExternalId(db, t, request)),
    recordReferralAction: (record) => guard("recordReferralAction", (db) => recordReferralAction(db, t, record)),
    listReferralActions: (query) => guard("listReferralActions", (db) => listReferralActions(db, t, query)),
    listRawLeads: (query = {}) => guard("listRawLeads", (db) => listRawLeads(db, t, query.referralId)),
    listDomainScans: () => guard("listDomainScans", (db) => listDomainScans(db, t)),
    searchIndex: () => guard("searchIndex", (db) => searchIndexState(db, schema)),
  };
}
