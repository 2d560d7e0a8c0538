// Options of createSyncEngine and of engine.run, checked with zod at the boundary.
import { z } from "zod";
import type { PartnerCenterClient } from "../client/types.js";
import { ConfigError, InvalidInputError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ScoringHook } from "../rules/scoring.js";
import type { Store, SyncTrigger } from "../store/store.js";
import { durationMs, parseOptions } from "../_options.js";
import type { DomainScanner } from "./domain-scans.js";
import { missingStoreMethods } from "./guarded-store.js";
import type { MatchLead } from "./link-resolution.js";
import type { EngineRules } from "./process-referral.js";

/** Scoring options: `hooks` replaces the built-ins; to add yours, pass `[...defaultScoringHooks(), mine]`. */
export interface EngineScoringOptions {
  hooks?: readonly ScoringHook[];
  /** Options of the built-in hooks, used when `hooks` is not given. */
  azureTenantScore?: number;
  coSellBonus?: number;
}

/** Options of `createSyncEngine`. */
export interface SyncEngineOptions {
  /**
   * Lists referrals; `createPartnerCenterClient()` or anything with the same `listReferrals`
   * (and `getReferral`, which `engine.syncReferral` needs).
   */
  client: Pick<PartnerCenterClient, "listReferrals"> & Partial<Pick<PartnerCenterClient, "getReferral">>;
  store: Store;
  /** The feature flag. Off (the default) → `run()` rejects with `FeatureDisabledError`. */
  enabled?: boolean;
  rules?: EngineRules;
  scoring?: EngineScoringOptions;
  /** Runs once per newly claimed domain; its failures never fail a run. */
  scanner?: DomainScanner | undefined;
  /** Host lead matching; default: the store's companies by domain or normalized name. */
  matchLead?: MatchLead;
  /** pino-compatible; everything passes through `maskPii` first. */
  logger?: Logger;
  /** Cursor scope, one per partner tenant. Default `"default"`. */
  scope?: string;
  /** Incremental runs re-read this far below the stored mark. Default 10 min. */
  overlapMs?: number;
  /**
   * How far past the run's own start a referral's `updatedDateTime` may lie and still move the
   * incremental mark (clock skew between Partner Center and this host). Later ones are stored and
   * reported as `future_dated`, never moving the mark. Default 5 min.
   */
  clockSkewAllowanceMs?: number;
  /** Lease of the store's run lock, renewed after every page. Default 1 h. */
  lockTtlMs?: number;
  /** `$top` of the listing, 1..100. Default 100. */
  pageSize?: number;
  /** Also send `$filter=updatedDateTime gt …` on incremental runs (unconfirmed by the docs). Default false. */
  useUpdatedSinceFilter?: boolean;
  /** Domain scans in flight at once. Default 4. */
  scanConcurrency?: number;
  /** A scan running longer counts as failed. Default 30 s. */
  scanTimeoutMs?: number;
  /** Parallel `matchLead` calls. Default 8. */
  matchLeadConcurrency?: number;
  /** A referral failing in this many consecutive runs is quarantined: the mark moves past it. Default 3. */
  quarantineAfterRuns?: number;
  /** Length cap of a report's `errors` (counts stay exact). Default 1000. */
  maxReportedErrors?: number;
  /**
   * Write-back the engine does on its own. `setExternalReferenceOnLink`: when a referral is linked
   * (auto by a sync, or by hand with `engine.linkReferral`) to a company that has an `externalId`,
   * write it to Partner Center as `externalReferenceId` (needs a client with `updateReferral`). Default off.
   */
  writeBack?: { setExternalReferenceOnLink?: boolean };
  /** Clock in epoch ms, for tests. Default `Date.now`. */
  now?: () => number;
}

const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", `expected ${what}`);
const objectWith = (method: string, snippet: string) =>
  z.custom<object>(
    (v) => typeof v === "object" && v !== null && typeof (v as Record<string, unknown>)[method] === "function",
    `expected an object with a ${method}() method, e.g. ${snippet}`,
  );
const stringSet = z.custom<ReadonlySet<string>>((v) => v instanceof Set, "expected a Set of canonical domains");
const positiveInt = z.number().int().positive();

const rulesSchema = z.strictObject({
  filter: z
    .strictObject({
      directions: z.array(z.string()).optional(),
      statuses: z.array(z.string()).optional(),
      excludedSubstatuses: z.array(z.string()).optional(),
      skipSpam: z.boolean().optional(),
    })
    .optional(),
  classification: z
    .array(objectWith("match", '{ name: "x", type: "co-sell", match: (r) => (r.type === "Shared" ? "type=Shared" : null) }'))
    .optional(),
  domain: z
    .strictObject({
      websiteLocations: z.array(fn("a function (referral) => string | null")).optional(),
      consumerDomains: stringSet.optional(),
      ignoredDomains: stringSet.optional(),
    })
    .optional(),
  tenantExtractors: z.array(fn("a function (referral) => unknown")).optional(),
});

