// pino 10 for `serve` and `watch`: JSON lines when piped, one readable line per entry on a TTY.
import { Writable } from "node:stream";
import { pino } from "pino";
import type { Logger as PinoLogger } from "pino";
import { createMaskingLogger } from "@pc-referrals/core";
import type { Logger } from "@pc-referrals/core";
import type { CliIo } from "./io.js";
import { paint } from "./output.js";

const LEVEL_STYLE = { 10: "gray", 20: "gray", 30: "green", 40: "yellow", 50: "red", 60: "red" } as const;
const LEVEL_NAME: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
const HIDDEN = new Set(["level", "time", "msg", "pid", "hostname"]);

/** `12:00:01 info  sync finished  runId=… status=succeeded` from one pino JSON line. */
export function readableLine(io: CliIo, json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = typeof entry.level === "number" ? entry.level : 30;
  const time = typeof entry.time === "number" ? new Date(entry.time).toISOString().slice(11, 19) : "";
  const name = (LEVEL_NAME[level] ?? "info").padEnd(5);
  const style = LEVEL_STYLE[level as keyof typeof LEVEL_STYLE] ?? "green";
  const fields = Object.entries(entry)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `${paint(io, io.stderr, "dim", time)} ${paint(io, io.stderr, style, name)} ${String(entry.msg ?? "")}${fields === "" ? "" : `  ${paint(io, io.stderr, "dim", fields)}`}`;
}

/** The logger of a long-running command, writing to stderr; contact data is masked before it is written. */
export function createCliLogger(io: CliIo, options: { verbose: boolean }): { logger: Logger; pino: PinoLogger } {
  const tty = io.stderr.isTTY === true;
  const destination = tty
    ? new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString("utf8").split("\n")) if (line !== "") io.stderr.write(`${readableLine(io, line)}\n`);
          done();
        },
      })
    : io.stderr;
  const base = pino({ level: options.verbose ? "debug" : "info", base: null }, destination);
  return { logger: createMaskingLogger(base), pino: base };
}
