// One configuration for every command: flags, then the environment (and ./.env), then defaults.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { parseEnv } from "node:util";
import { loadConfig } from "@pc-referrals/core";
import type { PcReferralsConfig } from "@pc-referrals/core";
import type { CliIo } from "./io.js";
import { CliError, EXIT } from "./output.js";

/** Where the login's token cache lives: a 0600 file, or pg-store's table. */
export type TokenStoreKind = "file" | "db";

/** Core's configuration plus the settings only the CLI reads. */
export interface CliConfig extends PcReferralsConfig {
  tokenStore: TokenStoreKind;
  /** `PARTNER_CENTER_FAKE_LOGIN_URL`: log in against the fake Entra ID served at this URL (`fake-partner-center`). */
  fakeLoginUrl: string | null;
  /** `PARTNER_CENTER_SERVE_TOKEN`: the bearer token `serve` requires. A secret. */
  serveToken: string | null;
  /** `PARTNER_CENTER_DB_SCHEMA`: the PostgreSQL schema of the store; null means pg-store's default. */
  dbSchema: string | null;
}

/**
 * The environment a command sees: `io.env`, plus `./.env` for keys it does not set. Parsed with
 * the rules of `process.loadEnvFile` (node:util parseEnv) but without writing to process.env, so
 * in-process commands stay isolated from each other.
 */
export function commandEnv(io: CliIo): Record<string, string | undefined> {
  const file = join(io.cwd, ".env");
  if (!existsSync(file)) return io.env;
  const fromFile = parseEnv(readFileSync(file, "utf8"));
  return { ...fromFile, ...io.env };
}

/** Reads and checks the configuration; relative paths resolve against the command's folder. */
export function resolveConfig(io: CliIo, flags: { tokenStore?: string | undefined } = {}): CliConfig {
  return configFromEnv(commandEnv(io), io.cwd, flags);
}

/** The configuration of exactly `env` (no .env file), relative paths against `cwd`. */
export function configFromEnv(env: Record<string, string | undefined>, cwd: string, flags: { tokenStore?: string | undefined } = {}): CliConfig {
  const base = loadConfig(env);
  const tokenStore = flags.tokenStore ?? env.PARTNER_CENTER_TOKEN_STORE?.trim() ?? "file";
  if (tokenStore !== "file" && tokenStore !== "db") {
    throw new CliError(EXIT.config, `Unknown token store "${tokenStore}".`, "Use --token-store file or --token-store db (PARTNER_CENTER_TOKEN_STORE).");
  }
  const fakeLoginUrl = env.PARTNER_CENTER_FAKE_LOGIN_URL?.trim() || null;
  if (fakeLoginUrl !== null && !/^https?:\/\/\S+$/.test(fakeLoginUrl)) {
    throw new CliError(EXIT.config, "PARTNER_CENTER_FAKE_LOGIN_URL is not an http(s) URL.", "Copy the export lines `pc-referrals fake-partner-center` prints.");
  }
  const dbSchema = env.PARTNER_CENTER_DB_SCHEMA?.trim() || null;
  if (dbSchema !== null && (!/^[a-z_][a-z0-9_]{0,62}$/.test(dbSchema) || dbSchema.startsWith("pg_"))) {
    throw new CliError(EXIT.config, "PARTNER_CENTER_DB_SCHEMA is not a schema name.", "Use lower-case letters, digits and _ (at most 63), starting with a letter or _ but not pg_.");
  }
  const within = (path: string): string => (isAbsolute(path) ? path : join(cwd, path));
  return {
    ...base,
    tokenCachePath: within(base.tokenCachePath),
    dataDir: within(base.dataDir),
    tokenStore,
    fakeLoginUrl,
    serveToken: env.PARTNER_CENTER_SERVE_TOKEN?.trim() || null,
    dbSchema,
  };
}

/** Throws the "feature disabled" error (exit 2) unless the sync is enabled. */
export function requireEnabled(config: CliConfig): void {
  if (!config.enabled) {
    throw new CliError(EXIT.config, "Partner Center sync is disabled.", "Set PARTNER_CENTER_ENABLED=true (and PARTNER_CENTER_CLIENT_ID), or try `pc-referrals demo`.");
  }
}

/** The client id, or the configuration error that says which variable to set. */
export function requireClientId(config: CliConfig): string {
  if (config.clientId === null) {
    throw new CliError(EXIT.config, "No Entra app is configured.", "Set PARTNER_CENTER_CLIENT_ID (see docs/partner-center-setup.md), or try `pc-referrals demo`.");
  }
  return config.clientId;
}
