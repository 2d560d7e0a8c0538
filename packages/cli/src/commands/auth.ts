// `login`, `logout`, `whoami`: the device-code login and its cache.
import type { DeviceCodeInfo, MsalTokenProvider } from "@pc-referrals/core";
import type { PgStore } from "@pc-referrals/pg-store";
import type { CommandContext } from "../command.js";
import { resolveConfig } from "../config.js";
import type { CliConfig } from "../config.js";
import { openStore, tokenProvider } from "../context.js";
import type { CliIo } from "../io.js";
import { CliError, EXIT, paint, println } from "../output.js";

/** The provider of the configuration; the store is opened only for the db token store, and closed by `work`'s caller. */
async function withProvider<T>(config: CliConfig, work: (provider: MsalTokenProvider) => Promise<T>): Promise<T> {
  const store: PgStore | null = config.tokenStore === "db" ? openStore(config) : null;
  try {
    return await work(tokenProvider(config, store));
  } finally {
    await store?.close().catch(() => undefined);
  }
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
  return withProvider(config, async (provider) => {
    const username = await deviceCodeLogin(io, provider);
    const where = config.tokenStore === "db" ? "the database's token_cache table" : config.tokenCachePath;
    println(io, `Signed in${username === null ? "" : ` as ${username}`}. Tokens are cached in ${where}.`);
    return EXIT.ok;
  });
}

export async function logout({ io, values }: CommandContext): Promise<number> {
  const config = resolveConfig(io, { tokenStore: values["token-store"] as string | undefined });
  return withProvider(config, async (provider) => {
    await provider.logout();
    println(io, "Signed out: the cached tokens of this app are removed.");
    return EXIT.ok;
  });
}

export async function whoami({ io, values }: CommandContext): Promise<number> {
  const config = resolveConfig(io, { tokenStore: values["token-store"] as string | undefined });
  return withProvider(config, async (provider) => {
    const account = await provider.account();
    if (account === null) throw new CliError(EXIT.loginRequired, "Not signed in.", "Run `pc-referrals login`.");
    if (values.json === true) {
      println(io, JSON.stringify({ username: account.username, tenantId: account.tenantId }));
    } else {
      println(io, `account  ${account.username ?? "(no user name)"}`);
      println(io, `tenant   ${account.tenantId}`);
    }
    return EXIT.ok;
  });
}
