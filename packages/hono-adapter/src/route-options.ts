// Options of createReferralRoutes, checked with zod at the boundary like every core factory.
import { ConfigError, type Logger, type ReferralActions, type Scheduler, type Store, type SyncEngine, type WebhookReceiver, type WebhookVerifier } from "@pc-referrals/core";
import type { Context } from "hono";
import { z } from "zod";

/**
 * What `authorize` may answer: `true` or `{ actor }` lets the request through; `false` is a 403
 * problem (`forbidden`); a `Response` (e.g. the host's own 401 with `WWW-Authenticate`) is sent
 * as it is. Throwing `HTTPException(401)` gives a 401 problem (`unauthorized`).
 */
export type AuthorizeResult = boolean | { actor?: string } | Response;

/** Decides whether a request may reach any route (the page, static files and events included). */
export type Authorize = (c: Context) => AuthorizeResult | Promise<AuthorizeResult>;

/** The part of a scheduler the status route reads (`createScheduler()` returns one). */
export type StatusScheduler = Pick<Scheduler, "running" | "nextRunAt">;

interface CommonOptions {
  engine: SyncEngine;
  /** The store the engine writes to. */
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
    receiver: WebhookReceiver;
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

/** Options of {@link createReferralRoutes}: `authorize` is required unless `unsafeAllowAll: true`. */
export type ReferralRoutesOptions = CommonOptions &
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
    engine: object("a sync engine from createSyncEngine()").refine(
      (e) => typeof (e as Partial<SyncEngine>).run === "function" && typeof (e as Partial<SyncEngine>).onAny === "function",
      "expected a sync engine from createSyncEngine()",
    ),
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
        receiver: object("a receiver from createWebhookReceiver()").refine((r) => typeof (r as Partial<WebhookReceiver>).accept === "function", "expected a receiver from createWebhookReceiver()"),
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
  })
  .refine((o) => o.authorize !== undefined || o.unsafeAllowAll, {
    path: ["authorize"],
    message: "authorize is required: pass authorize: (c) => … (or unsafeAllowAll: true for a local demo)",
  });

/** Validated options with defaults applied. */
export interface RouteSettings {
  engine: SyncEngine;
  store: Store;
  authorize: Authorize | null;
  scheduler: StatusScheduler | null;
  actions: ReferralActions | null;
  ui: boolean;
  metrics: boolean;
  scope: string;
  trustedOrigins: string[];
  webhooks: { receiver: WebhookReceiver; verifier: WebhookVerifier; logger?: Logger } | null;
  heartbeatMs: number;
  maxBufferedEvents: number;
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
    engine: o.engine as SyncEngine,
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
  };
}

// The actor of the verdict that let a request through, for the audit trail of write-back. Kept
// beside the request rather than in Hono's context variables, so the host's own Env types stay untouched.
const actors = new WeakMap<Request, string>();

/** Remembers the `actor` of `authorize`'s verdict for this request. */
export function rememberActor(c: Context, verdict: unknown): void {
  if (typeof verdict !== "object" || verdict === null) return;
  const actor = (verdict as { actor?: unknown }).actor;
  if (typeof actor === "string" && actor !== "") actors.set(c.req.raw, actor);
}

/** The `actor` authorize named for this request, or null (`true`, `unsafeAllowAll`, no actor given). */
export function actorOf(c: Context): string | null {
  return actors.get(c.req.raw) ?? null;
}
