// Options of createReferralRoutes, checked with zod at the boundary like every core factory.
import {
  ConfigError,
  type Logger,
  type ReferralActions,
  type Scheduler,
  type Store,
  type SyncEngine,
  type TenantRegistry,
  type WebhookReceiver,
  type WebhookVerifier,
} from "@pc-referrals/core";
import type { Context } from "hono";
import { z } from "zod";

/**
 * What `authorize` may answer: `true` or `{ actor, tenant }` lets the request through; `false` is a
 * 403 problem (`forbidden`); a `Response` (e.g. the host's own 401 with `WWW-Authenticate`) is sent
 * as it is. Throwing `HTTPException(401)` gives a 401 problem (`unauthorized`).
 *
 * `tenant` makes every route serve that partner tenant only (reads and writes through
 * `store.forTenant(tenant)`); it must be a valid tenant id (`TENANT_ID_RULE`), else the request is a
 * 500 `config_invalid`. With the `tenants` option a verdict must name one (else 403 `forbidden`).
 */
export type AuthorizeResult = boolean | { actor?: string; tenant?: string } | Response;

/** Decides whether a request may reach any route (the page, static files and events included). */
export type Authorize = (c: Context) => AuthorizeResult | Promise<AuthorizeResult>;

/** The part of a scheduler the status route reads (`createScheduler()` returns one). */
export type StatusScheduler = Pick<Scheduler, "running" | "nextRunAt">;

/** A job answer of the host's tenant worker (`TenantWorker.enqueueSync` / `enqueueReferral` have this shape). */
export interface TenantJobQueued {
  /** False when the tenant already has a job waiting (pg-boss `stately`): this one joined it. */
  queued: boolean;
  jobId: string | null;
}

/**
 * Serving many partner tenants whose syncs run in workers (a `TenantWorker` from
 * `@pc-referrals/worker` has `enqueueSync` and `enqueueReferral`). With it, `authorize` must name
 * the tenant of every request.
 */
export interface TenantRouteOptions {
  /** `POST /sync` for a tenant: queue its sync job (202 `{ queued, jobId }`). */
  enqueueSync(tenant: string, options: { full: boolean }): Promise<TenantJobQueued>;
  /** `POST /webhooks/partner-center/:tenant`: queue a one-referral job. Without it, that route is not served. */
  enqueueReferral?(tenant: string, referralId: string): Promise<TenantJobQueued>;
  /** Write-back for a tenant (`createReferralActions` over its client and store view); null: none. */
  actions?(tenant: string): ReferralActions | null;
  /**
   * The tenant registry: `GET /sync/status` then reports the tenant's feature flag and "login
   * required", and the webhook route answers 404 for a tenant it does not hold.
   */
  registry?: Pick<TenantRegistry, "get">;
}

interface CommonOptions {
  /** The store the engine writes to; with tenants, one that has `forTenant()`. */
  store: Store;
  /** Adds `nextRunAt` to `GET /sync/status`. */
  scheduler?: StatusScheduler;
  /**
   * Write-back to Partner Center (`createReferralActions({ client, store, engine })`): the accept,
   * decline, close, external-reference and deal-value routes, and the page's buttons. Without it
   * those routes answer 404 `not_found` ("write-back is not configured").
   */
  actions?: ReferralActions;
  /** Serve the inbox page at `/ui` and the badge at `/ui/badge.js`. Default false. */
  ui?: boolean;
  /** Serve `GET /metrics` (Prometheus text of `engine.metrics()`). Default false. */
  metrics?: boolean;
  /** Cursor scope the engine syncs (`createSyncEngine({ scope })`). Default `"default"`. */
  scope?: string;
  /**
   * Origins allowed to send state-changing requests besides the request's own (hono/csrf).
   * Default: same origin only.
   */
  trustedOrigins?: string[];
  /**
   * Serve `POST /webhooks/partner-center` for Partner Center's signed deliveries. This route is
   * NOT behind `authorize` (Microsoft cannot authenticate to it): the signature is checked instead.
   */
  webhooks?: {
    /** Required for `POST /webhooks/partner-center` (the engine's tenant); the tenant route needs only the verifier. */
    receiver?: WebhookReceiver;
    verifier: WebhookVerifier;
    /** Where refused deliveries are logged (the reason, never the body). */
    logger?: Logger;
  };
  /** The live event stream. */
  events?: {
    /** Comment line sent this often so proxies keep the connection. Default 15 000 ms. */
    heartbeatMs?: number;
    /** Events queued for one client; a client that falls this far behind is dropped. Default 1 000. */
    maxBufferedEvents?: number;
  };
}

/** The engine is required unless `tenants` is given; it syncs the store's own tenant (`"default"`). */
type EngineOptions =
  | { engine: SyncEngine; tenants?: TenantRouteOptions }
  | {
      engine?: SyncEngine;
      /** Many partner tenants synced by workers (see {@link TenantRouteOptions}). */
      tenants: TenantRouteOptions;
    };

/** Options of {@link createReferralRoutes}: `authorize` is required unless `unsafeAllowAll: true`. */
export type ReferralRoutesOptions = CommonOptions &
  EngineOptions &
  (
    | { authorize: Authorize; unsafeAllowAll?: false }
    | {
        authorize?: undefined;
        /** Serve every route without any check (local demos only). */
        unsafeAllowAll: true;
      }
  );

const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", `expected ${what}`);
const object = (what: string) => z.custom<object>((v) => typeof v === "object" && v !== null, `expected ${what}`);

