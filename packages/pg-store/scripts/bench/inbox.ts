// Inbox reads at scale (issue 12 item 8): p50/p95 of the first page, a status + type filter, and a
// search with a 3+ character needle (trigram index) and a 1–2 character one (no trigram: scans),
// each the whole `queryInbox` call as a host makes it (page and exact total).
// Run alone: `tsx --conditions=@pc-referrals/source scripts/bench/inbox.ts pg|pglite [n]`. The n
// referrals are loaded once through the store's applyBatch into a schema (PostgreSQL) or folder
// (PGlite) that is kept between runs, so a rerun, or a newer version's migrate(), only measures.
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InboxQuery, ProcessedReferral, ReferralType, Store } from "@pc-referrals/core";
import { report, type Figure } from "../../../core/scripts/bench/kit.js";
import { createPgStore } from "../../src/index.js";
import { benchDatabaseUrl } from "./database-url.js";

/** Milliseconds of one measured query: the median and the 95th percentile. */
export interface Percentiles {
  p50: number;
  p95: number;
}

/** What {@link benchInbox} measures, in ms. */
export interface InboxBench {
  firstPage: Percentiles;
  /** status `active` and type `co-sell`. */
  filtered: Percentiles;
  /** `q` of four characters (the trigram index applies). */
  search: Percentiles;
  /** `q` of two characters (too short for trigrams: a scan). */
  searchShort: Percentiles;
}

const TYPES: ReferralType[] = ["co-sell", "marketplace", "solution-provider"];
const STATUSES = ["New", "Active", "Closed", "Active", "New"];
const LINKS = ["auto_linked", "multi_candidate", "unlinked"] as const;
const PAGE = 500;
const WARM_UPS = 5;
const RUNS = 40;

export const QUERIES: Record<keyof InboxBench, InboxQuery> = {
  firstPage: {},
  filtered: { status: "active", referralType: "co-sell" },
  search: { q: "4242" },
  searchShort: { q: "7e" },
};

const hex = (i: number): string => ((i * 2654435761) >>> 0).toString(16).padStart(8, "0");

/** The i-th bench referral (every type, status and automatic link status; one in 50 without a remote time). */
function benchReferral(i: number): ProcessedReferral {
  const referralId = `bench-${String(i).padStart(7, "0")}`;
  const domain = `domain${i % 20_000}.example`;
  const customerName = `Customer ${i} ${hex(i)}`;
  const remoteUpdatedAt = i % 50 === 0 ? null : new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
  const status = STATUSES[Math.floor(i / 3) % 5] as string;
  return {
    referralId,
    referralType: TYPES[i % 3] as ReferralType,
    typeEvidence: "bench",
    status,
    substatus: "Pending",
    direction: "Incoming",
    customerName,
    domain,
    domainSource: "email",
    contactEmail: `buyer@${domain}`,
    website: null,
    azureTenantId: null,
    scoring: { score: null, segment: null, reasons: [] },
    link: { status: LINKS[i % 3] as (typeof LINKS)[number], companyId: null, candidateIds: [] },
    contentHash: `h${i}`,
    remoteUpdatedAt,
    payload: { id: referralId, status, customerProfile: { name: customerName } },
  };
}

/** Loads referrals through `store.applyBatch` until the inbox holds at least `n`. */
async function load(store: Store, n: number, log: (text: string) => void): Promise<void> {
  const have = (await store.queryInbox({ pageSize: 1 })).total;
  if (have >= n) return;
  log(`loading ${n - have} referrals through applyBatch (kept for the next run)…`);
  for (let start = have; start < n; start += PAGE) {
    const referrals = Array.from({ length: Math.min(PAGE, n - start) }, (_, k) => benchReferral(start + k));
    await store.applyBatch({ runId: "bench-inbox", syncedAt: new Date().toISOString(), referrals, companies: [] });
  }
}

function percentiles(times: number[]): Percentiles {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return { p50: at(0.5), p95: at(0.95) };
}

/**
 * Loads the store up to `n` referrals (when it holds fewer), then times each inbox query:
 * warm-ups, then `runs` calls in sequence. The store must be migrated.
 */
export async function benchInbox(options: { store: Store; n: number; runs?: number; log?: (text: string) => void }): Promise<InboxBench> {
  const { store, n } = options;
  await load(store, n, options.log ?? (() => {}));
  const measure = async (query: InboxQuery): Promise<Percentiles> => {
    const times: number[] = [];
    for (let i = 0; i < WARM_UPS + (options.runs ?? RUNS); i++) {
      const start = performance.now();
      await store.queryInbox(query);
      if (i >= WARM_UPS) times.push(performance.now() - start);
    }
    return percentiles(times);
  };
  return {
    firstPage: await measure(QUERIES.firstPage),
    filtered: await measure(QUERIES.filtered),
    search: await measure(QUERIES.search),
    searchShort: await measure(QUERIES.searchShort),
  };
}

async function main(): Promise<void> {
  const backend = process.argv[2] === "pglite" ? "pglite" : "pg";
  const n = Number(process.argv[3] ?? 100_000);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error("usage: inbox.ts pg|pglite [n]");
  const schema = `pcr_bench_inbox_${n}`;
  const dataDir = join(tmpdir(), `pcr-bench-inbox-pglite-${n}`);
  const store =
    backend === "pg"
      ? createPgStore({ connectionString: benchDatabaseUrl(), schema })
      : createPgStore({ dataDir, schema });
  const log = (text: string): void => console.error(text);
  try {
    if (backend === "pglite" && existsSync(dataDir)) log(`reusing ${dataDir}`);
    await store.migrate();
    const result = await benchInbox({ store, n, log });
    const bench = `inbox ${backend} ${n}`;
    const figures: Figure[] = Object.entries(result).flatMap(([name, p]: [string, Percentiles]) => [
      { bench, metric: `${name} p50`, value: p.p50, unit: "ms" },
      { bench, metric: `${name} p95`, value: p.p95, unit: "ms", target: { text: "≤ 10 ms", pass: p.p95 <= 10 } },
    ]);
    await report(figures);
  } finally {
    await store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
