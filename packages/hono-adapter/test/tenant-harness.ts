// Tenant-test set-up: two partner tenants ("a" and "b") synced into one store through its tenant
// views, each from its own fake Partner Center with real engines, and the routes mounted with an
// `authorize` that names the tenant from the caller's bearer token.
import {
  createMemoryTenantRegistry,
  createPartnerCenterClient,
  createStaticTokenProvider,
  createSyncEngine,
  type Store,
  type TenantRegistry,
} from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter, type FakePartnerCenter } from "@pc-referrals/core/testing";
import { Hono } from "hono";
import { createReferralRoutes, type Authorize, type ReferralRoutesOptions, type TenantRouteOptions } from "../src/index.js";
import { MOUNT } from "./route-harness.js";

/** Bearer tokens of the host's users: one per tenant, and one whose verdict names no tenant. */
export const TOKENS = { a: "token-of-a", b: "token-of-b", none: "token-without-tenant" } as const;

/** The host's check: the token decides the user and the tenant. */
export const tenantAuthorize: Authorize = (c) => {
  const header = c.req.header("authorization");
  if (header === `Bearer ${TOKENS.a}`) return { actor: "alice@a", tenant: "a" };
  if (header === `Bearer ${TOKENS.b}`) return { actor: "bob@b", tenant: "b" };
  return header === `Bearer ${TOKENS.none}`;
};

/** The customer name of the shared referral in tenant b. */
export const B_CUSTOMER = "Tenant B Customer Ltd";

/** What the routes asked the (recording) tenant queue. */
export interface QueueCalls {
  syncs: Array<{ tenant: string; full: boolean }>;
  referrals: Array<{ tenant: string; referralId: string }>;
}

/** A `tenants` option that records each call, as a worker's enqueue would be. */
export function recordingTenants(registry: TenantRegistry): { tenants: TenantRouteOptions; calls: QueueCalls } {
  const calls: QueueCalls = { syncs: [], referrals: [] };
  const tenants: TenantRouteOptions = {
    async enqueueSync(tenant, { full }) {
      calls.syncs.push({ tenant, full });
      return { queued: calls.syncs.length === 1, jobId: calls.syncs.length === 1 ? `sync-${tenant}` : null };
    },
    async enqueueReferral(tenant, referralId) {
      calls.referrals.push({ tenant, referralId });
      return { queued: true, jobId: `referral-${tenant}-${referralId}` };
    },
    registry,
  };
  return { tenants, calls };
}

export interface TenantHarness {
  store: Store;
  registry: TenantRegistry;
  calls: QueueCalls;
  fakes: { a: FakePartnerCenter; b: FakePartnerCenter };
  /** The id stored for both tenants (a co-sell shared by two partners), each with its own customer name. */
  sharedId: string;
  /** Run ids of each tenant's sync. */
  runIds: { a: string; b: string };
  app: Hono;
  /** A request to `<MOUNT><path>` as a user of `as`. */
  request(as: keyof typeof TOKENS, path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

/** Syncs tenants a and b into `store` and mounts the routes with `routes` merged into the options. */
export async function startTenantHarness(store: Store, routes: Partial<ReferralRoutesOptions> = {}): Promise<TenantHarness> {
  const viewOf = (tenant: string): Store => {
    const view = store.forTenant?.(tenant);
    if (view === undefined) throw new Error("the store under test has no forTenant()");
    return view;
  };
  const sync = async (fake: FakePartnerCenter, tenant: string) => {
    const client = createPartnerCenterClient({ baseUrl: fake.url, tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()) });
    return (await createSyncEngine({ client, store: viewOf(tenant), enabled: true }).run({ trigger: "manual" })).runId;
  };
  const referralsA = generateReferrals(40, { seed: 31 });
  const a = await startFakePartnerCenter({ referrals: referralsA });
  const runA = await sync(a, "a");
  // The same referral id reaching partner b too (a co-sell shared by two partners), under another customer name.
  const sharedId = (await viewOf("a").queryInbox({ pageSize: 100 })).items.find((r) => r.domain !== null)?.referralId ?? "";
  const shared = structuredClone(referralsA.find((r) => (r as { id?: unknown }).id === sharedId)) as Record<string, unknown>;
  const referralsB = [...generateReferrals(40, { seed: 32 }), { ...shared, customerProfile: { ...(shared.customerProfile as object), name: B_CUSTOMER } }];
  const b = await startFakePartnerCenter({ referrals: referralsB });
  const fakes = { a, b };
  const runIds = { a: runA, b: await sync(b, "b") };
  const registry = createMemoryTenantRegistry();
  await registry.put({ id: "a", displayName: "Partner A" });
  await registry.put({ id: "b", displayName: "Partner B" });
  const { tenants, calls } = recordingTenants(registry);
  const app = new Hono();
  app.route(MOUNT, createReferralRoutes({ store, authorize: tenantAuthorize, tenants, ui: true, metrics: true, ...routes } as ReferralRoutesOptions));
  return {
    store,
    registry,
    calls,
    fakes,
    sharedId,
    runIds,
    app,
    request(as, path, init = {}) {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      headers.set("authorization", `Bearer ${TOKENS[as]}`);
      if (json !== undefined) {
        headers.set("content-type", "application/json");
        rest.body = JSON.stringify(json);
      }
      return Promise.resolve(app.request(`${MOUNT}${path}`, { ...rest, headers }));
    },
    async stop() {
      await Promise.all([fakes.a.stop(), fakes.b.stop()]);
    },
  };
}
