// Options of createTenantWorker, checked with zod at the boundary like every core factory.
import { ConfigError, type Logger, type Store, type TenantRegistry } from "@pc-referrals/core";
import type PgBoss from "pg-boss";
import { z } from "zod";
import type { TenantWorkerOptions } from "./types.js";

const LABEL = "createTenantWorker";

const withMethods = (methods: readonly string[], snippet: string) =>
  z.custom<object>(
    (v) => typeof v === "object" && v !== null && methods.every((m) => typeof (v as Record<string, unknown>)[m] === "function"),
    `expected an object with ${methods.map((m) => `${m}()`).join(", ")}, e.g. ${snippet}`,
  );

const schema = z.strictObject({
  store: withMethods(["forTenant"], "createPgStore() (tenant views: store.forTenant(id))"),
  boss: withMethods(["send", "sendThrottled", "sendDebounced", "work", "offWork", "createQueue"], "new PgBoss(...) after await boss.start()"),
  tenants: withMethods(["list", "get", "markLoginRequired", "claimDue"], "store.tenants (pg-store) or createMemoryTenantRegistry()"),
  concurrency: z.number().int().min(1).max(64).default(2),
  engineOptions: z.custom<TenantWorkerOptions["engineOptions"]>(
    (v) => typeof v === "function",
    "expected a function (tenant) => engine options, e.g. (t) => ({ client: clientFor(t) })",
  ),
  queue: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,50}$/, "expected 1 to 50 characters of A-Z, a-z, 0-9, _, . and -")
    .default("pc-referrals-sync"),
  bossSchema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "expected the schema of your PgBoss (its `schema` option), e.g. pgboss")
    .default("pgboss"),
  scheduleEveryMs: z.number().int().min(100).max(86_400_000).default(15_000),
  retry: z
    .strictObject({
      limit: z.number().int().min(0).max(100).default(5),
      delaySeconds: z.number().int().min(1).max(86_400).default(15),
      backoff: z.boolean().default(true),
    })
    .prefault({}),
  expireInSeconds: z.number().int().min(1).max(86_400).default(900),
  referralThrottleSeconds: z.number().int().min(1).max(3_600).default(10),
  pollingIntervalSeconds: z.number().min(0.5).max(60).default(2),
  logger: withMethods(["debug", "info", "warn", "error"], "pino()").optional(),
});

/** The options after defaults. */
export interface TenantWorkerSettings {
  store: Store & { forTenant(tenant: string): Store };
  boss: PgBoss;
  tenants: TenantRegistry;
  concurrency: number;
  engineOptions: TenantWorkerOptions["engineOptions"];
  queue: string;
  referralQueue: string;
  bossSchema: string;
  scheduleEveryMs: number;
  retry: { limit: number; delaySeconds: number; backoff: boolean };
  expireInSeconds: number;
  referralThrottleSeconds: number;
  pollingIntervalSeconds: number;
  logger: Logger | null;
}

/** Validates the options; one `ConfigError` lists every bad or unknown key. Values are never echoed. */
export function parseWorkerOptions(options: unknown): TenantWorkerSettings {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.flatMap((issue) => {
        const at = [LABEL, ...issue.path.map(String)];
        if (issue.code === "unrecognized_keys") {
          return issue.keys.map((key) => ({ path: [...at, key].join("."), message: "unknown option: check the spelling against the documented options" }));
        }
        return [{ path: at.join("."), message: issue.message }];
      }),
    );
  }
  const o = parsed.data;
  return {
    store: o.store as TenantWorkerSettings["store"],
    boss: o.boss as PgBoss,
    tenants: o.tenants as TenantRegistry,
    concurrency: o.concurrency,
    engineOptions: o.engineOptions,
    queue: o.queue,
    referralQueue: `${o.queue}-referral`,
    bossSchema: o.bossSchema,
    scheduleEveryMs: o.scheduleEveryMs,
    retry: o.retry,
    expireInSeconds: o.expireInSeconds,
    referralThrottleSeconds: o.referralThrottleSeconds,
    pollingIntervalSeconds: o.pollingIntervalSeconds,
    logger: (o.logger as Logger | undefined) ?? null,
  };
}
