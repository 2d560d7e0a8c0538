// Every public factory of core checks its options object the same way: durations must fit a
// timer, unknown keys (typos) and wrong types are refused, and one ConfigError names each path.
import { join } from "node:path";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import {
  createDnsProviderScanner,
  createEventEmitter,
  createFileTokenCache,
  createMemoryStore,
  createMsalTokenProvider,
  createPartnerCenterClient,
  createScheduler,
  createStaticTokenProvider,
  createSyncEngine,
  type ConfigIssue,
} from "../src/index.js";
import { PcReferralsError } from "../src/errors.js";
import { createFakeEntra, generateReferrals, startFakePartnerCenter } from "../src/testing/index.js";

const MAX = 2 ** 31 - 1;
const UNKNOWN = "unknown option: check the spelling against the documented options";

type Options = Record<string, unknown>;
type Make = (extra: Options) => unknown;

const tokenProvider = createStaticTokenProvider("token");
const client = (extra: Options) => createPartnerCenterClient({ tokenProvider, ...extra } as never);
const engine = (extra: Options) =>
  createSyncEngine({ client: { listReferrals: async function* () {} }, store: createMemoryStore(), ...extra } as never);
const scheduler = (extra: Options) => createScheduler({ run: async () => ({}) as never }, extra as never);
const dns = (extra: Options) => createDnsProviderScanner(extra as never);
const fakePartnerCenter = async (extra: Options) => {
  const fake = await startFakePartnerCenter(extra as never);
  await fake.stop();
};

/** The issues of the ConfigError that `make` throws or rejects with. */
async function issuesOf(make: () => unknown): Promise<ConfigIssue[]> {
  let thrown: unknown;
  try {
    await make();
  } catch (error) {
    thrown = error;
  }
  expect(PcReferralsError.hasCode(thrown, "config_invalid")).toBe(true);
  return [...(thrown as { issues: ConfigIssue[] }).issues];
}

describe("item 9: every duration option fits in setTimeout", () => {
  const durations: Array<[string, (value: number) => unknown, number]> = [
    ["createPartnerCenterClient.timeoutMs", (v) => client({ timeoutMs: v }), 1],
    ["createPartnerCenterClient.minIntervalMs", (v) => client({ minIntervalMs: v }), 0],
    ["createPartnerCenterClient.retry.maxTotalWaitMs", (v) => client({ retry: { maxTotalWaitMs: v } }), 0],
    ["createPartnerCenterClient.retry.baseDelayMs", (v) => client({ retry: { baseDelayMs: v } }), 0],
    ["createPartnerCenterClient.retry.maxDelayMs", (v) => client({ retry: { maxDelayMs: v } }), 0],
    ["createSyncEngine.overlapMs", (v) => engine({ overlapMs: v }), 0],
    ["createSyncEngine.lockTtlMs", (v) => engine({ lockTtlMs: v }), 1],
    ["createSyncEngine.scanTimeoutMs", (v) => engine({ scanTimeoutMs: v }), 1],
    ["createScheduler.intervalMs", (v) => scheduler({ intervalMs: v }), 1],
    ["createScheduler.jitterMs", (v) => scheduler({ jitterMs: v }), 0],
    ["createScheduler.maxQueueAgeMs", (v) => scheduler({ maxQueueAgeMs: v }), 1],
    ["createDnsProviderScanner.timeoutMs", (v) => dns({ timeoutMs: v }), 1],
    ["startFakePartnerCenter.latencyMs", (v) => fakePartnerCenter({ latencyMs: v }), 0],
    ["faults.0.delayMs", (v) => fakePartnerCenter({ faults: [{ kind: "slow", delayMs: v }] }), 0],
  ];

  it.each(durations.flatMap(([path, make, min]) => [2 ** 31, 1e12, min - 1, 1.5].map((value) => [path, value, make, min] as const)))(
    "%s = %d is a config_invalid that states the range",
    async (path, value, make, min) => {
      expect(await issuesOf(() => make(value))).toEqual([
        { path, message: `expected a whole number of milliseconds from ${min} to ${MAX} (about 24.8 days)` },
      ]);
    },
  );

  it.each(durations)("%s accepts the largest timer, 2147483647 ms", async (_path, make) => {
    const made = await make(MAX);
    await (made as { close?: () => Promise<void> } | undefined)?.close?.();
  });
});

describe("item 11: option typos and wrong types are refused, naming each path", () => {
  // [label, factory, a misspelt key, an option of the wrong type]
  const factories: Array<[string, Make, string, Options]> = [
    ["createPartnerCenterClient", client, "timeout", { minIntervalMs: "0" }],
    ["createPartnerCenterClient.retry", (o) => client({ retry: o }), "maxAttempt", { maxAttempts: "4" }],
    ["createSyncEngine", engine, "lockTtl", { enabled: "yes" }],
    ["createScheduler", scheduler, "interval", { runOnStart: 1 }],
    ["createDnsProviderScanner", dns, "timeout", { resolver: "8.8.8.8" }],
    ["createMemoryStore", (o) => createMemoryStore(o as never), "clock", { now: 5 }],
    ["createEventEmitter", (o) => createEventEmitter(o as never), "onError", { now: "2025-01-01" }],
    ["createFileTokenCache", (o) => createFileTokenCache(join(tmpdir(), "never-written.json"), o as never), "encryptionkey", { logger: "console" }],
    ["createMsalTokenProvider", (o) => createMsalTokenProvider({ clientId: "app", ...o } as never), "tenant", { scopes: "openid" }],
    ["startFakePartnerCenter", fakePartnerCenter, "latency", { requireAuth: "no" }],
    ["faults.0", (o) => fakePartnerCenter({ faults: [{ kind: "slow", ...o }] }), "delay", { times: "2" }],
    ["createFakeEntra", (o) => createFakeEntra(o as never), "tenant", { autoApproveDeviceCodes: "yes" }],
    ["generateReferrals", (o) => generateReferrals(1, o as never), "seeds", { seed: "1" }],
  ];

  it.each(factories)("%s lists the unknown key and the wrong type in one ConfigError", async (label, make, typo, wrong) => {
    const issues = await issuesOf(() => make({ [typo]: 1, ...wrong }));
    const [wrongKey] = Object.keys(wrong);
    expect(issues.map((i) => i.path).sort()).toEqual([`${label}.${typo}`, `${label}.${wrongKey}`].sort());
    expect(issues.find((i) => i.path === `${label}.${typo}`)?.message).toBe(UNKNOWN);
  });

  it("createStaticTokenProvider (a token, not an options object) refuses a wrong type", async () => {
    expect((await issuesOf(() => createStaticTokenProvider(42 as never))).map((i) => i.path)).toEqual(["createStaticTokenProvider.token"]);
  });
});
