// authorize before every route, the option checks, security headers and cross-site request rejection.
import { ConfigError, createMemoryStore, PcReferralsError } from "@pc-referrals/core";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReferralRoutes, type Authorize } from "../src/index.js";
import { HOST_TOKEN, MOUNT, startHarness, type Harness } from "./route-harness.js";

/** Every route the adapter serves (with ui and metrics on), with a request that would succeed. */
const ROUTES: ReadonlyArray<{ method: string; path: string; json?: unknown }> = [
  { method: "POST", path: "/sync", json: {} },
  { method: "GET", path: "/sync/status" },
  { method: "GET", path: "/sync/runs" },
  { method: "GET", path: "/sync/runs/some-run" },
  { method: "GET", path: "/inbox" },
  { method: "GET", path: "/referrals/some-referral" },
  { method: "PUT", path: "/referrals/some-referral/link", json: { companyId: "c" } },
  { method: "DELETE", path: "/referrals/some-referral/link" },
  { method: "POST", path: "/referrals/some-referral/accept" },
  { method: "POST", path: "/referrals/some-referral/decline", json: { reason: "Not a fit" } },
  { method: "POST", path: "/referrals/some-referral/close", json: { outcome: "won" } },
  { method: "PUT", path: "/referrals/some-referral/external-reference", json: { value: "CRM-1" } },
  { method: "PUT", path: "/referrals/some-referral/deal-value", json: { value: 1, currency: "USD" } },
  { method: "GET", path: "/referrals/some-referral/actions" },
  { method: "GET", path: "/referral-types?domain=contoso.com" },
  { method: "GET", path: "/referral-domains" },
  { method: "GET", path: "/events" },
  { method: "GET", path: "/openapi.json" },
  { method: "GET", path: "/metrics" },
  { method: "GET", path: "/ui" },
  { method: "GET", path: "/ui/app.js" },
  { method: "GET", path: "/ui/styles.css" },
  { method: "GET", path: "/ui/badge.js" },
  { method: "GET", path: "/no-such-route" },
];

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ routes: { ui: true, metrics: true } });
});
afterAll(() => h.stop());

const send = (route: (typeof ROUTES)[number], authorization: string) =>
  h.request(route.path, { method: route.method, headers: { authorization }, ...(route.json === undefined ? {} : { json: route.json }) });

describe("authorize runs before every route", () => {
  it.each(ROUTES)("$method $path: no credentials → the host's 401, wrong credentials → 403 forbidden", async (route) => {
    const anonymous = await send(route, "");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe("Bearer");
    expect(anonymous.headers.get("content-security-policy")).toBe(CSP);

    const wrong = await send(route, "Bearer someone-else");
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get("content-type")).toBe("application/problem+json");
    expect(await wrong.json()).toMatchObject({ status: 403, code: "forbidden", title: "Forbidden" });
    // Nothing ran: a refused POST /sync started no run.
    expect(await h.store.listRuns()).toEqual([]);
    expect(h.fake.requests).toEqual([]);
  });

  it.each(ROUTES)("$method $path: an authorize that throws HTTPException(401) gives a 401 unauthorized problem", async (route) => {
    const authorize: Authorize = () => {
      throw new HTTPException(401, { message: "Sign in first." });
    };
    const app = new Hono().route(MOUNT, createReferralRoutes({ engine: h.engine, store: h.store, authorize, ui: true, metrics: true }));
    const res = await app.request(`${MOUNT}${route.path}`, { method: route.method });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 401, code: "unauthorized", detail: "Sign in first." });
  });

  it("lets a request through on true or { actor }, and refuses a malformed verdict", async () => {
    const verdicts: Array<[unknown, number]> = [
      [true, 200],
      [{ actor: "jane" }, 200],
      [false, 403],
      [undefined, 403],
      ["yes", 403],
    ];
    for (const [verdict, status] of verdicts) {
      const authorize = (() => Promise.resolve(verdict)) as unknown as Authorize;
      const app = new Hono().route(MOUNT, createReferralRoutes({ engine: h.engine, store: h.store, authorize }));
      expect((await app.request(`${MOUNT}/sync/status`)).status).toBe(status);
    }
  });
});

