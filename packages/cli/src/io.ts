// Everything a command touches of its process, so tests can run commands in-process.
import type { Writable } from "node:stream";

/** The streams, environment and folder one command runs with. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted on Ctrl-C / SIGTERM (the process io wires the signals; tests abort it themselves). */
  signal: AbortSignal;
  /** True when the process should stop on its own after the command (bin); false in tests. */
  ownsProcess: boolean;
}

/** The io of the real process: Ctrl-C and SIGTERM abort the command's signal once; a second Ctrl-C exits at once. */
export function processIo(): CliIo {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error(`received ${signal}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    ownsProcess: true,
  };
}

/** Resolves once the command's signal fires (Ctrl-C, SIGTERM, or a test's abort). */
export function untilInterrupted(io: CliIo): Promise<void> {
  return new Promise((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
