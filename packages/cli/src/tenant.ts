// `--tenant <id>` (PARTNER_CENTER_TENANT): which partner tenant a command reads and writes, and
// where that tenant's login is cached (docs/configuration.md "Tenants").
import { dirname, basename, extname, join } from "node:path";
import { DEFAULT_TENANT, TENANT_ID_RULE, isTenantId } from "@pc-referrals/core";
import type { PgStore } from "@pc-referrals/pg-store";
import type { OptionSpec } from "./command.js";
import type { TenantLogin } from "./context.js";
import { commandEnv } from "./config.js";
import type { CliIo } from "./io.js";
import { CliError, EXIT } from "./output.js";

/** The `--tenant` flag of the commands that read or write one tenant's rows. */
export const tenantOption: OptionSpec = { type: "string", value: "<id>", description: "Partner tenant to read and write (PARTNER_CENTER_TENANT; default default)" };

/** A tenant id, or the usage error (exit 2) with the rule. */
export function requireTenant(value: string, what = "Tenant id"): string {
  if (isTenantId(value)) return value;
  throw new CliError(EXIT.config, `${what} ${JSON.stringify(String(value).slice(0, 80))} is not valid.`, `A tenant id is ${TENANT_ID_RULE}.`);
}

/** The tenant of this command: `--tenant`, else PARTNER_CENTER_TENANT, else `default`. */
export function resolveTenant(io: CliIo, values: Record<string, string | boolean | undefined>): string {
  if (typeof values.tenant === "string") return requireTenant(values.tenant, "--tenant");
  const fromEnv = commandEnv(io).PARTNER_CENTER_TENANT?.trim();
  return fromEnv === undefined || fromEnv === "" ? DEFAULT_TENANT : requireTenant(fromEnv, "PARTNER_CENTER_TENANT");
}

/** The token cache file of a tenant: the configured file for `default`, else `<name>.<tenant><ext>` beside it. */
export function tenantTokenCachePath(path: string, tenant: string): string {
  if (tenant === DEFAULT_TENANT) return path;
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.${tenant}${ext}`);
}

/**
 * Whose login a command uses for `tenant`: its own token cache, signed in to the registry's
 * `entraTenantId` when the tenant is registered (the configured authority otherwise).
 */
export async function tenantLogin(store: PgStore, tenant: string): Promise<TenantLogin> {
  if (tenant === DEFAULT_TENANT) return { id: tenant, entraTenantId: null };
  const record = await store.tenants.get(tenant);
  return { id: tenant, entraTenantId: record?.entraTenantId ?? null };
}
