// One end-to-end sync measured the same way for every store: the fake Partner Center (in its own
// process) → client with a static token → engine → the store under test. pg-store's bench reuses it.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createPartnerCenterClient, createStaticTokenProvider, createSyncEngine, type Store } from "../../src/index.js";
import type { FakeServerMessage, FakeServerRequest } from "./fake-server.js";
import { settledHeap, startMemorySampler, toMB, type Figure } from "./kit.js";

/** The seeds' goal: 2,000 referrals synced in under 5 minutes. */
export const SEED_TARGET = { count: 2_000, ms: 5 * 60_000 };

/** A fake Partner Center running in a child process. */
export interface FakeProcess {
  url: string;
  token: string;
  /** API requests the fake has received so far. */
  requests(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts fake-server.ts serving `generateReferrals(count, { seed })`. */
export async function startFakeProcess(count: number, seed: number): Promise<FakeProcess> {
  const file = fileURLToPath(new URL("./fake-server.ts", import.meta.url));
  const child = fork(file, [String(count), String(seed)], { execArgv: process.execArgv.filter((a) => a !== "--expose-gc") });
  const exited = new Promise<never>((_, reject) => child.on("exit", (code) => reject(new Error(`fake server exited (${code})`))));
  exited.catch(() => {});
  const next = <T extends FakeServerMessage["type"]>(type: T) =>
    Promise.race([
      new Promise<Extract<FakeServerMessage, { type: T }>>((resolve) => {
        const listener = (message: FakeServerMessage) => {
          if (message.type !== type) return;
          child.off("message", listener);
          resolve(message as Extract<FakeServerMessage, { type: T }>);
        };
        child.on("message", listener);
      }),
      exited,
    ]);
  const ask = (request: FakeServerRequest) => child.send(request);
  const ready = await next("ready");
  return {
    url: ready.url,
    token: ready.token,
    async requests() {
      const answer = next("stats");
      ask({ type: "stats" });
      return (await answer).requests;
    },
    async stop() {
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      ask({ type: "stop" });
      await gone;
    },
  };
}

/** Options of {@link benchSync}. */
export interface SyncBenchOptions {
  /** Label of the table rows, e.g. `sync memory`. */
  bench: string;
  count: number;
  seed?: number;
  store: Store;
  /** Statements sent to the database so far, when the caller can count them. */
  statements?: () => number;
}

/** A full sync of `count` referrals, then an incremental one with nothing new; returns the figures. */
export async function benchSync(options: SyncBenchOptions): Promise<Figure[]> {
  const { count, store, statements } = options;
  const bench = `${options.bench} ${count.toLocaleString("en-US")}`;
  const fake = await startFakeProcess(count, options.seed ?? 42);
  const client = createPartnerCenterClient({ tokenProvider: createStaticTokenProvider(fake.token), baseUrl: fake.url });
  const engine = createSyncEngine({ client, store, enabled: true });
  try {
    const settledBefore = settledHeap();
    const requestsBefore = await fake.requests();
    const statementsBefore = statements?.() ?? 0;
    const sampler = startMemorySampler();
    const started = performance.now();
    const full = await engine.run({ trigger: "manual", full: true });
    const fullMs = performance.now() - started;
    const memory = sampler.stop();
    if (full.status === "failed") throw new Error(`full sync failed: ${JSON.stringify(full.errors.slice(0, 3))}`);
    const fullStatements = (statements?.() ?? 0) - statementsBefore;
    const fullRequests = (await fake.requests()) - requestsBefore;
    const settledAfter = settledHeap();

    const incStarted = performance.now();
    const incremental = await engine.run({ trigger: "manual" });
    const incMs = performance.now() - incStarted;
    if (incremental.status === "failed") throw new Error(`incremental sync failed: ${JSON.stringify(incremental.errors.slice(0, 3))}`);
    const incRequests = (await fake.requests()) - requestsBefore - fullRequests;
    const pages = full.counts.pages;

    const figures: Figure[] = [
      {
        bench,
        metric: "full sync wall time",
        value: fullMs / 1000,
        unit: "s",
        digits: 2,
        ...(count === SEED_TARGET.count && { target: { text: "< 300 s (seeds)", pass: fullMs < SEED_TARGET.ms } }),
      },
      { bench, metric: "throughput", value: (count / fullMs) * 1000, unit: "referrals/s", digits: 0 },
      { bench, metric: "pages / API requests", value: pages, unit: `pages / ${fullRequests} req`, digits: 0 },
    ];
    if (statements) figures.push({ bench, metric: "DB statements per page", value: fullStatements / pages, unit: "stmt", digits: 1 });
    figures.push(
      { bench, metric: "peak RSS", value: toMB(memory.peakRss), unit: "MB" },
      { bench, metric: "peak heap Δ during run", value: toMB(memory.peakHeap - memory.baseHeap), unit: "MB" },
    );
    if (settledBefore !== null && settledAfter !== null) {
      figures.push({ bench, metric: "retained heap Δ after gc", value: toMB(settledAfter - settledBefore), unit: "MB" });
    }
    figures.push(
      { bench, metric: "incremental run", value: incMs, unit: "ms", digits: 0 },
      {
        bench,
        metric: "incremental pages / API requests",
        value: incremental.counts.pages,
        unit: `pages / ${incRequests} req`,
        digits: 0,
        // The engine stops at the page holding the first item older than mark − overlap (docs/architecture.md "The incremental mark").
        target: { text: "1 page", pass: incremental.counts.pages <= 1 },
      },
    );
    return figures;
  } finally {
    await client.close();
    await fake.stop();
  }
}
