// Exit codes, colour and the one-sentence error messages of the CLI.
import { styleText } from "node:util";
import { PcReferralsError } from "@pc-referrals/core";
import type { CliIo } from "./io.js";

/** The CLI's exit codes, one table. */
export const EXIT = {
  ok: 0,
  /** The run ended partial or failed. */
  runFailed: 1,
  /** Bad flags or configuration, or the feature flag is off. */
  config: 2,
  /** No usable login: run `pc-referrals login`. */
  loginRequired: 3,
  /** Another run holds the sync. */
  runInFlight: 4,
  /** The database cannot be reached or opened. */
  storeUnreachable: 5,
  /** Write-back refused before sending: the referral's status does not allow that move (`invalid_transition`). */
  invalidTransition: 6,
  /** Write-back conflict: the referral changed at Partner Center since the last sync (`referral_conflict`). */
  conflict: 7,
  /** Ctrl-C or SIGTERM. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI explains in one sentence plus the fix, then exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly fix: string | null;
  constructor(exitCode: ExitCode, message: string, fix: string | null = null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
    this.exitCode = exitCode;
    this.fix = fix;
  }
}

type Stream = CliIo["stdout"];

/** Colour only on a terminal and never with NO_COLOR (https://no-color.org). */
export function colourEnabled(stream: Stream, env: CliIo["env"]): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? "") === "" && env.TERM !== "dumb";
}

type Style = Parameters<typeof styleText>[0];

/** `styleText` when colour is on for `stream`, the plain text otherwise. */
export function paint(io: CliIo, stream: Stream, style: Style, text: string): string {
  return colourEnabled(stream, io.env) ? styleText(style, text, { validateStream: false }) : text;
}

/** Maps any thrown value to an exit code, a sentence and a fix. */
export function explain(error: unknown): { exitCode: ExitCode; message: string; fix: string | null; code: string } {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message, fix: error.fix, code: "cli_error" };
  if (!PcReferralsError.is(error)) {
    return { exitCode: EXIT.runFailed, message: error instanceof Error ? error.message : String(error), fix: null, code: "internal" };
  }
  switch (error.code) {
    case "config_invalid":
      return { exitCode: EXIT.config, message: error.message, fix: "Fix the variables listed (flags, environment or .env).", code: error.code };
    case "feature_disabled":
      return { exitCode: EXIT.config, message: "Partner Center sync is disabled.", fix: "Set PARTNER_CENTER_ENABLED=true.", code: error.code };
    case "auth_required":
      return { exitCode: EXIT.loginRequired, message: error.message, fix: "Run `pc-referrals login`.", code: error.code };
    case "sync_in_progress": {
      const runId = (error as PcReferralsError & { runningRunId?: string | null }).runningRunId ?? null;
      const message = runId === null ? "Another sync is running." : `Another sync is running (run ${runId}).`;
      return { exitCode: EXIT.runInFlight, message, fix: "Wait for it to finish, or see `pc-referrals status`.", code: error.code };
    }
    case "store_locked":
      return { exitCode: EXIT.storeUnreachable, message: error.message, fix: "Stop the other process, or set DATABASE_URL.", code: error.code };
    case "store_error":
    case "migration_invalid":
      return { exitCode: EXIT.storeUnreachable, message: error.message, fix: "Check DATABASE_URL (or PARTNER_CENTER_DATA_DIR) and run `pc-referrals migrate status`.", code: error.code };
    case "aborted":
      return { exitCode: EXIT.interrupted, message: "Interrupted.", fix: null, code: error.code };
    case "webhook_registration_conflict":
      return { exitCode: EXIT.config, message: error.message, fix: "Pass --force to replace it; the integration at that URL then stops receiving these events.", code: error.code };
    case "invalid_transition": {
      const allowed = (error as PcReferralsError & { allowed?: readonly string[] }).allowed ?? [];
      const fix = allowed.length === 0 ? "The referral is closed: Partner Center takes no more changes." : `Allowed now: ${allowed.join(", ")}.`;
      return { exitCode: EXIT.invalidTransition, message: error.message, fix, code: error.code };
    }
    case "referral_conflict":
      return {
        exitCode: EXIT.conflict,
        message: error.message,
        fix: "Its current state is stored now: check it with `pc-referrals show <referralId>`, then try again if it still applies.",
        code: error.code,
      };
    case "invalid_input":
    case "not_found":
      return { exitCode: EXIT.config, message: error.message, fix: null, code: error.code };
    default:
      return { exitCode: EXIT.runFailed, message: error.message, fix: null, code: error.code };
  }
}

/** Prints the error as one sentence plus the fix on stderr (the stack only with --verbose); returns the exit code. */
export function reportError(io: CliIo, error: unknown, verbose: boolean): ExitCode {
  const { exitCode, message, fix } = explain(error);
  const lines = [`${paint(io, io.stderr, "red", "error:")} ${message}`];
  if (fix !== null) lines.push(`${paint(io, io.stderr, "dim", "fix:")} ${fix}`);
  if (verbose && error instanceof Error && error.stack) lines.push(error.stack);
  io.stderr.write(`${lines.join("\n")}\n`);
  return exitCode;
}

/** Writes one line to stdout. */
export function println(io: CliIo, text = ""): void {
  io.stdout.write(`${text}\n`);
}

/** Writes a value as pretty JSON to stdout. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns available on `stream`: its width on a terminal (a pty without a size counts as 120), unlimited when piped. */
export function terminalWidth(stream: Stream): number {
  if (stream.isTTY !== true) return Number.POSITIVE_INFINITY;
  return stream.columns !== undefined && stream.columns > 0 ? stream.columns : 120;
}
