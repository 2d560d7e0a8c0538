// createReferralRoutes: composes the route files behind one middleware chain
// (security headers → [signed webhook route] → authorize → CSRF) and one problem+json error handler.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { registerEventRoutes } from "./events-sse.js";
import { errorResponse, problemResponse, validationHook } from "./http-errors.js";
import { registerInboxRoutes } from "./inbox-routes.js";
import { registerMetricsRoutes } from "./metrics-routes.js";
import { registerOpenApiRoute } from "./openapi.js";
import { registerReferralRoutes } from "./referral-routes.js";
import { parseRouteOptions, type Authorize, type ReferralRoutesOptions, type RouteSettings } from "./route-options.js";
import { registerSyncRoutes } from "./sync-routes.js";
import { rememberVerdict, tenantOf } from "./tenant-scope.js";
import { registerUiRoutes } from "./ui-routes.js";
import { registerWebhookRoutes, type TenantWebhookTarget } from "./webhook-routes.js";

/** The Content-Security-Policy of every response: no inline script or style, nothing from elsewhere. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  connectSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
};

/**
 * The referral routes as a Hono app to mount: `app.route("/api/referrals", createReferralRoutes({ … }))`.
 * Throws `ConfigError` listing every bad option (a missing `authorize` included).
 */
export function createReferralRoutes(options: ReferralRoutesOptions): OpenAPIHono {
  const settings = parseRouteOptions(options);
  const app = new OpenAPIHono({ defaultHook: (result) => validationHook(result) });

  app.onError((error) => errorResponse(error));

  app.use("*", secureHeaders({ contentSecurityPolicy: CONTENT_SECURITY_POLICY, crossOriginResourcePolicy: "same-origin", xFrameOptions: "DENY" }));
  // Before authorize on purpose: Partner Center cannot authenticate to the host; the signature is checked instead.
  if (settings.webhooks !== null) registerWebhookRoutes(app, settings.webhooks, tenantWebhookTarget(settings));
  if (settings.authorize !== null) app.use("*", authorizeMiddleware(settings.authorize, settings.tenants !== null));
  app.use("*", csrfMiddleware(settings.trustedOrigins));

  registerSyncRoutes(app, settings);
  registerInboxRoutes(app, settings);
  registerReferralRoutes(app, settings);
  registerEventRoutes(app, settings);
  if (settings.metrics) registerMetricsRoutes(app, settings);
  registerOpenApiRoute(app);
  if (settings.ui) registerUiRoutes(app);
  // A mounted app's notFound is not used by the host app, so unknown paths end here.
  app.all("*", (c) => problemResponse("not_found", `No route ${c.req.method} ${c.req.path}.`));
  return app;
}

/** The tenant webhook route's target: only with `tenants.enqueueReferral`. */
function tenantWebhookTarget({ tenants }: RouteSettings): TenantWebhookTarget | null {
  const enqueueReferral = tenants?.enqueueReferral;
  if (tenants === null || enqueueReferral === undefined) return null;
  return { enqueueReferral: (tenant, id) => enqueueReferral.call(tenants, tenant, id), ...(tenants.registry === undefined ? {} : { registry: tenants.registry }) };
}

function authorizeMiddleware(authorize: Authorize, tenantRequired: boolean): MiddlewareHandler {
  return async (c, next) => {
    const verdict = await authorize(c);
    if (verdict instanceof Response) return verdict;
    if (verdict === false) return problemResponse("forbidden", "Not allowed.");
    if (verdict !== true && (typeof verdict !== "object" || verdict === null)) {
      // A host bug (e.g. returning undefined) must never open the routes.
      return problemResponse("forbidden", "authorize returned neither true, an object, false nor a Response.");
    }
    rememberVerdict(c, verdict);
    // Serving the default tenant instead would show one partner's referrals to another's users.
    if (tenantRequired && tenantOf(c) === null) {
      return problemResponse("forbidden", "authorize named no tenant: with the tenants option it must answer { tenant } for every request.");
    }
    await next();
  };
}

/**
 * hono/csrf, answering a rejected cross-site request with problem+json instead of plain text. A
 * request with neither `Origin` nor `Sec-Fetch-Site` does not come from a browser page (browsers
 * send one of them on every cross-site POST), so scripts and curl need no Origin header.
 */
function csrfMiddleware(trustedOrigins: string[]): MiddlewareHandler {
  const check = csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || trustedOrigins.includes(origin) });
  return async (c, next) => {
    if (c.req.header("origin") === undefined && c.req.header("sec-fetch-site") === undefined) return next();
    try {
      await check(c, async () => {});
    } catch (error) {
      if (error instanceof HTTPException && error.status === 403) {
        return problemResponse("cross_site_request", "Cross-site requests may not change state; send JSON from the same origin.");
      }
      throw error;
    }
    await next();
  };
}
