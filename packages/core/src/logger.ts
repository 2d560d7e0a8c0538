/**
 * Logging goes through this pino-compatible interface: pass a pino logger (or anything with the
 * same four methods) and the library logs structured objects with a message. The library never
 * passes tokens, and masks contact data with {@link maskPii} before anything reaches a logger.
 */

/** The subset of pino's API the library calls: `logger.info({ runId }, "sync started")`. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The default: discards everything. */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

import { maskPii } from "./_mask-pii.js";

export { maskPii };

/**
 * Wraps a host logger so every object is passed through {@link maskPii} first.
 * The library wraps whatever logger it is given; hosts rarely need to call this.
 */
export function createMaskingLogger(inner: Logger): Logger {
  const wrap =
    (level: keyof Logger) =>
    (obj: object, msg?: string): void => {
      const masked = maskPii(obj) as object;
      if (msg === undefined) inner[level](masked);
      else inner[level](masked, msg);
    };
  return { debug: wrap("debug"), info: wrap("info"), warn: wrap("warn"), error: wrap("error") };
}
