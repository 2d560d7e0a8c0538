// Which tenant a request serves (docs/architecture.md "Tenants"): the tenant `authorize` named, and
// the store view, engine and write-back that go with it. Routes never read a tenant from the
// request itself (path, query, header), so a caller cannot reach another tenant's rows.
import { ConfigError, DEFAULT_TENANT, NotFoundError, TENANT_ID_RULE, isTenantId, type ReferralActions, type Store, type SyncEngine } from "@pc-referrals/core";
import type { Context } from "hono";
import type { RouteSettings, TenantRouteOptions } from "./route-options.js";

interface Verdict {
  actor: string | null;
  tenant: string | null;
}

// Kept beside the request rather than in Hono's context variables, so the host's own Env types stay untouched.
const verdicts = new WeakMap<Request, Verdict>();

/**
 * Remembers the `actor` and `tenant` of `authorize`'s verdict for this request. A tenant that is
 * not a valid id is the host's bug: a 500 `config_invalid`, never a fallback to another tenant.
 */
export function rememberVerdict(c: Context, verdict: unknown): void {
  if (typeof verdict !== "object" || verdict === null) return;
  const { actor, tenant } = verdict as { actor?: unknown; tenant?: unknown };
  if (tenant !== undefined && !isTenantId(tenant)) {
    throw new ConfigError([{ path: "createReferralRoutes.authorize", message: `returned a tenant that is not a valid tenant id: ${TENANT_ID_RULE}` }]);
  }
  verdicts.set(c.req.raw, { actor: typeof actor === "string" && actor !== "" ? actor : null, tenant: tenant ?? null });
}

/** The `actor` authorize named for this request, or null (`true`, `unsafeAllowAll`, no actor given). */
export function actorOf(c: Context): string | null {
  return verdicts.get(c.req.raw)?.actor ?? null;
}

/** The `tenant` authorize named for this request, or null. */
export function tenantOf(c: Context): string | null {
  return verdicts.get(c.req.raw)?.tenant ?? null;
}

/** What one request reads and writes. */
export interface RequestScope {
  /** The tenant authorize named; null for a single-tenant request. */
  tenant: string | null;
  /** The store, or its view for `tenant`. */
  store: Store;
  /** The engine, when it syncs this request's tenant (the store's own); else null. */
  engine: SyncEngine | null;
  /** Write-back for this request's tenant, or null when not configured. */
  actions: ReferralActions | null;
  /** The host's tenant jobs (`tenants` option), or null. */
  tenants: TenantRouteOptions | null;
}

/** The tenant the unnarrowed store (and so the engine) holds. */
const ownTenant = (store: Store): string => store.tenant ?? DEFAULT_TENANT;

/** The store, engine and write-back for this request. */
export function scopeOf(c: Context, settings: RouteSettings): RequestScope {
  const tenant = tenantOf(c);
  const { store, engine, tenants } = settings;
  if (tenant === null) return { tenant, store, engine, actions: settings.actions, tenants };
  const own = tenant === ownTenant(store);
  return {
    tenant,
    store: tenantStore(store, tenant),
    engine: own ? engine : null,
    actions: tenants?.actions?.(tenant) ?? (own ? settings.actions : null),
    tenants,
  };
}

function tenantStore(store: Store, tenant: string): Store {
  if (store.forTenant !== undefined) return store.forTenant(tenant);
  if (tenant === ownTenant(store)) return store;
  throw new ConfigError([
    {
      path: "createReferralRoutes.store",
      message: `authorize named tenant "${tenant}", but this store has no forTenant() (only tenant "${ownTenant(store)}"): use a store with tenant views (createPgStore, createMemoryStore)`,
    },
  ]);
}

/** The engine of this request, or 404 `not_found` naming what serves a tenant instead. */
export function requireEngine(scope: RequestScope, what: string): SyncEngine {
  if (scope.engine !== null) return scope.engine;
  throw new NotFoundError(`${what} is not available for tenant "${scope.tenant ?? DEFAULT_TENANT}": it is bound to one sync engine, and tenants sync in workers.`);
}
