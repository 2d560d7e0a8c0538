// Small builders the route files share: response entries of createRoute and the problem responses.
import type { z } from "zod";
import { ProblemSchema } from "./schemas.js";

/** A JSON response entry of `createRoute`. */
export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

const PROBLEM_DESCRIPTIONS = {
  400: "Invalid request (`invalid_input` with the bad fields) or `feature_disabled`.",
  401: "`authorize` refused the caller as unauthenticated.",
  403: "`authorize` refused the caller (`forbidden`), or a cross-site request (`cross_site_request`).",
  404: "`not_found`.",
  415: "`unsupported_media_type`: a body that is not JSON.",
  409: "`sync_in_progress`, with `runningRunId`.",
} as const;

/** Problem+json response entries for these statuses. */
export function problems<S extends keyof typeof PROBLEM_DESCRIPTIONS>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: PROBLEM_DESCRIPTIONS[s], content: { "application/problem+json": { schema: ProblemSchema } } }]),
  ) as unknown as Record<S, { description: string; content: { "application/problem+json": { schema: typeof ProblemSchema } } }>;
}

/** One problem+json response entry with its own description (a status whose codes differ by route). */
export function problem(description: string) {
  return { description, content: { "application/problem+json": { schema: ProblemSchema } } };
}
