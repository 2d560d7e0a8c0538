// Shared by every bench script: figures, memory sampling, and a runner that forks each bench in its
// own process (clean peak RSS, `--expose-gc`) and prints one table. pg-store's benches reuse it.
import { fork } from "node:child_process";

/** One printed figure; `target` is set only where a goal exists (seeds, brief). */
export interface Figure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  /** Decimals shown; default 1. */
  digits?: number;
  target?: { text: string; pass: boolean };
}

/** What a bench process sends to the runner. */
export type BenchMessage = { type: "figures"; figures: Figure[] } | { type: "note"; text: string };

/** A bench to run: a script path (absolute) and its arguments. */
export interface BenchJob {
  file: string;
  args?: string[];
}

const MB = 1024 * 1024;
export const toMB = (bytes: number): number => bytes / MB;

/** Forces full collections when `--expose-gc` is on; returns heapUsed afterwards, or null without gc. */
export function settledHeap(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return null;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Samples process.memoryUsage() on an interval (and on demand) and keeps the peaks. */
export function startMemorySampler(intervalMs = 25) {
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sample = (): void => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  };
  const timer = setInterval(sample, intervalMs);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return { baseRss: base.rss, baseHeap: base.heapUsed, peakRss, peakHeap };
    },
  };
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function send(message: BenchMessage): Promise<void> {
  const channel = process.send?.bind(process);
  if (channel === undefined) return;
  await new Promise<void>((resolve, reject) => channel(message, (error: Error | null) => (error ? reject(error) : resolve())));
}

/** A note printed under the table (skips, caveats); printed at once when run standalone. */
export async function note(text: string): Promise<void> {
  if (process.send) await send({ type: "note", text });
  else console.log(`note: ${text}`);
}

/** Hands the figures to the runner, or prints them when the script runs on its own; then lets the process end. */
export async function report(figures: Figure[]): Promise<void> {
  if (process.send) {
    await send({ type: "figures", figures });
    process.disconnect();
  } else {
    printTable(figures);
  }
}

function formatValue(f: Figure): string {
  return f.value.toLocaleString("en-US", { minimumFractionDigits: f.digits ?? 1, maximumFractionDigits: f.digits ?? 1 });
}

/** Prints figures as aligned columns: bench, metric, value with unit, target, PASS/FAIL. */
export function printTable(figures: readonly Figure[]): void {
  const rows = figures.map((f) => [
    f.bench,
    f.metric,
    `${formatValue(f)} ${f.unit}`,
    f.target?.text ?? "",
    f.target === undefined ? "" : f.target.pass ? "PASS" : "FAIL",
  ]);
  const header = ["bench", "metric", "value", "target", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}

/**
 * Runs each job in its own Node process (the same tsx loader and conditions, plus `--expose-gc`),
 * one after another, then prints every figure and note (`notesBefore` first, e.g. why a bench was
 * skipped). Exit code 1 only when a bench crashed: a FAIL against a target is a figure, not an error.
 */
export async function runBenches(title: string, jobs: readonly BenchJob[], notesBefore: readonly string[] = []): Promise<void> {
  const figures: Figure[] = [];
  const notes = [...notesBefore];
  const crashed: string[] = [];
  const started = performance.now();
  for (const job of jobs) {
    const name = [job.file.split("/").slice(-1)[0] ?? job.file, ...(job.args ?? [])].join(" ");
    console.log(`… ${title}: ${name}`);
    const child = fork(job.file, job.args ?? [], { execArgv: [...process.execArgv, "--expose-gc"] });
    child.on("message", (message: BenchMessage) => {
      if (message.type === "figures") figures.push(...message.figures);
      else notes.push(message.text);
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    if (code !== 0) crashed.push(`${name} (exit ${code})`);
  }
  console.log(`\n${title} benchmarks (${((performance.now() - started) / 1000).toFixed(1)} s in all)\n`);
  if (figures.length > 0) printTable(figures);
  else console.log("(no figures)");
  for (const text of notes) console.log(`note: ${text}`);
  if (crashed.length > 0) {
    console.log(`\ncrashed: ${crashed.join(", ")}`);
    process.exitCode = 1;
  }
}
