// One JSON object per line on stdout: what a log collector (or the test) reads. A real service
// would pass pino here; anything with debug/info/warn/error(obj, msg) fits the Logger contract.
import type { Logger } from "@pc-referrals/core";

type Level = keyof Logger;

export function createJsonLineLogger(base: Record<string, unknown>, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const at = (level: Level) => (obj: object, msg?: string) => {
    write(`${JSON.stringify({ level, time: new Date().toISOString(), ...base, ...obj, ...(msg === undefined ? {} : { msg }) })}\n`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
