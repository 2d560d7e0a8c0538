// The worker's test bench: pg-boss on embedded PGlite (through pg-store's createPgBossDb), one fake
// Partner Center per tenant (the same referral ids in each, as co-sells shared by partners).
import {
  createMemoryStore,
  createMsalTokenProvider,
  createPartnerCenterClient,
  createStaticTokenProvider,
  createSyncEngine,
  type PartnerCenterClient,
  type TenantRegistry,
} from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter, type FakePartnerCenter, type FaultRule } from "@pc-referrals/core/testing";
import { createPgBossDb, createPgStore, type PgStore } from "@pc-referrals/pg-store";
import PgBoss from "pg-boss";
import type { TenantWorker, TenantWorkerEventMap, TenantWorkerEventName } from "../../src/index.js";

export interface BossOnPGlite {
  store: PgStore;
  boss: PgBoss;
  errors: Error[];
  stop(): Promise<void>;
}

/** pg-boss 10 on a fresh in-memory PGlite, started, with short maintenance for expiry tests. */
export async function startBossOnPGlite(options: { store?: PgStore; schema?: string } = {}): Promise<BossOnPGlite> {
  const store = options.store ?? createPgStore({ dataDir: "memory://" });
  const boss = new PgBoss({ db: createPgBossDb(store), schema: options.schema ?? "pgboss", maintenanceIntervalSeconds: 1 });
  const errors: Error[] = [];
  boss.on("error", (error) => errors.push(error));
  await boss.start();
  return {
    store,
    boss,
    errors,
    async stop() {
      await boss.stop({ graceful: false, close: false, wait: true, timeout: 2000 });
      if (!options.store) await store.close();
    },
  };
}

export interface TenantFake {
  id: string;
  fake: FakePartnerCenter;
  client: PartnerCenterClient;
  /** The static access token, for clients in other processes (null with a real login). */
  token: string | null;
  /** Revokes the login: refresh tokens fail and the access token in use expires. */
  revoke(): void;
}

/** Few quick client retries: the worker's job retries are what the tests look at. */
const QUICK_RETRY = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, maxTotalWaitMs: 50 };

/**
 * A fake Partner Center for one tenant with a static access token (2 h). `revoke()` moves the
 * fake's clock past its expiry: the next request answers 401 twice, `auth_required`.
 */
export async function startTenantFake(id: string, count: number, options: { faults?: FaultRule[]; latencyMs?: number } = {}): Promise<TenantFake> {
  let offsetMs = 0;
  const fake = await startFakePartnerCenter({
    referrals: generateReferrals(count, { seed: 14 }),
    faults: options.faults ?? [],
    latencyMs: options.latencyMs ?? 0,
    now: () => Date.now() + offsetMs,
  });
  const token = fake.entra.issueAccessToken({ expiresInSeconds: 7_200 });
  const client = createPartnerCenterClient({ baseUrl: fake.url, tokenProvider: createStaticTokenProvider(token), retry: QUICK_RETRY });
  return {
    id,
    fake,
    client,
    token,
    revoke() {
      fake.entra.revokeRefreshTokens();
      offsetMs += 3 * 60 * 60_000;
    },
  };
}

/**
 * A fake Partner Center for one tenant with a real msal-node device-code login against its fake
 * Entra ID. `revoke()` revokes the refresh tokens and moves the fake's clock past the access
 * token's expiry, so the next request answers 401 and the refresh fails: `auth_required`.
 */
export async function startTenantFakeWithLogin(id: string, count: number): Promise<TenantFake> {
  let offsetMs = 0;
  const fake = await startFakePartnerCenter({ referrals: generateReferrals(count, { seed: 14 }), now: () => Date.now() + offsetMs });
  const tokenProvider = createMsalTokenProvider({ ...fake.tokenProviderOptions });
  await tokenProvider.loginWithDeviceCode(() => {
    fake.approveDeviceCodes();
  });
  const client = createPartnerCenterClient({ baseUrl: fake.url, tokenProvider, retry: QUICK_RETRY });
  return {
    id,
    fake,
    client,
    token: null,
    revoke() {
      fake.entra.revokeRefreshTokens();
      offsetMs += 3 * 60 * 60_000;
    },
  };
}

const ingestedByCount = new Map<number, Promise<number>>();

/** How many of `generateReferrals(count)` a plain sync stores (the rest are filtered out): the per-tenant oracle. */
export function expectedIngested(count: number): Promise<number> {
  let found = ingestedByCount.get(count);
  if (!found) {
    found = (async () => {
      const fake = await startTenantFake("oracle", count);
      try {
        const store = createMemoryStore();
        await createSyncEngine({ client: fake.client, store, enabled: true }).run({ trigger: "manual" });
        return (await store.queryInbox({ pageSize: 1 })).total;
      } finally {
        await fake.fake.stop();
      }
    })();
    ingestedByCount.set(count, found);
  }
  return found;
}

export async function addTenants(registry: TenantRegistry, ids: readonly string[], intervalMs = 3_600_000): Promise<void> {
  for (const id of ids) await registry.put({ id, intervalMs });
}

/** Collects a worker's events of the given names, in order. */
export function recordEvents<K extends TenantWorkerEventName>(worker: TenantWorker, names: readonly K[]) {
  const seen: Array<{ type: K; payload: TenantWorkerEventMap[K] }> = [];
  for (const type of names) worker.on(type, (payload) => seen.push({ type, payload }));
  return seen;
}

/** Polls `check` until it holds (vitest's `vi.waitFor` with a longer default). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
