// GET /inbox, GET /referral-types and GET /referral-domains: the reads of the page and of a host's lead list.
import { maskPii, type InboxRow } from "@pc-referrals/core";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { RouteSettings } from "./route-options.js";
import { jsonContent, problems } from "./route-kit.js";
import {
  InboxPageSchema,
  InboxQuerySchema,
  ReferralDomainPageSchema,
  ReferralDomainsQuerySchema,
  ReferralTypesByDomainSchema,
  ReferralTypesQuerySchema,
} from "./schemas.js";
import { scopeOf } from "./tenant-scope.js";

const inbox = createRoute({
  method: "get",
  path: "/inbox",
  tags: ["inbox"],
  summary: "Stored referrals, filtered and paged",
  request: { query: InboxQuerySchema },
  responses: { 200: jsonContent(InboxPageSchema, "One page of the inbox and the total."), ...problems(400, 401, 403) },
});

const referralTypes = createRoute({
  method: "get",
  path: "/referral-types",
  tags: ["lead list"],
  summary: "Referral types per domain (up to 500 domains), for a lead list column",
  request: { query: ReferralTypesQuerySchema },
  responses: { 200: jsonContent(ReferralTypesByDomainSchema, "Types per domain; domains without a referral are absent."), ...problems(400, 401, 403) },
});

const referralDomains = createRoute({
  method: "get",
  path: "/referral-domains",
  tags: ["lead list"],
  summary: "Domains that have a referral (of a type), for lead-list filters on other stores",
  request: { query: ReferralDomainsQuerySchema },
  responses: { 200: jsonContent(ReferralDomainPageSchema, "One page of domains, ordered by domain."), ...problems(400, 401, 403) },
});

/** Inbox rows hold no contact fields; masking is the guard for a customer name that is an address. */
export const publicRow = (row: InboxRow): InboxRow => maskPii(row);

/** Adds the inbox and lead-list routes to `app`. */
export function registerInboxRoutes(app: OpenAPIHono, settings: RouteSettings): void {
  const storeOf = (c: Context) => scopeOf(c, settings).store;

  app.openapi(inbox, async (c) => {
    const { page, pageSize, referralType, linkStatus, status, q, expiresWithinDays, sort } = c.req.valid("query");
    const result = await storeOf(c).queryInbox({
      ...(page === undefined ? {} : { page }),
      ...(pageSize === undefined ? {} : { pageSize }),
      ...(referralType === undefined ? {} : { referralType }),
      ...(linkStatus === undefined ? {} : { linkStatus }),
      ...(status === undefined ? {} : { status }),
      ...(q === undefined ? {} : { q }),
      ...(expiresWithinDays === undefined ? {} : { expiresWithinDays }),
      ...(sort === undefined ? {} : { sort }),
    });
    return c.json({ ...result, items: result.items.map(publicRow) }, 200);
  });

  app.openapi(referralTypes, async (c) => {
    const { domain } = c.req.valid("query");
    const byDomain = await storeOf(c).referralTypesByDomain([...new Set(domain.map((d) => d.trim().toLowerCase()))]);
    return c.json(Object.fromEntries(byDomain), 200);
  });

  app.openapi(referralDomains, async (c) => {
    const { type, page, pageSize } = c.req.valid("query");
    const result = await storeOf(c).listReferralDomains({
      ...(type === undefined ? {} : { referralType: type }),
      ...(page === undefined ? {} : { page }),
      ...(pageSize === undefined ? {} : { pageSize }),
    });
    return c.json(result, 200);
  });
}
