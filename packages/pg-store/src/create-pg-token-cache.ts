// createPgTokenCache: the public entry to the token_cache plugin of a store (see token-cache.ts).
import { ConfigError, type TokenCachePlugin } from "@pc-referrals/core";
import type { PgTenantStore } from "./tenant-view.js";

/**
 * An MSAL cache plugin (msal-node `ICachePlugin`) that keeps the token cache in `store`'s
 * token_cache table under `key`, so every replica on the same database shares one login. A
 * tenant view (`store.forTenant(id)`) keeps its own rows: each tenant's login stays apart.
 * Concurrent writers never overwrite each other: a write only lands on the version it read, and
 * a lost race merges both caches entry by entry and retries. The row holds refresh tokens in
 * plain text: restrict access to the schema.
 *
 * ```ts
 * const provider = createMsalTokenProvider({ clientId, cache: createPgTokenCache(store, "partner-center") });
 * ```
 */
export function createPgTokenCache(store: PgTenantStore, key = "default"): TokenCachePlugin {
  if (typeof (store as Partial<PgTenantStore> | null)?.tokenCache !== "function") {
    throw new ConfigError([{ path: "createPgTokenCache.store", message: "expected a pg-store, e.g. createPgStore({ connectionString })" }]);
  }
  return store.tokenCache(key);
}
