// The tenants option: a verdict without a tenant is refused, POST /sync queues the tenant's job,
// the engine-bound routes answer 404 for tenants, the tenant webhook route queues one referral, and
// the option and verdict checks.
import { createSign } from "node:crypto";
import {
  ConfigError,
  createMemoryStore,
  createPartnerCenterClient,
  createReferralActions,
  createStaticTokenProvider,
  createSyncEngine,
  createWebhookVerifier,
  type Store,
} from "@pc-referrals/core";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReferralRoutes, type Authorize, type ReferralRoutesOptions } from "../src/index.js";
import { MOUNT } from "./route-harness.js";
import { recordingTenants, startTenantHarness, tenantAuthorize, type TenantHarness } from "./tenant-harness.js";
import { eventBody } from "./webhook-support.js";

let h: TenantHarness;
let webhookApp: Hono;
beforeAll(async () => {
  h = await startTenantHarness(createMemoryStore());
  const verifier = createWebhookVerifier({ allowedCertificateHosts: [new URL(h.fakes.a.url).host] });
  webhookApp = new Hono().route(MOUNT, createReferralRoutes({ store: h.store, authorize: tenantAuthorize, tenants: recordingTenants(h.registry).tenants, webhooks: { verifier } }));
}, 60_000);
afterAll(() => h?.stop());

describe("with tenants, authorize must name one", () => {
  it.each(["/inbox", "/sync/status", "/sync/runs", `/referrals/x`, "/ui"])("GET %s with a verdict naming no tenant → 403 forbidden", async (path) => {
    const res = await h.request("none", path);
    expect(res.status).toBe(403);
    const problem = (await res.json()) as { code: string; detail: string };
    expect(problem.code).toBe("forbidden");
    expect(problem.detail).toContain("authorize named no tenant");
  });

  it("POST /sync with a verdict naming no tenant queues nothing", async () => {
    expect((await h.request("none", "/sync", { method: "POST", json: {} })).status).toBe(403);
    expect(h.calls.syncs).toEqual([]);
  });
});

describe("POST /sync for a tenant", () => {
  it("queues the tenant's job: 202 { queued, jobId }, and a second one joins it", async () => {
    const first = await h.request("a", "/sync", { method: "POST", json: {} });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ queued: true, jobId: "sync-a" });
    const second = await h.request("b", "/sync", { method: "POST", json: { full: true } });
    expect(await second.json()).toEqual({ queued: false, jobId: null });
    expect(h.calls.syncs).toEqual([
      { tenant: "a", full: false },
      { tenant: "b", full: true },
    ]);
  });

  it("?wait=true is a 400 invalid_input: there is no run here to wait for", async () => {
    const res = await h.request("a", "/sync?wait=true", { method: "POST", json: {} });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "invalid_input" });
  });
});

describe("engine-bound routes for a tenant synced by workers", () => {
  it.each(["/events", "/metrics"])("GET %s → 404 not_found naming the tenant", async (path) => {
    const res = await h.request("a", path);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { detail: string }).detail).toContain('tenant "a"');
  });

  it("write-back routes answer 404 without tenants.actions, and the detail says writeBack is off", async () => {
    expect((await h.request("a", `/referrals/${h.sharedId}/accept`, { method: "POST" })).status).toBe(404);
    expect(await (await h.request("a", `/referrals/${h.sharedId}`)).json()).toMatchObject({ writeBack: false, allowedActions: [] });
  });

  it("GET /sync/status reads the feature flag and login state from the registry", async () => {
    await h.registry.markLoginRequired("b", "auth_required");
    await h.registry.put({ id: "a", enabled: false });
    expect(await (await h.request("a", "/sync/status")).json()).toMatchObject({ enabled: false, loginRequired: false, nextRunAt: null, webhooks: null });
    expect(await (await h.request("b", "/sync/status")).json()).toMatchObject({ enabled: true, loginRequired: true });
    await h.registry.put({ id: "a", enabled: true });
    await h.registry.clearLoginRequired("b");
  });
});

