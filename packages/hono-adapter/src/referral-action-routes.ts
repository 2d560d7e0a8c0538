// Write-back (issue 13): POST /referrals/:id/accept | decline | close, PUT /referrals/:id/external-reference
// and /deal-value through core's ReferralActions, and GET /referrals/:id/actions (the audit trail).
import { NotFoundError, maskPii, type ReferralActionRecord, type ReferralActionResult, type ReferralActions } from "@pc-referrals/core";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { publicRow } from "./inbox-routes.js";
import type { RouteSettings } from "./route-options.js";
import { jsonContent, problem, problems } from "./route-kit.js";
import {
  ActionsQuerySchema,
  CloseBodySchema,
  DealValueBodySchema,
  DeclineBodySchema,
  ExternalReferenceBodySchema,
  ReferralActionListSchema,
  ReferralActionResponseSchema,
  ReferralParamsSchema,
} from "./schemas.js";
import { actorOf, scopeOf } from "./tenant-scope.js";

const tags = ["write-back"];

/** The detail of the 404 every write route answers when `createReferralRoutes` got no `actions`. */
export const WRITE_BACK_NOT_CONFIGURED =
  "Write-back is not configured: pass createReferralRoutes({ actions: createReferralActions({ client, store, engine }) }).";

const writeProblems = {
  ...problems(400, 401, 403, 415),
  404: problem("`not_found`: no such stored referral, or write-back is not configured (no `actions` option)."),
  409: problem(
    "`invalid_transition` (the stored status does not allow it; `allowed` lists what does) or `referral_conflict` (Partner Center's copy changed since the last sync; `current` is its state now, already stored).",
  ),
  502: problem("`api_error`, `network_error` or `write_unconfirmed`: Partner Center refused or failed the write, or its outcome is unknown."),
  503: problem("`auth_required`, `rate_limited` or `store_error`: sign in again, or try later."),
  504: problem("`timeout`: Partner Center did not answer in time."),
};

const result = jsonContent(ReferralActionResponseSchema, "The referral's state at Partner Center after the change, and its inbox row.");
const body = <T>(schema: T) => ({ required: true, content: { "application/json": { schema } } });

const accept = createRoute({
  method: "post",
  path: "/referrals/{id}/accept",
  tags,
  summary: "Accept a New referral (Active / Accepted at Partner Center)",
  request: { params: ReferralParamsSchema },
  responses: { 200: result, ...writeProblems },
});

const decline = createRoute({
  method: "post",
  path: "/referrals/{id}/decline",
  tags,
  summary: "Decline a New referral (Closed / Declined) with a reason",
  request: { params: ReferralParamsSchema, body: body(DeclineBodySchema) },
  responses: { 200: result, ...writeProblems },
});

const close = createRoute({
  method: "post",
  path: "/referrals/{id}/close",
  tags,
  summary: "Close an Active referral as won or lost (Closed / Won | Lost)",
  request: { params: ReferralParamsSchema, body: body(CloseBodySchema) },
  responses: { 200: result, ...writeProblems },
});

const externalReference = createRoute({
  method: "put",
  path: "/referrals/{id}/external-reference",
  tags,
  summary: "Set your own lead or opportunity id on the referral (externalReferenceId)",
  request: { params: ReferralParamsSchema, body: body(ExternalReferenceBodySchema) },
  responses: { 200: result, ...writeProblems },
});

const dealValue = createRoute({
  method: "put",
  path: "/referrals/{id}/deal-value",
  tags,
  summary: "Set the referral's deal value and currency",
  request: { params: ReferralParamsSchema, body: body(DealValueBodySchema) },
  responses: { 200: result, ...writeProblems },
});

const listActions = createRoute({
  method: "get",
  path: "/referrals/{id}/actions",
  tags,
  summary: "The referral's write-back audit trail, newest first",
  request: { params: ReferralParamsSchema, query: ActionsQuerySchema },
  responses: { 200: jsonContent(ReferralActionListSchema, "Audit rows, newest first (`limit` 1–500, default 50)."), ...problems(400, 401, 403) },
});

/**
 * Free text a person typed (a decline reason) or an error message may hold contact data: masked like
 * every route but GET /referrals/:id. The actor is the host's own user and stays as authorize named it.
 */
const publicAuditRow = (row: ReferralActionRecord): ReferralActionRecord => ({ ...row, input: maskPii(row.input), error: maskPii(row.error) });

/** Adds the write-back routes to `app` (always: without `actions` they answer 404, see WRITE_BACK_NOT_CONFIGURED). */
export function registerReferralActionRoutes(app: OpenAPIHono, settings: RouteSettings): void {
  const configured = (c: Context): ReferralActions => {
    const { actions } = scopeOf(c, settings);
    if (actions === null) throw new NotFoundError(WRITE_BACK_NOT_CONFIGURED);
    return actions;
  };
  // The inbox row is re-read after the action, so the page shows what the store now holds.
  const respond = async (c: Context, done: ReferralActionResult) => {
    const { store } = scopeOf(c, settings);
    const row = (await store.queryInbox({ q: done.referralId, pageSize: 100 })).items.find((r) => r.referralId === done.referralId) ?? null;
    return c.json({ ...done, sync: maskPii(done.sync), row: row === null ? null : publicRow(row) } as never, 200);
  };
  const context = (c: Context) => ({ actor: actorOf(c) });

  app.openapi(accept, async (c) => {
    const { id } = c.req.valid("param");
    return respond(c, await configured(c).accept(id, context(c)));
  });

  app.openapi(decline, async (c) => {
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    return respond(c, await configured(c).decline(id, { reason }, context(c)));
  });

  app.openapi(close, async (c) => {
    const { id } = c.req.valid("param");
    const { outcome, reason } = c.req.valid("json");
    return respond(c, await configured(c).close(id, reason === undefined ? { outcome } : { outcome, reason }, context(c)));
  });

  app.openapi(externalReference, async (c) => {
    const { id } = c.req.valid("param");
    const { value } = c.req.valid("json");
    return respond(c, await configured(c).setExternalReference(id, value, context(c)));
  });

  app.openapi(dealValue, async (c) => {
    const { id } = c.req.valid("param");
    const { value, currency } = c.req.valid("json");
    return respond(c, await configured(c).setDealValue(id, { value, currency }, context(c)));
  });

  app.openapi(listActions, async (c) => {
    const { id } = c.req.valid("param");
    const { limit } = c.req.valid("query");
    const items = await scopeOf(c, settings).store.listReferralActions({ referralId: id, limit: limit ?? 50 });
    return c.json({ items: items.map(publicAuditRow) } as never, 200);
  });
}
