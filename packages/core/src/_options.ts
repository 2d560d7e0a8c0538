// Validates factory options with zod and turns every failure into one ConfigError.
import type { z } from "zod";
import { ConfigError } from "./errors.js";

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