describe("POST /webhooks/partner-center/:tenant", () => {
  const post = (tenant: string, body: string, signature?: string) =>
    webhookApp.request(`${MOUNT}/webhooks/partner-center/${tenant}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Signature ${signature ?? createSign("sha256").update(body, "utf8").sign(h.fakes.a.webhooks.certificate.privateKey).toString("base64")}`,
        "x-ms-certificate-url": h.fakes.a.webhooks.certificateUrl,
      },
      body,
    });

  it("verifies the signature (not behind authorize) and queues one referral job for the tenant", async () => {
    const res = await post("a", eventBody("referral-updated", "ref-1", "2026-12-01T10:00:00Z"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ outcome: "scheduled", referralId: "ref-1", jobId: "referral-a-ref-1" });
  });

  it("ignores an event that names no referral, and queues nothing", async () => {
    const res = await post("a", eventBody("test-created", "ref-2", "2026-12-01T10:00:00Z"));
    expect(await res.json()).toEqual({ outcome: "ignored", referralId: null, jobId: null });
  });

  it.each([
    ["an id the registry does not hold", "zzz"],
    ["an invalid id", "Not%20A%20Tenant"],
  ])("answers 404 not_found for %s", async (_, tenant) => {
    const res = await post(tenant, eventBody("referral-updated", "ref-3", "2026-12-01T10:00:00Z"));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "not_found" });
  });

  it("refuses a bad signature with 401 and queues nothing", async () => {
    const res = await post("b", eventBody("referral-updated", "ref-4", "2026-12-01T10:00:00Z"), Buffer.from("forged").toString("base64"));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "webhook_signature_invalid" });
  });

  it("is not served without a receiver for the single-tenant route", async () => {
    const res = await webhookApp.request(`${MOUNT}/webhooks/partner-center`, { method: "POST", body: "{}" });
    expect(res.status).toBe(403);
  });
});

