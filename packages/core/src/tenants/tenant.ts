// Partner tenants: one hosted partner organization each (docs/architecture.md "Tenants"). A store
// narrowed with `Store.forTenant(id)` reads and writes only that tenant's rows; a registry keeps
// the tenants themselves (login state, schedule, overrides) for the worker, the CLI and the routes.
import { InvalidInputError } from "../errors.js";

/** The tenant every single-tenant store, route and command uses; data from before tenants lives here. */
export const DEFAULT_TENANT = "default";

const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** What a tenant id must look like, as an error message's rule. */
export const TENANT_ID_RULE = "1 to 63 characters of a-z, 0-9, - and _, starting with a letter or digit (e.g. contoso)";

/** True when `value` is a valid tenant id (see {@link TENANT_ID_RULE}). */
export function isTenantId(value: unknown): value is string {
  return typeof value === "string" && TENANT_ID_PATTERN.test(value);
}

/** `value` when it is a valid tenant id, else `InvalidInputError` naming the rule. */
export function requireTenantId(value: unknown): string {
  if (!isTenantId(value)) {
    const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw new InvalidInputError(`tenant id ${shown} is not valid: ${TENANT_ID_RULE}.`);
  }
  return value;
}

/** Per-tenant settings that can be stored as JSON (code-level rules go through the worker's `engineOptions`). */
export interface TenantOverrides {
  scoring?: {
    /** Score of a referral with an Azure tenant id (built-in hook); default 55. */
    azureTenantScore?: number;
    /** Bonus for co-sell referrals (built-in hook); default 15. */
    coSellBonus?: number;
  };
}

/** A hosted partner organization, as a {@link TenantRegistry} keeps it. */
export interface TenantRecord {
  /** Our key for the tenant ({@link TENANT_ID_RULE}); every stored row of it carries this id. */
  id: string;
  displayName: string | null;
  /** Its feature flag: a disabled tenant is never scheduled and its jobs are skipped. */
  enabled: boolean;
  /** Time between scheduled syncs of this tenant. */
  intervalMs: number;
  /**
   * The partner's Microsoft Entra tenant (GUID or verified domain) its device-code login signs in
   * to; null: the app's configured authority.
   */
  entraTenantId: string | null;
  /**
   * Set when a run of the tenant ended with `auth_required` (its login was revoked or expired):
   * the tenant is skipped until it logs in again (`tenants login <id>` clears it).
   */
  loginRequired: { since: string; reason: string } | null;
  overrides: TenantOverrides;
  createdAt: string;
  updatedAt: string;
}

/** Input of {@link TenantRegistry.put}: the id, and the fields to set (absent fields keep their value, or the default on create). */
export interface TenantInput {
  id: string;
  displayName?: string | null;
  /** Default on create: true. */
  enabled?: boolean;
  /** At least 1 000 ms; default on create: 600 000 (10 minutes). */
  intervalMs?: number;
  entraTenantId?: string | null;
  overrides?: TenantOverrides;
}

/** Where the hosted tenants are kept: pg-store's `tenants` table, or `createMemoryTenantRegistry()`. */
export interface TenantRegistry {
  /** Every tenant, by id in code point order. */
  list(): Promise<TenantRecord[]>;
  get(id: string): Promise<TenantRecord | null>;
  /** Creates or updates a tenant. Bad input (id, interval, names) is `invalid_input` and changes nothing. */
  put(input: TenantInput): Promise<TenantRecord>;
  /** Removes the tenant from the registry (its stored referrals stay); false when there was none. */
  remove(id: string): Promise<boolean>;
  /** Marks the tenant "login required" (an `auth_required` run); false when there is no such tenant. */
  markLoginRequired(id: string, reason: string): Promise<boolean>;
  /** Clears "login required" after a new login; false when there is no such tenant. */
  clearLoginRequired(id: string): Promise<boolean>;
  /**
   * The enabled tenants without "login required" whose next scheduled sync is due at `now`
   * (default: the registry's clock), each claimed until `now + intervalMs`: two processes calling at
   * once never both get the same tenant for the same interval. A tenant never claimed is due at once.
   */
  claimDue(now?: string): Promise<TenantRecord[]>;
}
