// Shared set-up of the engine tests: the fake Partner Center over real HTTP, the real client,
// the memory store (wrapped in a counting Proxy, not a mock) and an event log.
import type { FaultRule } from "../src/testing/faults.js";
import { startFakePartnerCenter, type FakePartnerCenter } from "../src/testing/fake-partner-center.js";
import { createPartnerCenterClient } from "../src/client/partner-center-client.js";
import type { PartnerCenterClient, TokenProvider } from "../src/client/types.js";
import type { SyncEvent, SyncEventName, SyncEventOf } from "../src/events.js";
import type { Logger } from "../src/logger.js";
import { parseReferral } from "../src/referral.js";
import { extractDomain } from "../src/rules/domain.js";
import { evaluateFilter } from "../src/rules/filter.js";
import { createMemoryStore, type MemoryStore } from "../src/store/memory-store.js";
import type { BatchOutcome, ProcessedPage } from "../src/store/store.js";
import { createSyncEngine, type SyncEngine } from "../src/sync/engine.js";
import type { SyncEngineOptions } from "../src/sync/engine-options.js";

/** What the counting proxy saw the real store write. */
export interface WriteCounts {
  applyBatchCalls: number;
  inserted: number;
  updated: number;
  unchanged: number;
  stale: number;
  companies: number;
  /** Rows created or changed: inserted + updated referrals + company upserts. */
  readonly rows: number;
}

/**
 * Wraps a store in a Proxy that counts every method call by name and tallies what `applyBatch`
 * really did; `failures` lets a test break calls.
 */
export function countingStore(inner: MemoryStore) {
  const calls: Record<string, number> = {};
  const writes: WriteCounts = {
    applyBatchCalls: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    stale: 0,
    companies: 0,
    get rows() {
      return this.inserted + this.updated + this.companies;
    },
  };
  const failures: { applyBatch?: (page: ProcessedPage, call: number) => Error | null } = {};
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== "string" || typeof value !== "function") return value;
      if (prop !== "applyBatch") {
        return (...args: unknown[]) => {
          calls[prop] = (calls[prop] ?? 0) + 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return async (page: ProcessedPage): Promise<BatchOutcome> => {
        calls[prop] = (calls[prop] ?? 0) + 1;
        writes.applyBatchCalls += 1;
        const failure = failures.applyBatch?.(page, writes.applyBatchCalls);
        if (failure) throw failure;
        const outcome = await target.applyBatch(page);
        for (const r of outcome.referrals) writes[r.outcome] += 1;
        writes.companies += page.companies.length;
        return outcome;
      };
    },
  });
  return { store, writes, failures, calls };
}

/** A logger that keeps every line. */
export function recordingLogger() {
  const lines: Array<{ level: string; msg: string | undefined; obj: object }> = [];
  const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, msg, obj });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

/** The ids a correct sync must store: valid, passing the default filter, with a company domain. */
export function expectedIngestedIds(payloads: readonly unknown[]): Set<string> {
  const ids = new Set<string>();
  for (const payload of payloads) {
    const parsed = parseReferral(payload);
    if (!parsed.ok || !evaluateFilter(parsed.referral).ingest) continue;
    if (extractDomain(parsed.referral).domain !== null) ids.add(parsed.referral.id);
  }
  return ids;
}

/** The newest valid `updatedDateTime` of the payloads, as the store writes a cursor (ISO, ms). */
export function newestUpdatedAt(payloads: readonly unknown[]): string {
  let newest = -Infinity;
  for (const payload of payloads) {
    const parsed = parseReferral(payload);
    const ms = parsed.ok ? Date.parse(parsed.referral.updatedDateTime ?? "") : NaN;
    if (!Number.isNaN(ms)) newest = Math.max(newest, ms);
  }
  return new Date(newest).toISOString();
}

export interface Harness {
  fake: FakePartnerCenter;
  client: PartnerCenterClient;
  memory: MemoryStore;
  store: MemoryStore;
  writes: WriteCounts;
  /** Calls the engine made to the store, by method name (tests reading `memory` are not counted). */
  storeCalls: Record<string, number>;
  failures: ReturnType<typeof countingStore>["failures"];
  engine: SyncEngine;
  events: SyncEvent[];
  logLines: ReturnType<typeof recordingLogger>["lines"];
  /** Domains the default recording scanner was asked to scan. */
  scannedDomains: string[];
  /** Events of one type (optionally of one run). */
  eventsOf<K extends SyncEventName>(type: K, runId?: string): Array<SyncEventOf<K>>;
  /** Another engine on the same store and fake. */
  secondEngine(options?: Partial<SyncEngineOptions>): SyncEngine;
  /** Every referral id the store holds (paging through the inbox). */
  storedIds(): Promise<string[]>;
  close(): Promise<void>;
}

/** Starts a fake with `referrals`, a client, a counting memory store and an enabled engine. */
export async function startHarness(init: {
  referrals: readonly unknown[];
  faults?: readonly FaultRule[];
  latencyMs?: number;
  filterComparisons?: boolean;
  tokenProvider?: (fake: FakePartnerCenter) => TokenProvider;
  engine?: Partial<SyncEngineOptions>;
}): Promise<Harness> {
  const fake = await startFakePartnerCenter({
    referrals: init.referrals,
    ...(init.faults ? { faults: init.faults } : {}),
    ...(init.latencyMs === undefined ? {} : { latencyMs: init.latencyMs }),
    ...(init.filterComparisons === undefined ? {} : { filterComparisons: init.filterComparisons }),
  });
  const tokenProvider = init.tokenProvider?.(fake) ?? { getAccessToken: async () => fake.entra.issueAccessToken() };
  const engines: SyncEngine[] = [];
  const client = createPartnerCenterClient({
    tokenProvider,
    baseUrl: fake.url,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    // Retry-After is honoured through this injected sleep, so throttling costs no wall-clock time.
    sleep: async (_ms, signal) => signal?.throwIfAborted(),
    onRetry: (notice) => engines.forEach((e) => e.handleRetryNotice(notice)),
  });
  const memory = createMemoryStore();
  // The default scanner only records, so scan claims happen as they would in a host with a scanner.
  const scannedDomains: string[] = [];
  const recordingScanner = { scan: async (domain: string) => void scannedDomains.push(domain) };
  const { store, writes, failures, calls } = countingStore(memory);
  const { logger, lines } = recordingLogger();
  const make = (options?: Partial<SyncEngineOptions>) => {
    const engine = createSyncEngine({ client, store, enabled: true, logger, scanner: recordingScanner, ...init.engine, ...options });
    engines.push(engine);
    return engine;
  };
  const engine = make();
  const events: SyncEvent[] = [];
  engine.onAny((e) => events.push(e));
  return {
    fake,
    client,
    memory,
    store,
    writes,
    storeCalls: calls,
    failures,
    engine,
    events,
    logLines: lines,
    scannedDomains,
    eventsOf: (type, runId) =>
      events.filter((e) => e.type === type && (runId === undefined || ("runId" in e && e.runId === runId))) as never,
    secondEngine: make,
    async storedIds() {
      const ids: string[] = [];
      for (let page = 1; ; page += 1) {
        const result = await memory.queryInbox({ page, pageSize: 500 });
        ids.push(...result.items.map((r) => r.referralId));
        if (ids.length >= result.total || result.items.length === 0) return ids;
      }
    },
    async close() {
      await client.close();
      await fake.stop();
    },
  };
}
