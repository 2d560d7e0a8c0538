// Validates factory options with zod and turns every failure into one ConfigError.
import { z } from "zod";
import { ConfigError } from "./errors.js";
import type { Logger } from "./logger.js";

/**
 * Parses `input` with `schema`; on failure throws one `ConfigError` that lists every bad path,
 * prefixed with `label` (e.g. `createSyncEngine.store`). Values are never echoed: they may be secrets.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, label: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.flatMap((issue) => {
      const at = [label, ...issue.path.map(String)];
      // A strict object reports its unknown keys in one issue; one per key names each typo.
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({ path: [...at, key].join("."), message: UNKNOWN_OPTION }));
      }
      return [{ path: at.join("."), message: issue.message }];
    }),
  );
}

/** The message of an option no schema knows: usually a typo, which must not pass silently. */
export const UNKNOWN_OPTION = "unknown option: check the spelling against the documented options";

/** True for an object carrying every named method. */
export const hasMethods = (methods: readonly string[]) => (value: unknown) =>
  typeof value === "object" &&
  value !== null &&
  methods.every((m) => typeof (value as Record<string, unknown>)[m] === "function");

/** The `logger` option of every factory: a pino-compatible {@link Logger}. */
export const loggerOption = z.custom<Logger>(
  hasMethods(["debug", "info", "warn", "error"]),
  "expected a pino-compatible logger with debug, info, warn and error methods",
);

/** The longest delay `setTimeout` can hold (2³¹−1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A duration in words for messages: "about 24.8 days", "10 minutes". */
export function describeDuration(ms: number): string {
  const units = [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
    ["second", 1000],
  ] as const;
  const [name, size] = units.find(([, unit]) => ms >= unit) ?? ["millisecond", 1];
  // Rounded down, so that "about N" never promises more than fits.
  const amount = Math.floor((ms / size) * 10) / 10;
  return `${amount === ms / size ? "" : "about "}${amount} ${name}${amount === 1 ? "" : "s"}`;
}

/**
 * A duration option in whole milliseconds, bounded so that every timer built from it fits in
 * `setTimeout` (Node fires a longer one at once). The message states the range.
 */
export function durationMs({ min = 1, max = MAX_TIMER_MS }: { min?: number; max?: number } = {}) {
  const message = `expected a whole number of milliseconds from ${min} to ${max} (${describeDuration(max)})`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
}
