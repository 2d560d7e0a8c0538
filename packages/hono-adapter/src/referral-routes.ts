// GET /referrals/:id (the one route with unmasked contacts: the user's own data behind authorize),
// PUT and DELETE /referrals/:id/link (manual link and unlink); the write-back routes beside them.
import { NotFoundError, allowedReferralActions, normalizeCompanyName, type InboxRow } from "@pc-referrals/core";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { publicRow } from "./inbox-routes.js";
import { registerReferralActionRoutes } from "./referral-action-routes.js";
import type { RouteSettings } from "./route-options.js";
import { jsonContent, problems } from "./route-kit.js";
import { InboxRowSchema, LinkBodySchema, ReferralDetailSchema, ReferralParamsSchema } from "./schemas.js";
import { actorOf, scopeOf, type RequestScope } from "./tenant-scope.js";

const tags = ["referrals"];

const getReferral = createRoute({
  method: "get",
  path: "/referrals/{id}",
  tags,
  summary: "One stored referral with its payload and link candidates",
  request: { params: ReferralParamsSchema },
  responses: { 200: jsonContent(ReferralDetailSchema, "The referral."), ...problems(400, 401, 403, 404) },
});

const link = createRoute({
  method: "put",
  path: "/referrals/{id}/link",
  tags,
  summary: "Link the referral to a company by hand (later syncs keep it)",
  request: { params: ReferralParamsSchema, body: { required: true, content: { "application/json": { schema: LinkBodySchema } } } },
  responses: { 200: jsonContent(InboxRowSchema, "The referral's inbox row after the change."), ...problems(400, 401, 403, 404, 415) },
});

const unlink = createRoute({
  method: "delete",
  path: "/referrals/{id}/link",
  tags,
  summary: "Unlink the referral by hand (later syncs keep it unlinked)",
  request: { params: ReferralParamsSchema },
  responses: { 200: jsonContent(InboxRowSchema, "The referral's inbox row after the change."), ...problems(400, 401, 403, 404) },
});

/** Adds the referral routes to `app`. */
export function registerReferralRoutes(app: OpenAPIHono, settings: RouteSettings): void {
  app.openapi(getReferral, async (c) => {
    const { id } = c.req.valid("param");
    const scope = scopeOf(c, settings);
    const { store } = scope;
    const referral = await store.getReferral(id);
    if (referral === null) throw new NotFoundError(`No referral ${id}.`);
    const normalizedName = referral.customerName === null ? null : normalizeCompanyName(referral.customerName);
    const candidates = await store.findCompanies({
      domains: referral.domain === null ? [] : [referral.domain],
      normalizedNames: normalizedName === null || normalizedName === "" ? [] : [normalizedName],
    });
    // The page enables its buttons from this list, so it needs no copy of the transition rules.
    const writeBack = scope.actions !== null;
    const allowedActions = writeBack ? allowedReferralActions({ status: referral.status, substatus: referral.substatus }) : [];
    return c.json({ ...referral, candidates, writeBack, allowedActions } as never, 200);
  });

  app.openapi(link, async (c) => {
    const { id } = c.req.valid("param");
    const { companyId } = c.req.valid("json");
    return c.json(publicRow(await setLink(scopeOf(c, settings), id, companyId, actorOf(c))), 200);
  });

  app.openapi(unlink, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(publicRow(await setLink(scopeOf(c, settings), id, null, actorOf(c))), 200);
  });

  registerReferralActionRoutes(app, settings);
}

/**
 * Through the engine when it syncs this tenant: with writeBack.setExternalReferenceOnLink the
 * company's external id is then written to Partner Center (audited under the authorize actor); the
 * link stands either way. A tenant synced by workers is linked in its store view.
 */
async function setLink(scope: RequestScope, referralId: string, companyId: string | null, actor: string | null): Promise<InboxRow> {
  if (scope.engine !== null) return (await scope.engine.linkReferral(referralId, companyId, { actor })).row;
  const row = await scope.store.setManualLink({ referralId, companyId });
  if (row === null) throw new NotFoundError(`No referral "${referralId}" is stored.`);
  return row;
}
