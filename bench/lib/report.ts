// The figures of a run: entries of results/latest.json (medians, with …Min/…Max beside them), the
// targets of issue 12 with PASS/MISS, the printed tables, and the generated part of README.md.
import type { StoreKind } from "./databases.js";
import { isTenantEntry, type TenantEntry } from "./tenants.js";

/** Median, min and max of the samples of one figure. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error("no samples");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

/** The figures measured per (n, latency, store); each becomes `key`, `keyMin`, `keyMax`. */
export const SPREAD_KEYS = [
  "wallMs",
  "firstRunWallMs",
  "fetchOnlyMs",
  "ratioSL",
  "referralsPerSec",
  "apiRequests",
  "sqlRoundTripsPerPage",
  "peakRssMb",
  "incrementalRequests",
  "incrementalWallMs",
  "baselineRatioBS",
] as const;
export type SpreadKey = (typeof SPREAD_KEYS)[number];

/** One (n, latency, store) entry of latest.json; a figure not measured for it (B outside N = 2,000) is null. */
export type SyncEntry = { n: number; latencyMs: number; store: StoreKind } & {
  [K in SpreadKey | `${SpreadKey}Min` | `${SpreadKey}Max`]: number | null;
};

/** The inbox entry: the worst of first page, filtered and search, at `n` referrals. */
export interface InboxEntry {
  n: number;
  store: StoreKind;
  inboxP50Ms: number;
  inboxP50MsMin: number;
  inboxP50MsMax: number;
  inboxP95Ms: number;
  inboxP95MsMin: number;
  inboxP95MsMax: number;
}

export type Entry = SyncEntry | InboxEntry | TenantEntry;

export function syncEntry(n: number, latencyMs: number, store: StoreKind, figures: Partial<Record<SpreadKey, Spread>>): SyncEntry {
  const entry: Record<string, number | string | null> = { n, latencyMs, store };
  for (const key of SPREAD_KEYS) {
    const value = figures[key];
    entry[key] = value?.median ?? null;
    entry[`${key}Min`] = value?.min ?? null;
    entry[`${key}Max`] = value?.max ?? null;
  }
  return entry as SyncEntry;
}

export const isInboxEntry = (entry: Entry): entry is InboxEntry => "inboxP95Ms" in entry;
const isSyncEntry = (entry: Entry): entry is SyncEntry => !isInboxEntry(entry) && !isTenantEntry(entry);

/** One target of issue 12 and how this run did against it. */
export interface TargetResult {
  target: string;
  measured: string;
  /** null when the run did not measure it (a quick run, a skipped store). */
  pass: boolean | null;
}

const fmt = (value: number | null, digits = 0): string =>
  value === null ? "—" : value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function checkTargets(entries: readonly Entry[]): TargetResult[] {
  const sync = entries.filter(isSyncEntry);
  const find = (n: number, latencyMs: number, store: StoreKind) => sync.find((e) => e.n === n && e.latencyMs === latencyMs && e.store === store);
  const results: TargetResult[] = [];
  const check = (target: string, found: Array<{ label: string; value: number | null; ok: (v: number) => boolean; digits?: number }>) => {
    const measured = found.filter((f) => f.value !== null);
    results.push({
      target,
      measured: found.map((f) => `${f.label} ${fmt(f.value, f.digits ?? 0)}`).join(", ") || "—",
      pass: measured.length === 0 ? null : measured.length === found.length ? measured.every((f) => f.ok(f.value as number)) : measured.every((f) => f.ok(f.value as number)) ? null : false,
    });
  };
  for (const store of ["postgres", "pglite"] as const) {
    check(
      `S/L at 150 ms ≤ 1.05 (${store}, 2k/10k)`,
      [2_000, 10_000].map((n) => ({ label: `${n / 1000}k`, value: find(n, 150, store)?.ratioSL ?? null, ok: (v: number) => v <= 1.05, digits: 3 })),
    );
  }
  const pg2k = find(2_000, 0, "postgres");
  check("2,000 → PostgreSQL at 0 ms: warm ≤ 400 ms", [{ label: "warm", value: pg2k?.wallMs ?? null, ok: (v) => v <= 400 }]);
  check("2,000 → PostgreSQL at 0 ms: first run ≤ 400 ms", [{ label: "first run", value: pg2k?.firstRunWallMs ?? null, ok: (v) => v <= 400 }]);
  check("S/L at 0 ms PostgreSQL 2k ≤ 2.0", [{ label: "S/L", value: pg2k?.ratioSL ?? null, ok: (v) => v <= 2, digits: 2 }]);
  const worstStatements = Math.max(...sync.map((e) => e.sqlRoundTripsPerPage ?? 0));
  check("statements per written page ≤ 3", [{ label: "worst", value: sync.length ? worstStatements : null, ok: (v) => v <= 3, digits: 2 }]);
  const worstIncremental = Math.max(...sync.map((e) => e.incrementalRequests ?? 0));
  check("no-change incremental run: 1 request", [{ label: "worst", value: sync.length ? worstIncremental : null, ok: (v) => v <= 1 }]);
  const inbox = entries.find(isInboxEntry);
  check("inbox p95 at 100k ≤ 10 ms", [{ label: "p95", value: inbox && inbox.n >= 100_000 ? inbox.inboxP95Ms : null, ok: (v) => v <= 10, digits: 1 }]);
  for (const store of ["postgres", "pglite"] as const) {
    const large = find(100_000, 0, store)?.peakRssMb ?? null;
    const small = find(10_000, 0, store)?.peakRssMb ?? null;
    check(`peak RSS 100k/10k ≤ 1.3 (${store})`, [{ label: "ratio", value: large !== null && small !== null ? large / small : null, ok: (v) => v <= 1.3, digits: 2 }]);
  }
  return results;
}