describe("write-back for a tenant (tenants.actions)", () => {
  it("acts on the tenant's own referral with its own client and answers its row; the other tenant has none", async () => {
    const client = createPartnerCenterClient({ baseUrl: h.fakes.a.url, tokenProvider: createStaticTokenProvider(h.fakes.a.entra.issueAccessToken()) });
    const viewA = h.store.forTenant?.("a") as Store;
    const actionsA = createReferralActions({ client, store: viewA });
    const { tenants } = recordingTenants(h.registry);
    const app = new Hono().route(MOUNT, createReferralRoutes({ store: h.store, authorize: tenantAuthorize, tenants: { ...tenants, actions: (t) => (t === "a" ? actionsA : null) } }));
    const as = (token: string, path: string) => app.request(`${MOUNT}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    const fresh = (await viewA.queryInbox({ status: "New", pageSize: 100 })).items.find((r) => r.referralId !== h.sharedId);
    const id = fresh?.referralId ?? "";
    expect((await as("token-of-b", `/referrals/${id}/accept`)).status).toBe(404);
    const accepted = await as("token-of-a", `/referrals/${id}/accept`);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ referralId: id, status: "Active", row: { tenant: "a", referralId: id, status: "Active" } });
    expect((await viewA.getReferral(id))?.status).toBe("Active");
  });
});

describe("GET /openapi.json with tenants", () => {
  it("documents the tenant webhook route, the queued sync answer and InboxRow.tenant", async () => {
    const doc = (await (await webhookApp.request(`${MOUNT}/openapi.json`, { headers: { authorization: "Bearer token-of-a" } })).json()) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/webhooks/partner-center/{tenant}", "/sync"]));
    expect(Object.keys(doc.paths)).not.toContain("/webhooks/partner-center");
    expect(doc.components.schemas.InboxRow?.required).toContain("tenant");
    expect(doc.components.schemas.SyncQueued?.properties).toHaveProperty("jobId");
  });
});

describe("option and verdict checks", () => {
  const tenants = { enqueueSync: async () => ({ queued: true, jobId: null }) };
  const configIssues = (options: unknown): string[] => {
    try {
      createReferralRoutes(options as ReferralRoutesOptions);
    } catch (error) {
      if (error instanceof ConfigError) return error.issues.map((i) => i.path);
      throw error;
    }
    return [];
  };

  it("refuses tenants with unsafeAllowAll, tenants over a store without views, and no engine without tenants", () => {
    const store = createMemoryStore();
    const noViews: Store = { ...store, forTenant: undefined } as unknown as Store;
    expect(configIssues({ store, tenants, unsafeAllowAll: true })).toEqual(["createReferralRoutes.tenants"]);
    expect(configIssues({ store: noViews, tenants, authorize: () => true })).toEqual(["createReferralRoutes.store"]);
    expect(configIssues({ store, authorize: () => true })).toEqual(["createReferralRoutes.engine"]);
    expect(configIssues({ store, tenants: { enqueueSync: "no" }, authorize: () => true })).toEqual(["createReferralRoutes.tenants.enqueueSync"]);
    expect(configIssues({ store, tenants, authorize: () => true })).toEqual([]);
  });

  const appWith = (store: Store, authorize: Authorize) => new Hono().route(MOUNT, createReferralRoutes({ store, authorize, tenants }));

  it("a verdict naming an invalid tenant id is a 500 config_invalid, never another tenant's data", async () => {
    const res = await appWith(h.store, () => ({ tenant: "../b" })).request(`${MOUNT}/inbox`);
    expect(res.status).toBe(500);
    const problem = (await res.json()) as { code: string; detail: string };
    expect(problem.code).toBe("config_invalid");
    expect(problem.detail).toContain("not a valid tenant id");
  });

  it("without tenants, the engine serves the store's own tenant; other tenants are read through views, never synced by it", async () => {
    const client = createPartnerCenterClient({ baseUrl: h.fakes.a.url, tokenProvider: createStaticTokenProvider(h.fakes.a.entra.issueAccessToken()) });
    const engine = createSyncEngine({ client, store: h.store, enabled: true });
    const app = new Hono().route(MOUNT, createReferralRoutes({ engine, store: h.store, authorize: () => ({ tenant: "a" }), metrics: true }));
    const inbox = (await (await app.request(`${MOUNT}/inbox`)).json()) as { items: Array<{ tenant: string }> };
    expect(inbox.items.length).toBeGreaterThan(0);
    expect(inbox.items.every((r) => r.tenant === "a")).toBe(true);
    for (const [method, path] of [["POST", "/sync"], ["GET", "/metrics"], ["GET", "/events"]] as const) {
      const res = await app.request(`${MOUNT}${path}`, { method, ...(method === "POST" ? { body: "{}", headers: { "content-type": "application/json" } } : {}) });
      expect(res.status).toBe(404);
    }
    expect(engine.currentRunId).toBeNull();
  });

  it("a tenant verdict over a store without views is a 500 config_invalid, except for the store's own tenant", async () => {
    const store = createMemoryStore();
    const noViews = { ...store, forTenant: undefined } as unknown as Store;
    const client = createPartnerCenterClient({ baseUrl: h.fakes.a.url, tokenProvider: createStaticTokenProvider(h.fakes.a.entra.issueAccessToken()) });
    const engine = createSyncEngine({ client, store: noViews, enabled: true });
    const app = (tenant: string) => new Hono().route(MOUNT, createReferralRoutes({ engine, store: noViews, authorize: () => ({ tenant }) }));
    const refused = await app("a").request(`${MOUNT}/inbox`);
    expect(refused.status).toBe(500);
    expect(await refused.json()).toMatchObject({ code: "config_invalid", detail: expect.stringContaining("no forTenant()") });
    expect((await app("default").request(`${MOUNT}/inbox`)).status).toBe(200);
  });
});
