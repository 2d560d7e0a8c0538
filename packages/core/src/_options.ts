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
    result.error.issues.map((issue) => ({
      path: [label, ...issue.path.map(String)].join("."),
      message: issue.message,
    })),
  );
}

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
