// The service as `pnpm start` runs it: the fake Partner Center (no credentials needed), the memory
// store, the engine with its scheduler, and the host app on a real Node server.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { type Store, createMemoryStore, createPartnerCenterClient, createScheduler, createStaticTokenProvider, createSyncEngine } from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter } from "@pc-referrals/core/testing";
import { createHostApp, type Lead } from "./app.js";

export interface HostService {
  url: string;
  user: string;
  password: string;
  stop(): Promise<void>;
}

/**
 * Stands in for the host's CRM: a few companies Partner Center referred (read back from the store
 * once a sync ran) and one it never did, which shows no badge.
 */
async function demoLeads(store: Store): Promise<Lead[]> {
  const { items } = await store.listReferralDomains({ pageSize: 6 });
  const referred = await Promise.all(
    items.map(async (row) => ({ company: (await store.getReferral(row.latestReferralId))?.customerName ?? row.domain, domain: row.domain })),
  );
  return [...referred, { company: "Acme Own Lead Ltd", domain: "acme-own-lead.example" }];
}

export async function startHostService(options: { port?: number; host?: string; password?: string } = {}): Promise<HostService> {
  const referrals = generateReferrals(300, { seed: 42 });
  const fake = await startFakePartnerCenter({ referrals });
  const store = createMemoryStore();
  const client = createPartnerCenterClient({ baseUrl: fake.url, tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()) });
  const engine = createSyncEngine({ client, store, enabled: true });
  const scheduler = createScheduler(engine, { intervalMs: 60_000, runOnStart: true });
  const user = "demo";
  const password = options.password ?? randomBytes(9).toString("base64url");
  const app = createHostApp({
    engine,
    store,
    scheduler,
    session: { secret: randomBytes(32).toString("hex"), users: new Map([[user, password]]) },
    leads: () => demoLeads(store),
  });
  scheduler.start();
  const server: ServerType = serve({ fetch: app.fetch, hostname: options.host ?? "127.0.0.1", port: options.port ?? 8788 });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once("listening", () => resolve())));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    user,
    password,
    async stop() {
      await scheduler.stop();
      // Open event streams of the inbox page would keep the server from closing.
      if ("closeAllConnections" in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client.close();
      await fake.stop();
    },
  };
}