const engineSchema = z.strictObject({
  client: objectWith("listReferrals", "createPartnerCenterClient({ tokenProvider })"),
  store: z.custom<Store>((v) => typeof v === "object" && v !== null, "expected a Store, e.g. createMemoryStore()"),
  enabled: z.boolean().default(false),
  rules: rulesSchema.optional(),
  scoring: z
    .strictObject({
      hooks: z.array(fn("a scoring hook (input, current) => next")).optional(),
      azureTenantScore: z.number().finite().optional(),
      coSellBonus: z.number().finite().optional(),
    })
    .optional(),
  scanner: objectWith("scan", "{ scan: async (domain) => ({ provider }) }").optional(),
  matchLead: fn("an async function ({ referralId, domain, customerName, normalizedName }) => { companyIds } | null").optional(),
  logger: objectWith("warn", "pino()").optional(),
  scope: z.string().trim().min(1).default("default"),
  overlapMs: durationMs({ min: 0 }).default(10 * 60_000),
  clockSkewAllowanceMs: durationMs({ min: 0, max: 24 * 60 * 60_000 }).default(5 * 60_000),
  lockTtlMs: durationMs().default(60 * 60_000),
  pageSize: positiveInt.max(100).default(100),
  useUpdatedSinceFilter: z.boolean().default(false),
  scanConcurrency: positiveInt.max(64).default(4),
  scanTimeoutMs: durationMs().default(30_000),
  matchLeadConcurrency: positiveInt.max(64).default(8),
  quarantineAfterRuns: positiveInt.max(1000).default(3),
  maxReportedErrors: z.number().int().nonnegative().default(1000),
  writeBack: z.strictObject({ setExternalReferenceOnLink: z.boolean().default(false) }).prefault({}),
  now: fn("a function returning epoch milliseconds").optional(),
});

/** The primitive settings after defaults; hooks and rules are taken from the caller's object as given. */
export type EngineSettings = z.output<typeof engineSchema>;

/** Validates the options; one `ConfigError` lists every bad path, including every store method missing. */
export function parseEngineOptions(options: SyncEngineOptions): EngineSettings {
  const settings = parseOptions(engineSchema, options, "createSyncEngine");
  const missing = missingStoreMethods(options.store);
  if (missing.length > 0) {
    throw new ConfigError(missing.map((m) => ({ path: `createSyncEngine.store.${m}`, message: "expected a function (the Store interface)" })));
  }
  if (settings.writeBack.setExternalReferenceOnLink) {
    const need: Array<[object, string, string]> = [
      [options.client, "getReferral", "client"],
      [options.client, "updateReferral", "client"],
      [options.store, "getReferral", "store"],
      [options.store, "getCompany", "store"],
      [options.store, "recordReferralAction", "store"],
    ];
    const lacking = need.filter(([target, method]) => typeof (target as Record<string, unknown>)[method] !== "function");
    if (lacking.length > 0) {
      throw new ConfigError(
        lacking.map(([, method, where]) => ({
          path: `createSyncEngine.${where}.${method}`,
          message: "expected a function: writeBack.setExternalReferenceOnLink writes to Partner Center and audits it",
        })),
      );
    }
  }
  const logger = options.logger as Record<string, unknown> | undefined;
  const missingLog = logger ? ["debug", "info", "warn", "error"].filter((l) => typeof logger[l] !== "function") : [];
  if (missingLog.length > 0) {
    throw new ConfigError(missingLog.map((l) => ({ path: `createSyncEngine.logger.${l}`, message: "expected a function (pino-compatible logger)" })));
  }
  return settings;
}

/** Options of one `engine.run()`. */
export interface SyncRunOptions {
  trigger: SyncTrigger;
  /** Re-read everything instead of stopping at the incremental mark. Default false. */
  full?: boolean;
  /** Aborting stops the run after the page being written has committed. */
  signal?: AbortSignal;
}

const runSchema = z.strictObject({
  trigger: z.enum(["manual", "schedule", "api"]),
  full: z.boolean().default(false),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, "expected an AbortSignal").optional(),
});

/** Validates `run()` arguments; a bad one is the caller's bug, so it rejects with `InvalidInputError`. */
export function parseRunOptions(options: unknown): { trigger: SyncTrigger; full: boolean; signal: AbortSignal | undefined } {
  const parsed = runSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${["run", ...i.path.map(String)].join(".")}: ${i.message}`).join("; ");
    throw new InvalidInputError(`Invalid run options: ${detail}`);
  }
  return { trigger: parsed.data.trigger, full: parsed.data.full, signal: parsed.data.signal };
}
