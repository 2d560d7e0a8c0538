// Public surface of @pc-referrals/hono-adapter: explicit named re-exports only.
export { CONTENT_SECURITY_POLICY, createReferralRoutes } from "./routes.js";
export type { Authorize, AuthorizeResult, ReferralRoutesOptions, StatusScheduler, TenantJobQueued, TenantRouteOptions } from "./route-options.js";
export { ERROR_STATUS } from "./http-errors.js";
export type { FieldError, Problem } from "./http-errors.js";
export { MAX_DOMAINS_PER_REQUEST } from "./schemas.js";
export { prometheusText } from "./metrics-routes.js";
export { WEBHOOK_MAX_BODY_BYTES, WEBHOOK_PATH } from "./webhook-routes.js";
