// GET /openapi.json: the OpenAPI 3.1 document generated from the schemas that validate the requests.
import type { OpenAPIHono } from "@hono/zod-openapi";

/** Title and version written into the document. */
export const OPENAPI_INFO = {
  title: "pc-referrals",
  version: "1",
  description: "Partner Center referrals: sync, status, runs, inbox, manual links, live events.",
} as const;

/** Adds GET /openapi.json to `app`; `servers` is the mount path, so clients resolve every path. */
export function registerOpenApiRoute(app: OpenAPIHono): void {
  app.doc31("/openapi.json", (c) => {
    const mount = c.req.path.slice(0, -"/openapi.json".length);
    return { openapi: "3.1.0", info: { ...OPENAPI_INFO }, servers: [{ url: mount === "" ? "/" : mount }] };
  });
}
