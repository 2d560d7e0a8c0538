// The live progress line of `sync` and `demo` on a terminal (stderr), fed by engine events and
// by the outcomes of each written page.
import type { BatchOutcome, Store, SyncEngine } from "@pc-referrals/core";
import type { CliIo } from "./io.js";
import { terminalWidth } from "./output.js";

/** Running totals of one sync, as the progress line shows them. */
export interface ProgressCounts {
  pages: number;
  inserted: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

/** A store whose applyBatch also reports each page's outcomes to `onBatch`. */
export function observeBatches<S extends Store>(store: S, onBatch: (outcome: BatchOutcome) => void): S {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key !== "applyBatch" || typeof value !== "function") return typeof value === "function" ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        const outcome = (await (value as (...a: unknown[]) => Promise<BatchOutcome>).apply(target, args)) as BatchOutcome;
        onBatch(outcome);
        return outcome;
      };
    },
  });
}

/** One line: pages, referrals/s, the outcome counts, elapsed time. */
export function progressLine(counts: ProgressCounts, elapsedMs: number): string {
  const done = counts.inserted + counts.updated + counts.unchanged + counts.skipped + counts.failed;
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  const rate = Math.round(done / seconds);
  return (
    `pages ${counts.pages} · ${rate} referrals/s · new ${counts.inserted} · updated ${counts.updated} · ` +
    `unchanged ${counts.unchanged} · skipped ${counts.skipped} · failed ${counts.failed} · ${(elapsedMs / 1000).toFixed(1)}s`
  );
}

/** The progress of one run: counts it from events and batches, and redraws one stderr line while on a TTY. */
export interface Progress {
  /** Wrap the store the engine writes through, so unchanged referrals are counted too. */
  observe<S extends Store>(store: S): S;
  /** Subscribe to the engine's events. */
  attach(engine: SyncEngine): void;
  /** Clears the line (the summary follows on its own lines). */
  finish(): void;
  readonly counts: ProgressCounts;
}

/** Creates the progress line; it draws nothing unless stderr is a terminal. */
export function createProgress(io: CliIo, now: () => number = Date.now): Progress {
  const counts: ProgressCounts = { pages: 0, inserted: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
  const live = io.stderr.isTTY === true;
  const started = now();
  let lastDraw = 0;
  let drawn = false;
  const draw = (force = false): void => {
    if (!live) return;
    const t = now();
    // Redrawing more often than ~12 times a second only costs terminal time.
    if (!force && t - lastDraw < 80) return;
    lastDraw = t;
    drawn = true;
    const width = Math.max(terminalWidth(io.stderr) - 1, 20);
    io.stderr.write(`\r\x1b[2K${progressLine(counts, t - started).slice(0, width)}`);
  };
  return {
    counts,
    observe: (store) =>
      observeBatches(store, (outcome) => {
        for (const r of outcome.referrals) if (r.outcome === "unchanged" || r.outcome === "stale") counts.unchanged += 1;
        draw();
      }),
    attach(engine) {
      engine.on("page.fetched", () => {
        counts.pages += 1;
        draw(true);
      });
      engine.on("referral.ingested", (e) => {
        if (e.outcome === "inserted") counts.inserted += 1;
        else counts.updated += 1;
        draw();
      });
      engine.on("referral.skipped", () => {
        counts.skipped += 1;
        draw();
      });
      engine.on("referral.failed", () => {
        counts.failed += 1;
        draw();
      });
    },
    finish() {
      if (!live) return;
      draw(true);
      if (drawn) io.stderr.write("\n");
    },
  };
}
