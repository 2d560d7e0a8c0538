// `watch [--interval s]`: the scheduler in the foreground, one log line per run.
import { createScheduler } from "@pc-referrals/core";
import type { CommandContext } from "../command.js";
import { requireEnabled, resolveConfig } from "../config.js";
import { createEngine, openStore, tokenProvider, withStore } from "../context.js";
import { createCliLogger } from "../log.js";
import { CliError, EXIT } from "../output.js";
import { requireLogin } from "../sync-run.js";
import { untilInterrupted } from "../io.js";

/** Seconds from `--interval`, or null when the flag is absent. */
export function intervalSeconds(value: string | boolean | undefined): number | null {
  if (typeof value !== "string") return null;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 2_147_483) {
    throw new CliError(EXIT.config, `--interval must be a whole number of seconds from 1 to 2147483, not "${value}".`, "For example --interval 600.");
  }
  return Number(value);
}

export async function run({ io, values, verbose }: CommandContext): Promise<number> {
  const config = resolveConfig(io);
  requireEnabled(config);
  const seconds = intervalSeconds(values.interval) ?? config.syncIntervalSeconds;
  const { logger } = createCliLogger(io, { verbose });
  return withStore(openStore(config), async (store) => {
    const tokens = tokenProvider(config, store);
    await requireLogin(tokens);
    const engine = createEngine(config, store, tokens, logger);
    engine.on("sync.completed", ({ report }) => {
      const c = report.counts;
      logger.info({ runId: report.runId, status: report.status, full: report.full, pages: c.pages, new: c.ingested, updated: c.updated, unchanged: c.unchanged, failed: c.failed, durationMs: report.durationMs }, "sync finished");
    });
    engine.on("sync.failed", ({ error, report }) => {
      logger.error({ runId: report.runId, code: error.code, error: error.message }, "sync failed");
    });
    const scheduler = createScheduler(engine, { intervalMs: seconds * 1000, runOnStart: true, logger });
    logger.info({ intervalSeconds: seconds }, "watching; Ctrl-C or SIGTERM stops after the page in flight commits");
    scheduler.start();
    await untilInterrupted(io);
    await scheduler.stop();
    logger.info({}, "stopped");
    return EXIT.interrupted;
  });
}