const verdict = (pass: boolean | null): string => (pass === null ? "not measured" : pass ? "PASS" : "MISS");

/** A plain-text (or Markdown) table. */
function table(header: readonly string[], rows: readonly (readonly string[])[], markdown: boolean, leftAligned = 3): string {
  if (markdown) {
    return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < leftAligned ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** "median (min–max)". */
const ranged = (entry: SyncEntry, key: SpreadKey, digits = 0): string => {
  const median = entry[key];
  if (median === null) return "—";
  const min = entry[`${key}Min`];
  const max = entry[`${key}Max`];
  return min === max ? fmt(median, digits) : `${fmt(median, digits)} (${fmt(min, digits)}–${fmt(max, digits)})`;
};

export function resultTables(entries: readonly Entry[], markdown: boolean): string {
  const sync = entries.filter(isSyncEntry);
  const rows = sync.map((e) => [
    e.n.toLocaleString("en-US"),
    `${e.latencyMs} ms`,
    e.store,
    ranged(e, "wallMs"),
    ranged(e, "firstRunWallMs"),
    ranged(e, "fetchOnlyMs"),
    ranged(e, "ratioSL", 3),
    ranged(e, "referralsPerSec"),
    fmt(e.apiRequests),
    fmt(e.sqlRoundTripsPerPage, 2),
    ranged(e, "peakRssMb"),
    fmt(e.incrementalRequests),
    ranged(e, "incrementalWallMs"),
    ranged(e, "baselineRatioBS", 1),
  ]);
  const header = ["n", "latency", "store", "S ms", "first run ms", "L ms", "S/L", "referrals/s", "requests", "stmt/page", "peak RSS MB", "incr. req", "incr. ms", "B/S"];
  const parts = [table(header, rows, markdown)];
  const inbox = entries.find(isInboxEntry);
  if (inbox) {
    parts.push(
      table(
        ["inbox", "n", "store", "p50 ms", "p95 ms"],
        [["worst of first page, filtered, search", inbox.n.toLocaleString("en-US"), inbox.store, `${fmt(inbox.inboxP50Ms, 2)} (${fmt(inbox.inboxP50MsMin, 2)}–${fmt(inbox.inboxP50MsMax, 2)})`, `${fmt(inbox.inboxP95Ms, 2)} (${fmt(inbox.inboxP95MsMin, 2)}–${fmt(inbox.inboxP95MsMax, 2)})`]],
        markdown,
      ),
    );
  }
  const tenantRows = entries.filter(isTenantEntry);
  if (tenantRows.length > 0) parts.push(tenantTable(tenantRows, markdown));
  const targets = checkTargets(entries);
  parts.push(table(["target", "measured", "result"], targets.map((t) => [t.target, t.measured, verdict(t.pass)]), markdown, 3));
  return parts.join("\n\n");
}

/** The tenant row: wall time per worker-process count, against the ideal, and the connections used. */
export function tenantTable(rows: readonly TenantEntry[], markdown: boolean): string {
  return table(
    ["tenants", "n", "latency", "processes × jobs", "wall ms", "ideal ms", "wall/ideal", "peak connections"],
    rows.map((e) => [
      fmt(e.tenants),
      e.n.toLocaleString("en-US"),
      `${e.latencyMs} ms`,
      `${e.processes} × ${e.concurrencyPerProcess}`,
      fmt(e.tenantsWallMs),
      fmt(e.idealMs),
      fmt(e.ratioToIdeal, 2),
      fmt(e.peakConnections),
    ]),
    markdown,
    4,
  );
}
