/**
 * Configuration from environment variables, shared by the CLI, the adapters and the examples.
 *
 * ```ts
 * const config = loadConfig(); // reads process.env, PARTNER_CENTER_* plus DATABASE_URL and NODE_ENV
 * ```
 *
 * | variable (default prefix `PARTNER_CENTER_`) | default | form |
 * | --- | --- | --- |
 * | `ENABLED` | `false` | true/false, 1/0, yes/no, on/off (any case) |
 * | `CLIENT_ID` | — | Entra app (client) id; required when enabled |
 * | `TENANT_ID` | `organizations` | tenant GUID, a domain, or `organizations`/`common` |
 * | `AUTHORITY` | — | https URL of the Entra authority |
 * | `API_URL` | `https://api.partner.microsoft.com` | http(s) URL |
 * | `SCOPE` | `https://api.partner.microsoft.com/.default` | OAuth scope |
 * | `TOKEN_CACHE_PATH` | `./.pc-referrals/token-cache.json` | file path |
 * | `TOKEN_CACHE_KEY` | — | encryption key for the token cache file, 16+ characters |
 * | `SYNC_INTERVAL` | `600` (`30` when `NODE_ENV=development`) | seconds, whole number 1 to 2147483 (about 24.8 days) |
 * | `SYNC_OVERLAP` | `600` | seconds, whole number 0 to 2147483 |
 * | `AZURE_TENANT_SCORE` | `55` | number |
 * | `COSELL_BONUS` | `15` | number |
 * | `EXPIRY_DAYS` | `14` | days from creation to a New referral's deadline when the payload has none, number above 0 up to 365 |
 * | `EXPIRY_THRESHOLDS` | `3,1` | days before the deadline to announce `referral.expiring`, comma-separated distinct numbers above 0 up to 365, or `none` |
 * | `DATA_DIR` | `./.pc-referrals/pgdata` | embedded PGlite folder |
 * | `WEBHOOKS_BASE_URL` | `https://api.partnercenter.microsoft.com/webhooks/v1` | http(s) URL of the webhooks API |
 * | `WEBHOOKS_SCOPE` | `https://api.partnercenter.microsoft.com/user_impersonation` | OAuth scope of the webhooks API |
 * | `WEBHOOKS_RECEIVE` | `false` | true/false: serve the signed webhook route |
 * | `WEBHOOKS_CERT_HOSTS` | `3psostorageacct.blob.core.windows.net` | comma-separated hosts certificates may come from |
 * | `DATABASE_URL` (no prefix) | — | `postgres://` or `postgresql://` URL |
 * | `NODE_ENV` (no prefix) | `production` | any |
 *
 * Empty values count as unset. Values are trimmed.
 */
import { z } from "zod";
import { ConfigError } from "./errors.js";
import type { ConfigIssue } from "./errors.js";
import { describeDuration, MAX_TIMER_MS } from "./_options.js";
import { DEFAULT_EXPIRY_DAYS, DEFAULT_EXPIRY_THRESHOLDS_DAYS } from "./store/expiry.js";

/** The validated configuration. Optional settings that are unset are `null`. */
export interface PcReferralsConfig {
  /** Feature flag; the sync does nothing while false. */
  enabled: boolean;
  /** Entra app registration (client) id; never null when `enabled`. */
  clientId: string | null;
  tenantId: string;
  authority: string | null;
  /** Partner Center API base URL, without a trailing slash. */
  apiBaseUrl: string;
  scope: string;
  tokenCachePath: string;
  /** Encryption key of the token cache file; a secret, never logged. */
  tokenCacheKey: string | null;
  syncIntervalSeconds: number;
  /** How far before the stored high-water mark an incremental sync re-reads. */
  syncOverlapSeconds: number;
  azureTenantScore: number;
  coSellBonus: number;
  /** Days from `createdDateTime` to a New referral's deadline when the payload names none (the engine's `expiry.defaultDays`). */
  expiryDefaultDays: number;
  /** Days before the deadline at which `referral.expiring` is announced (the engine's `expiry.thresholdsDays`). */
  expiryThresholdsDays: number[];
  /** PostgreSQL URL; null means embedded PGlite in `dataDir`. A secret (it may hold a password). */
  databaseUrl: string | null;
  dataDir: string;
  nodeEnv: string;
  /** Partner Center webhooks API base URL (the CSP host), without a trailing slash. */
  webhooksBaseUrl: string;
  /** OAuth scope of webhooks API tokens (not the referrals API's). */
  webhooksScope: string;
  /** Serve `POST …/webhooks/partner-center` (the signed delivery route). */
  webhooksReceive: boolean;
  /** Hosts the verifier fetches signing certificates from. */
  webhooksCertificateHosts: string[];
}