describe("createReferralRoutes options", () => {
  it("throws config_invalid naming authorize when it is missing, unless unsafeAllowAll is true", async () => {
    const store = createMemoryStore();
    // @ts-expect-error authorize is required by the type.
    const missing = () => createReferralRoutes({ engine: h.engine, store });
    expect(missing).toThrow(ConfigError);
    try {
      missing();
    } catch (error) {
      expect(PcReferralsError.hasCode(error, "config_invalid")).toBe(true);
      expect((error as ConfigError).issues.map((i) => i.path)).toEqual(["createReferralRoutes.authorize"]);
    }
    const open = new Hono().route(MOUNT, createReferralRoutes({ engine: h.engine, store, unsafeAllowAll: true }));
    expect((await open.request(`${MOUNT}/sync/status`)).status).toBe(200);
  });

  it("lists every bad option in one ConfigError", () => {
    const bad = { engine: {}, store: null, authorize: "yes", ui: "on", events: { heartbeatMs: 0 }, extra: 1 };
    try {
      createReferralRoutes(bad as never);
      expect.unreachable();
    } catch (error) {
      expect(PcReferralsError.hasCode(error, "config_invalid")).toBe(true);
      const paths = (error as ConfigError).issues.map((i) => i.path);
      for (const path of ["engine", "store", "authorize", "ui", "events.heartbeatMs"]) expect(paths).toContain(`createReferralRoutes.${path}`);
    }
  });
});

describe("security headers and cross-site requests", () => {
  it("sends the strict CSP and the hono/secure-headers set on every route", async () => {
    // GET only: a state-changing request here would start a real run.
    for (const route of ROUTES.filter((r) => r.method === "GET" && r.path !== "/events")) {
      const res = await send(route, `Bearer ${HOST_TOKEN}`);
      expect(res.headers.get("content-security-policy"), route.path).toBe(CSP);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      await res.body?.cancel();
    }
  });

  it("serves the page files with their content types", async () => {
    const types: Record<string, string> = {
      "/ui": "text/html",
      "/ui/app.js": "text/javascript",
      "/ui/styles.css": "text/css",
      "/ui/badge.js": "text/javascript",
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await h.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain(type);
      expect((await res.text()).length).toBeGreaterThan(0);
    }
    // Off unless asked for.
    const plain = new Hono().route(MOUNT, createReferralRoutes({ engine: h.engine, store: h.store, unsafeAllowAll: true }));
    expect((await plain.request(`${MOUNT}/ui`)).status).toBe(404);
    expect((await plain.request(`${MOUNT}/metrics`)).status).toBe(404);
  });

  it.each(ROUTES.filter((r) => r.method !== "GET"))(
    "$method $path: a cross-site form request is rejected with 403 cross_site_request",
    async (route) => {
      const runsBefore = (await h.store.listRuns()).length;
      for (const headers of [
        { origin: "https://evil.example", "content-type": "text/plain" },
        { "sec-fetch-site": "cross-site", "content-type": "application/x-www-form-urlencoded" },
      ]) {
        const res = await h.request(route.path, { method: route.method, headers, body: "companyId=c" });
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({ code: "cross_site_request" });
      }
      expect(await h.store.listRuns()).toHaveLength(runsBefore);
    },
  );

  it("accepts same-origin and trusted-origin requests, and clients that are not browsers", async () => {
    const disabled = await startHarness({ enabled: false, routes: { trustedOrigins: ["https://crm.example"] } });
    try {
      const runsBefore = (await h.store.listRuns()).length;
      for (const headers of [{ origin: "http://localhost" }, { "sec-fetch-site": "same-origin" }, { origin: "https://crm.example" }, {}]) {
        const res = await disabled.request("/sync", { method: "POST", headers });
        // Past the CSRF check, the disabled flag answers.
        expect(await res.json()).toMatchObject({ code: "feature_disabled" });
      }
    } finally {
      await disabled.stop();
    }
  });
});
