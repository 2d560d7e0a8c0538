// Test support: the CLI in-process (runCommand over captured streams) and as a child process.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import type { CliIo } from "../../src/io.js";
import { runCommand } from "../../src/main.js";

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The CLI's entry, run from source through tsx (no build needed). */
export const BIN_SOURCE = join(PACKAGE_DIR, "src", "bin.ts");
// tsx by file URL: `--import tsx` would resolve from the child's working folder, a temp folder.
const TSX_LOADER = pathToFileURL(createRequire(join(PACKAGE_DIR, "package.json")).resolve("tsx")).href;
/** node arguments that run the CLI from source. */
export const NODE_ARGS = ["--conditions=@pc-referrals/source", "--import", TSX_LOADER, BIN_SOURCE];

/** A fresh empty folder to run commands in. */
export function tempFolder(): string {
  return mkdtempSync(join(tmpdir(), "pc-referrals-cli-"));
}

/** Captured output of one stream. */
export interface Captured {
  stream: PassThrough & { isTTY?: boolean; columns?: number };
  text(): string;
}

function capture(tty: boolean): Captured {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  if (tty) {
    stream.isTTY = true;
    stream.columns = 100;
  }
  const chunks: string[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
  return { stream, text: () => chunks.join("") };
}

export interface InProcessRun {
  done: Promise<number>;
  stdout: () => string;
  stderr: () => string;
  abort(): void;
}

/** Starts one command in this process, with its own streams, env and signal. */
export function startCli(argv: readonly string[], options: { env?: Record<string, string | undefined>; cwd: string; tty?: boolean }): InProcessRun {
  const out = capture(options.tty ?? false);
  const err = capture(options.tty ?? false);
  const controller = new AbortController();
  const io: CliIo = { stdout: out.stream, stderr: err.stream, env: { ...(options.env ?? {}) }, cwd: options.cwd, signal: controller.signal, ownsProcess: false };
  return { done: runCommand(argv, io), stdout: out.text, stderr: err.text, abort: () => controller.abort() };
}

/** Runs one command in this process to its end. */
export async function runCli(
  argv: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd: string; tty?: boolean },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = startCli(argv, options);
  const code = await run.done;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Waits until `read()` matches `pattern` (polling), or throws after `timeoutMs`. */
export async function waitFor(read: () => string, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const match = read().match(pattern);
    if (match) return match;
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}; output so far:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A child process of the CLI (from source), with its output collected. */
export interface ChildRun {
  done: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  kill(signal: NodeJS.Signals): void;
}

/** Spawns `pc-referrals <argv>` (or `command` with `args`) with `env` on top of a clean environment. */
export function spawnCli(argv: readonly string[], options: { env?: Record<string, string>; cwd: string; command?: string; args?: readonly string[] }): ChildRun {
  const child = spawn(options.command ?? process.execPath, options.args ?? [...NODE_ARGS, ...argv], {
    cwd: options.cwd,
    // PATH and HOME only: the machine's PARTNER_CENTER_* or DATABASE_URL must not leak into the CLI.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { done, stdout: () => out, stderr: () => err, kill: (signal) => void child.kill(signal) };
}