const DEFAULT_ENV_PREFIX = "PARTNER_CENTER_";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const TENANT_ALIASES = new Set(["organizations", "common"]);

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n) && n >= min && n <= max);
// Seconds become timers in milliseconds: the most that fits in setTimeout once multiplied by 1000.
const MAX_SECONDS = Math.floor(MAX_TIMER_MS / 1000);
const seconds = (min: number) => ({
  schema: wholeNumber(min, MAX_SECONDS),
  message: `expected a whole number of seconds from ${min} to ${MAX_SECONDS} (${describeDuration(MAX_SECONDS * 1000)})`,
});
const decimal = () =>
  z
    .string()
    .regex(/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/)
    .transform(Number)
    .refine(Number.isFinite);
const url = (protocols: readonly string[]) =>
  z.string().refine((value) => {
    try {
      const parsed = new URL(value);
      return protocols.includes(parsed.protocol) && parsed.hostname !== "";
    } catch {
      return false;
    }
  });

// One schema per variable, each with a fixed message: zod's own messages are not shown because
// some echo the input, and a value may be a secret.
const fields = {
  enabled: {
    suffix: "ENABLED",
    schema: z.stringbool({
      truthy: ["true", "1", "yes", "on"],
      falsy: ["false", "0", "no", "off"],
      case: "insensitive",
    }),
    message: "expected true or false (also accepted: 1/0, yes/no, on/off)",
  },
  clientId: { suffix: "CLIENT_ID", schema: z.string().max(256), message: "expected an application (client) id" },
  tenantId: {
    suffix: "TENANT_ID",
    schema: z
      .string()
      .refine((v) => GUID.test(v) || DOMAIN.test(v) || TENANT_ALIASES.has(v.toLowerCase()))
      .transform((v) => (TENANT_ALIASES.has(v.toLowerCase()) ? v.toLowerCase() : v)),
    message: "expected a tenant id (GUID), a tenant domain such as contoso.onmicrosoft.com, or organizations/common",
  },
  authority: { suffix: "AUTHORITY", schema: url(["https:"]), message: "expected an https:// URL" },
  apiBaseUrl: {
    suffix: "API_URL",
    schema: url(["https:", "http:"]).transform((v) => v.replace(/\/+$/, "")),
    message: "expected an http:// or https:// URL",
  },
  scope: {
    suffix: "SCOPE",
    schema: z.string().regex(/^\S+(?: \S+)*$/),
    message: "expected one or more space-separated OAuth scopes",
  },
  tokenCachePath: { suffix: "TOKEN_CACHE_PATH", schema: z.string(), message: "expected a file path" },
  tokenCacheKey: {
    suffix: "TOKEN_CACHE_KEY",
    schema: z.string().min(16),
    message: "expected a key of at least 16 characters",
  },
  syncIntervalSeconds: { suffix: "SYNC_INTERVAL", ...seconds(1) },
  syncOverlapSeconds: { suffix: "SYNC_OVERLAP", ...seconds(0) },
  azureTenantScore: { suffix: "AZURE_TENANT_SCORE", schema: decimal(), message: "expected a number" },
  coSellBonus: { suffix: "COSELL_BONUS", schema: decimal(), message: "expected a number" },
  expiryDefaultDays: {
    suffix: "EXPIRY_DAYS",
    schema: decimal().refine((n) => n > 0 && n <= 365),
    message: "expected a number of days above 0, at most 365",
  },
  expiryThresholdsDays: {
    suffix: "EXPIRY_THRESHOLDS",
    schema: z
      .string()
      .transform((v) => (v.toLowerCase() === "none" ? [] : v.split(",").map((part) => part.trim())))
      .pipe(z.array(decimal().refine((n) => n > 0 && n <= 365)).max(10))
      .refine((days) => new Set(days).size === days.length),
    message: "expected up to 10 distinct numbers of days above 0 and at most 365, comma-separated (e.g. 3,1), or none",
  },
  dataDir: { suffix: "DATA_DIR", schema: z.string(), message: "expected a folder path" },
  webhooksBaseUrl: {
    suffix: "WEBHOOKS_BASE_URL",
    schema: url(["https:", "http:"]).transform((v) => v.replace(/\/+$/, "")),
    message: "expected an http:// or https:// URL",
  },
  webhooksScope: { suffix: "WEBHOOKS_SCOPE", schema: z.string().regex(/^\S+(?: \S+)*$/), message: "expected one or more space-separated OAuth scopes" },
  webhooksReceive: {
    suffix: "WEBHOOKS_RECEIVE",
    schema: z.stringbool({ truthy: ["true", "1", "yes", "on"], falsy: ["false", "0", "no", "off"], case: "insensitive" }),
    message: "expected true or false (also accepted: 1/0, yes/no, on/off)",
  },
  webhooksCertificateHosts: {
    suffix: "WEBHOOKS_CERT_HOSTS",
    schema: z
      .string()
      .transform((v) => v.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean))
      .refine((hosts) => hosts.length > 0 && hosts.every((h) => /^[a-z0-9.-]+(:\d{1,5})?$/.test(h))),
    message: "expected comma-separated host names (optionally host:port)",
  },
} as const;

