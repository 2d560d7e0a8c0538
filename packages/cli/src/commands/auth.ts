// `login`, `logout`, `whoami` (each with `--tenant`): the device-code login and its cache.
import { DEFAULT_TENANT, type DeviceCodeInfo, type MsalTokenProvider } from "@pc-referrals/core";
import type { PgStore } from "@pc-referrals/pg-store";
import type { CommandContext } from "../command.js";
import { resolveConfig } from "../config.js";
import type { CliConfig } from "../config.js";
import { openStore, tokenProvider } from "../context.js";
import type { CliIo } from "../io.js";
import { CliError, EXIT, paint, println } from "../output.js";
import { resolveTenant, tenantLogin, tenantTokenCachePath } from "../tenant.js";

/**
 * The provider of the configuration for `tenant`; the store is opened for the db token store and
 * for a tenant's login (its Entra tenant is in the registry), and closed afterwards.
 */
async function withProvider<T>(config: CliConfig, tenant: string, work: (provider: MsalTokenProvider, store: PgStore | null) => Promise<T>): Promise<T> {
  const store: PgStore | null = config.tokenStore === "db" || tenant !== DEFAULT_TENANT ? openStore(config) : null;
  try {
    const login = store === null ? { id: tenant, entraTenantId: null } : await tenantLogin(store, tenant);
    return await work(tokenProvider(config, store, { tenant: login }), store);
  } finally {
    await store?.close().catch(() => undefined);
  }
}

/** Where a tenant's tokens are cached, as the login's last line says. */
export function tokenCacheWhere(config: CliConfig, tenant: string): string {
  return config.tokenStore === "db" ? "the database's token_cache table" : tenantTokenCachePath(config.tokenCachePath, tenant);
}

/** What a person sees while the device code waits: the page to open and the code to enter. */
export function printDeviceCode(io: CliIo, info: DeviceCodeInfo): void {
  println(io, `To sign in, open ${paint(io, io.stdout, "bold", info.verificationUri)} and enter the code ${paint(io, io.stdout, "bold", info.userCode)}`);
  println(io, `The code expires at ${info.expiresAt.toISOString()}. Waiting for the sign-in (Ctrl-C cancels)…`);
}

/** Runs the device-code flow on `provider`; Ctrl-C (the io's signal) cancels with exit 130. */
export async function deviceCodeLogin(io: CliIo, provider: MsalTokenProvider): Promise<string | null> {
  try {
    const result = await provider.loginWithDeviceCode((info) => printDeviceCode(io, info), { signal: io.signal });
    return result.username;
  } catch (error) {
    if (io.signal.aborted) throw new CliError(EXIT.interrupted, "Login cancelled.", null, { cause: error });
    throw error;
  }
}

export async function login({ io, values }: CommandContext): Promise<number> {
  const config = resolveConfig(io, { tokenStore: values["token-store"] as string | undefined });
  const tenant = resolveTenant(io, values);
  return withProvider(config, tenant, async (provider, store) => {
    const username = await deviceCodeLogin(io, provider);
    // A new login lifts the worker's "login required" mark of a registered tenant.
    if (store !== null && tenant !== DEFAULT_TENANT) await store.tenants.clearLoginRequired(tenant);
    const whose = tenant === DEFAULT_TENANT ? "" : ` for tenant ${tenant}`;
    println(io, `Signed in${username === null ? "" : ` as ${username}`}${whose}. Tokens are cached in ${tokenCacheWhere(config, tenant)}.`);
    return EXIT.ok;
  });
}

export async function logout({ io, values }: CommandContext): Promise<number> {
  const config = resolveConfig(io, { tokenStore: values["token-store"] as string | undefined });
  return withProvider(config, resolveTenant(io, values), async (provider) => {
    await provider.logout();
    println(io, "Signed out: the cached tokens of this app are removed.");
    return EXIT.ok;
  });
}

export async function whoami({ io, values }: CommandContext): Promise<number> {
  const config = resolveConfig(io, { tokenStore: values["token-store"] as string | undefined });
  const tenant = resolveTenant(io, values);
  return withProvider(config, tenant, async (provider) => {
    const account = await provider.account();
    if (account === null) {
      throw new CliError(EXIT.loginRequired, "Not signed in.", tenant === DEFAULT_TENANT ? "Run `pc-referrals login`." : `Run \`pc-referrals tenants login ${tenant}\`.`);
    }
    if (values.json === true) {
      println(io, JSON.stringify({ username: account.username, tenantId: account.tenantId }));
    } else {
      println(io, `account  ${account.username ?? "(no user name)"}`);
      println(io, `tenant   ${account.tenantId}`);
    }
    return EXIT.ok;
  });
}
