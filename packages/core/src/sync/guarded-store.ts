// Every store call of the engine goes through here: a failure that is not one of ours becomes a
// StoreError. Arguments are never logged or copied into errors (they hold contact data).
import { PcReferralsError, StoreError } from "../errors.js";
import { maskPii } from "../logger.js";
import type { PageContextQuery, RunLock, RunLockResult, Store } from "../store/store.js";

/** The methods the engine calls; a store missing one is rejected at `createSyncEngine`. */
export const ENGINE_STORE_METHODS = [
  "applyBatch",
  "getKnownReferrals",
  "findCompanies",
  "getCursor",
  "advanceCursor",
  "claimDomainScans",
  "recordDomainScan",
  "acquireRunLock",
  "recordRun",
  "recordReferralFailures",
  "listReferralFailures",
  "getSyncStatus",
  "queryInbox",
  "claimExpiryAnnouncements",
] as const satisfies ReadonlyArray<keyof Store>;

/** The subset of {@link Store} the engine uses; `readPageContext` only when the store has it. */
export type EngineStore = Pick<Store, (typeof ENGINE_STORE_METHODS)[number] | "readPageContext">;

/** Names of required methods `store` lacks. */
export function missingStoreMethods(store: unknown): string[] {
  if (typeof store !== "object" || store === null) return [...ENGINE_STORE_METHODS];
  return ENGINE_STORE_METHODS.filter((m) => typeof (store as Record<string, unknown>)[m] !== "function");
}

/** A library error passes through unchanged; anything else becomes a `StoreError` naming the call. */
export function toStoreError(error: unknown, call: string): PcReferralsError {
  if (PcReferralsError.is(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreError(`Store call ${call} failed: ${maskPii(detail).slice(0, 300)}`, { cause: error });
}

async function guarded<T>(call: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toStoreError(error, call);
  }
}

function guardLock(lock: RunLock): RunLock {
  return {
    get owner() {
      return lock.owner;
    },
    get expiresAt() {
      return lock.expiresAt;
    },
    release: () => guarded("RunLock.release", () => lock.release()),
    renew: (ttlMs) => guarded("RunLock.renew", () => lock.renew(ttlMs)),
  };
}

/** Wraps the engine's store methods so that every failure is a library error. */
export function guardStore(store: EngineStore): EngineStore {
  const readPageContext = typeof store.readPageContext === "function" ? store.readPageContext.bind(store) : undefined;
  return {
    ...(readPageContext === undefined ? {} : { readPageContext: (query: PageContextQuery) => guarded("readPageContext", () => readPageContext(query)) }),
    applyBatch: (page) => guarded("applyBatch", () => store.applyBatch(page)),
    getKnownReferrals: (ids) => guarded("getKnownReferrals", () => store.getKnownReferrals(ids)),
    findCompanies: (query) => guarded("findCompanies", () => store.findCompanies(query)),
    getCursor: (scope) => guarded("getCursor", () => store.getCursor(scope)),
    advanceCursor: (scope, next) => guarded("advanceCursor", () => store.advanceCursor(scope, next)),
    claimDomainScans: (domains) => guarded("claimDomainScans", () => store.claimDomainScans(domains)),
    recordDomainScan: (result) => guarded("recordDomainScan", () => store.recordDomainScan(result)),
    acquireRunLock: async (request) => {
      const result: RunLockResult = await guarded("acquireRunLock", () => store.acquireRunLock(request));
      return result.acquired ? { acquired: true, lock: guardLock(result.lock) } : result;
    },
    recordRun: (run) => guarded("recordRun", () => store.recordRun(run)),
    recordReferralFailures: (batch) => guarded("recordReferralFailures", () => store.recordReferralFailures(batch)),
    listReferralFailures: (scope) => guarded("listReferralFailures", () => store.listReferralFailures(scope)),
    getSyncStatus: (scope) => guarded("getSyncStatus", () => store.getSyncStatus(scope)),
    queryInbox: (query) => guarded("queryInbox", () => store.queryInbox(query)),
    claimExpiryAnnouncements: (items) => guarded("claimExpiryAnnouncements", () => store.claimExpiryAnnouncements(items)),
  };
}