type FieldKey = keyof typeof fields;
type FieldValue<K extends FieldKey> = z.output<(typeof fields)[K]["schema"]>;

const databaseUrlSchema = z.string().regex(/^postgres(?:ql)?:\/\/\S+$/i);

/**
 * Reads and validates the configuration from `env` (default `process.env`). Variables are named
 * `${prefix}NAME` (prefix default `PARTNER_CENTER_`), except `DATABASE_URL` and `NODE_ENV`.
 * Throws one `ConfigError` whose `issues` name every bad variable (by its full name) and the
 * expected form; the bad values themselves are never repeated.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options?: { prefix?: string },
): PcReferralsConfig {
  const prefix = options?.prefix ?? DEFAULT_ENV_PREFIX;
  if (typeof prefix !== "string") {
    throw new ConfigError([{ path: "loadConfig.prefix", message: "expected a string" }]);
  }
  const issues: ConfigIssue[] = [];
  const read = (name: string): string | undefined => {
    const raw: unknown = env[name];
    if (raw === undefined || raw === null) return undefined;
    const value = (typeof raw === "string" ? raw : String(raw)).trim();
    return value === "" ? undefined : value;
  };
  const field = <K extends FieldKey>(key: K): FieldValue<K> | undefined => {
    const { suffix, schema, message } = fields[key];
    const name = `${prefix}${suffix}`;
    const raw = read(name);
    if (raw === undefined) return undefined;
    const parsed = (schema as z.ZodType).safeParse(raw);
    if (parsed.success) return parsed.data as FieldValue<K>;
    issues.push({ path: name, message });
    return undefined;
  };

  const nodeEnv = read("NODE_ENV") ?? "production";
  const enabled = field("enabled") ?? false;
  const clientId = field("clientId") ?? null;
  const tenantId = field("tenantId") ?? "organizations";
  const authority = field("authority") ?? null;
  const apiBaseUrl = field("apiBaseUrl") ?? "https://api.partner.microsoft.com";
  const scope = field("scope") ?? "https://api.partner.microsoft.com/.default";
  const tokenCachePath = field("tokenCachePath") ?? "./.pc-referrals/token-cache.json";
  const tokenCacheKey = field("tokenCacheKey") ?? null;
  const syncIntervalSeconds = field("syncIntervalSeconds") ?? (nodeEnv.toLowerCase() === "development" ? 30 : 600);
  const syncOverlapSeconds = field("syncOverlapSeconds") ?? 600;
  const azureTenantScore = field("azureTenantScore") ?? 55;
  const coSellBonus = field("coSellBonus") ?? 15;
  const expiryDefaultDays = field("expiryDefaultDays") ?? DEFAULT_EXPIRY_DAYS;
  const expiryThresholdsDays = field("expiryThresholdsDays") ?? [...DEFAULT_EXPIRY_THRESHOLDS_DAYS];
  const dataDir = field("dataDir") ?? "./.pc-referrals/pgdata";
  const webhooksBaseUrl = field("webhooksBaseUrl") ?? "https://api.partnercenter.microsoft.com/webhooks/v1";
  const webhooksScope = field("webhooksScope") ?? "https://api.partnercenter.microsoft.com/user_impersonation";
  const webhooksReceive = field("webhooksReceive") ?? false;
  const webhooksCertificateHosts = field("webhooksCertificateHosts") ?? ["3psostorageacct.blob.core.windows.net"];

  const rawDatabaseUrl = read("DATABASE_URL");
  let databaseUrl: string | null = null;
  if (rawDatabaseUrl !== undefined) {
    if (databaseUrlSchema.safeParse(rawDatabaseUrl).success) databaseUrl = rawDatabaseUrl;
    else issues.push({ path: "DATABASE_URL", message: "expected a postgres:// or postgresql:// connection URL" });
  }

  const clientIdName = `${prefix}${fields.clientId.suffix}`;
  if (enabled && clientId === null && !issues.some((issue) => issue.path === clientIdName)) {
    issues.push({ path: clientIdName, message: `required when ${prefix}${fields.enabled.suffix} is true` });
  }

  if (issues.length > 0) throw new ConfigError(issues);
  return {
    enabled,
    clientId,
    tenantId,
    authority,
    apiBaseUrl,
    scope,
    tokenCachePath,
    tokenCacheKey,
    syncIntervalSeconds,
    syncOverlapSeconds,
    azureTenantScore,
    coSellBonus,
    expiryDefaultDays,
    expiryThresholdsDays,
    databaseUrl,
    dataDir,
    nodeEnv,
    webhooksBaseUrl,
    webhooksScope,
    webhooksReceive,
    webhooksCertificateHosts,
  };
}
