// `pnpm start`: the worker in the foreground. SIGTERM or Ctrl-C stops it after the page in flight commits.
import { describeError, PcReferralsError } from "@pc-referrals/core";
import { createJsonLineLogger } from "./log.js";
import { startWorker } from "./worker.js";

const logger = createJsonLineLogger({ pid: process.pid });

/** The CLI's exit codes: 2 a setting to fix, 5 the database cannot be reached, else 1. */
function exitCodeOf(error: unknown): number {
  if (!PcReferralsError.is(error)) return 1;
  if (error.code === "config_invalid") return 2;
  return error.code === "store_error" || error.code === "migration_invalid" ? 5 : 1;
}

try {
  const worker = await startWorker(process.env, logger);
  logger.info({}, "worker_started");
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "worker_stopping");
    worker.stop().then(
      () => {
        logger.info({}, "worker_stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ error: describeError(error) }, "worker_stop_failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
} catch (error) {
  logger.error({ error: describeError(error) }, "worker_start_failed");
  process.exit(exitCodeOf(error));
}