const ACTION_METHODS = ["accept", "decline", "close", "setExternalReference", "setDealValue"] as const;

const optionsSchema = z
  .strictObject({
    engine: object("a sync engine from createSyncEngine()")
      .refine(
        (e) => typeof (e as Partial<SyncEngine>).run === "function" && typeof (e as Partial<SyncEngine>).onAny === "function",
        "expected a sync engine from createSyncEngine()",
      )
      .optional(),
    store: object("a Store (createMemoryStore(), createPgStore(), …)"),
    authorize: fn("authorize(c) → true | false | { actor } | Response, e.g. authorize: (c) => c.get(\"user\") !== undefined").optional(),
    unsafeAllowAll: z.boolean().default(false),
    scheduler: object("a scheduler from createScheduler()").optional(),
    actions: object("referral actions from createReferralActions()")
      .refine(
        (a) => ACTION_METHODS.every((m) => typeof (a as Record<string, unknown>)[m] === "function"),
        "expected referral actions from createReferralActions()",
      )
      .optional(),
    ui: z.boolean().default(false),
    metrics: z.boolean().default(false),
    scope: z.string().trim().min(1).default("default"),
    trustedOrigins: z.array(z.url()).default([]),
    webhooks: z
      .strictObject({
        receiver: object("a receiver from createWebhookReceiver()")
          .refine((r) => typeof (r as Partial<WebhookReceiver>).accept === "function", "expected a receiver from createWebhookReceiver()")
          .optional(),
        verifier: object("a verifier from createWebhookVerifier()").refine((v) => typeof (v as Partial<WebhookVerifier>).verify === "function", "expected a verifier from createWebhookVerifier()"),
        logger: object("a pino-compatible logger").optional(),
      })
      .optional(),
    events: z
      .strictObject({
        heartbeatMs: z.number().int().min(1).max(2 ** 31 - 1).default(15_000),
        maxBufferedEvents: z.number().int().min(1).max(1_000_000).default(1_000),
      })
      .default({ heartbeatMs: 15_000, maxBufferedEvents: 1_000 }),
    tenants: z
      .strictObject({
        enqueueSync: fn("enqueueSync(tenant, { full }) → { queued, jobId }, e.g. enqueueSync: (t, o) => worker.enqueueSync(t, o)"),
        enqueueReferral: fn("enqueueReferral(tenant, referralId) → { queued, jobId }").optional(),
        actions: fn("actions(tenant) → ReferralActions | null").optional(),
        registry: object("a tenant registry (store.tenants, createMemoryTenantRegistry())")
          .refine((r) => typeof (r as Partial<TenantRegistry>).get === "function", "expected a tenant registry with get(id)")
          .optional(),
      })
      .optional(),
  })
  .refine((o) => o.authorize !== undefined || o.unsafeAllowAll, {
    path: ["authorize"],
    message: "authorize is required: pass authorize: (c) => … (or unsafeAllowAll: true for a local demo)",
  })
  .refine((o) => o.engine !== undefined || o.tenants !== undefined, {
    path: ["engine"],
    message: "expected a sync engine from createSyncEngine() (it may be left out only with tenants)",
  })
  .refine((o) => o.tenants === undefined || o.authorize !== undefined, {
    path: ["tenants"],
    message: "tenants need authorize to name the tenant of each request: authorize: (c) => ({ tenant: … }) (unsafeAllowAll cannot)",
  })
  .refine((o) => o.tenants === undefined || typeof (o.store as Partial<Store>).forTenant === "function", {
    path: ["store"],
    message: "tenants need a store with forTenant() (createPgStore, createMemoryStore)",
  })
  .refine((o) => o.webhooks === undefined || o.webhooks.receiver !== undefined || o.tenants?.enqueueReferral !== undefined, {
    path: ["webhooks", "receiver"],
    message: "expected a receiver from createWebhookReceiver() (it may be left out only with tenants.enqueueReferral)",
  });

/** Validated options with defaults applied. */
export interface RouteSettings {
  engine: SyncEngine | null;
  store: Store;
  authorize: Authorize | null;
  scheduler: StatusScheduler | null;
  actions: ReferralActions | null;
  ui: boolean;
  metrics: boolean;
  scope: string;
  trustedOrigins: string[];
  webhooks: { receiver?: WebhookReceiver; verifier: WebhookVerifier; logger?: Logger } | null;
  heartbeatMs: number;
  maxBufferedEvents: number;
  tenants: TenantRouteOptions | null;
}

/** Throws one `ConfigError` listing every bad option. */
export function parseRouteOptions(options: unknown): RouteSettings {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ path: ["createReferralRoutes", ...i.path.map(String)].join("."), message: i.message })),
    );
  }
  const o = parsed.data;
  return {
    engine: (o.engine as SyncEngine | undefined) ?? null,
    store: o.store as Store,
    authorize: (o.authorize as Authorize | undefined) ?? null,
    scheduler: (o.scheduler as StatusScheduler | undefined) ?? null,
    actions: (o.actions as ReferralActions | undefined) ?? null,
    ui: o.ui,
    metrics: o.metrics,
    scope: o.scope,
    trustedOrigins: o.trustedOrigins,
    webhooks: (o.webhooks as RouteSettings["webhooks"] | undefined) ?? null,
    heartbeatMs: o.events.heartbeatMs,
    maxBufferedEvents: o.events.maxBufferedEvents,
    tenants: (o.tenants as TenantRouteOptions | undefined) ?? null,
  };
}
