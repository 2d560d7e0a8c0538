// Shared set-up of the route tests: the fake Partner Center over real HTTP, the real client and
// engine, the memory store, and the routes mounted in a host app as the README shows.
import {
  createMemoryStore,
  createPartnerCenterClient,
  createReferralActions,
  createStaticTokenProvider,
  createSyncEngine,
  type MemoryStore,
  type SyncEngine,
  type TokenProvider,
} from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter, type FakePartnerCenter } from "@pc-referrals/core/testing";
import { Hono } from "hono";
import { createReferralRoutes } from "../src/index.js";
import type { ReferralRoutesOptions } from "../src/index.js";

/** Where the tests mount the routes. */
export const MOUNT = "/api/referrals";
/** The bearer token the host's (test) auth accepts. */
export const HOST_TOKEN = "host-session-token";

/** The host's own check: a bearer token, else 401; the wrong one, 403. */
export const bearerAuthorize: NonNullable<Extract<ReferralRoutesOptions, { authorize: unknown }>["authorize"]> = (c) => {
  const header = c.req.header("authorization");
  if (header === undefined) return c.json({ error: "sign in" }, 401, { "www-authenticate": "Bearer" });
  return header === `Bearer ${HOST_TOKEN}`;
};

export interface HarnessOptions {
  count?: number;
  seed?: number;
  enabled?: boolean;
  latencyMs?: number;
  referrals?: unknown[];
  tokenProvider?: TokenProvider;
  store?: MemoryStore;
  /** Pass `actions: createReferralActions({ client, store, engine })` to the routes (write-back). */
  actions?: boolean;
  /** The engine's `writeBack.setExternalReferenceOnLink`. */
  writeBackOnLink?: boolean;
  routes?: Partial<Omit<ReferralRoutesOptions, "engine" | "store">>;
}

export interface Harness {
  fake: FakePartnerCenter;
  store: MemoryStore;
  engine: SyncEngine;
  app: Hono;
  /** A request to `<MOUNT><path>` with the host token (pass `authorization: null` to omit it). */
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const referrals = options.referrals ?? generateReferrals(options.count ?? 60, { seed: options.seed ?? 11 });
  const fake = await startFakePartnerCenter({ referrals, ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }) });
  const tokenProvider = options.tokenProvider ?? createStaticTokenProvider(fake.entra.issueAccessToken());
  const client = createPartnerCenterClient({ baseUrl: fake.url, tokenProvider });
  const store = options.store ?? createMemoryStore();
  const writeBack = options.writeBackOnLink === true ? { writeBack: { setExternalReferenceOnLink: true } } : {};
  const engine = createSyncEngine({ client, store, enabled: options.enabled ?? true, ...writeBack });
  const actions = options.actions === true ? { actions: createReferralActions({ client, store, engine }) } : {};
  const app = new Hono();
  app.route(MOUNT, createReferralRoutes({ engine, store, authorize: bearerAuthorize, ...actions, ...options.routes } as ReferralRoutesOptions));
  return {
    fake,
    store,
    engine,
    app,
    request(path, init = {}) {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (!headers.has("authorization")) headers.set("authorization", `Bearer ${HOST_TOKEN}`);
      if (headers.get("authorization") === "") headers.delete("authorization");
      if (json !== undefined) {
        headers.set("content-type", "application/json");
        rest.body = JSON.stringify(json);
      }
      return Promise.resolve(app.request(`${MOUNT}${path}`, { ...rest, headers }));
    },
    async stop() {
      await fake.stop();
    },
  };
}

/** Runs one sync to the end through the route, so the store has rows. */
export async function syncThroughRoute(h: Harness): Promise<Record<string, unknown>> {
  const res = await h.request("/sync?wait=true", { method: "POST", json: {} });
  if (res.status !== 200) throw new Error(`sync failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}
