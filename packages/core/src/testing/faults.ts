/**
 * Fault injection for the fake Partner Center: rules that make the n-th matching request (or a
 * seeded share of them) fail the way real networks and services fail.
 */
import type { ServerResponse } from "node:http";
import { z } from "zod";
import { durationMs, parseOptions } from "../_options.js";
import { delay } from "./_http.js";
import { createSeededRandom } from "./generate-referrals.js";

/** What a fault does to the response. */
export type FaultKind = "rate_limit" | "server_error" | "unavailable" | "reset" | "malformed_json" | "slow";

/** All fault kinds. */
export const FAULT_KINDS: readonly FaultKind[] = [
  "rate_limit",
  "server_error",
  "unavailable",
  "reset",
  "malformed_json",
  "slow",
];

/**
 * One fault rule. Without `onRequest` or `probability` it fires on every matching request
 * (up to `times`). Every rule counts the requests it matches, whichever rule fires.
 *
 * - `rate_limit`: 429 with `Retry-After` and no side effect.
 * - `server_error`: `status` (500) with a `generalException` error body; no side effect.
 * - `unavailable`: 503 with `Retry-After` and a `serviceNotAvailable` error body; no side effect.
 * - `reset`: the request is processed (a PATCH is applied!), then the headers and half of the
 *   body are written and the socket is destroyed.
 * - `malformed_json`: the request is processed, then 200 with the body cut in half.
 * - `slow`: waits `delayMs` before the normal response.
 */
export interface FaultRule {
  kind: FaultKind;
  /** Request path prefix to match; default `/v1.0/engagements/referrals`. An Entra path (e.g. `/<tenant>/oauth2`) also works. */
  path?: string;
  /** HTTP method to match (case-insensitive); default any. */
  method?: string;
  /** Fire on the n-th matching request (1-based), or on each listed one. */
  onRequest?: number | number[];
  /** Fire with this probability (0..1), drawn from a PRNG seeded with `seed` (default 1). */
  probability?: number;
  seed?: number;
  /** At most this many firings (default: unlimited; with `onRequest`, once per listed n). */
  times?: number;
  /** `Retry-After` for `rate_limit` and `unavailable`: seconds or an HTTP date; default `"1"`. */
  retryAfter?: string;
  /**
   * Body of a 429. The referrals docs do not say which shape the service sends: `"error"` (the
   * default) is the documented error envelope `{error:{code:"tooManyRequests",…}}`; `"throttle"`
   * is the Partner Center throttling-guidance shape `{statusCode:429,message}`, which does not
   * match the error schema. Test your client against both.
   */
  rateLimitBody?: "error" | "throttle";
  /** Status of `server_error`; default 500. */
  status?: number;
  /** Delay of `slow`, in ms; default 1000. */
  delayMs?: number;
}

const faultRuleSchema = z.strictObject({
  kind: z.enum(["rate_limit", "server_error", "unavailable", "reset", "malformed_json", "slow"]),
  path: z.string().startsWith("/").optional(),
  method: z.string().min(1).optional(),
  onRequest: z.union([z.number().int().positive(), z.array(z.number().int().positive()).min(1)]).optional(),
  probability: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
  times: z.number().int().nonnegative().optional(),
  retryAfter: z.string().min(1).optional(),
  rateLimitBody: z.enum(["error", "throttle"]).optional(),
  status: z.number().int().min(500).max(599).optional(),
  delayMs: durationMs({ min: 0 }).optional(),
});

/** A response the fake would send, before faults change it. */
export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON body; `undefined` means no body. */
  body?: unknown;
}

/** Decides which rule, if any, fires for each request. */
export interface FaultPlan {
  next(method: string, path: string): FaultRule | null;
}

/** Validates `rules` (one ConfigError lists every bad field) and builds the request counters. */
export function createFaultPlan(rules: readonly FaultRule[]): FaultPlan {
  parseOptions(z.array(faultRuleSchema), rules, "faults");
  const states = rules.map((rule) => {
    const listed = rule.onRequest === undefined ? null : new Set([rule.onRequest].flat());
    return {
      rule,
      listed,
      random: createSeededRandom(rule.seed ?? 1),
      seen: 0,
      fired: 0,
    };
  });
  return {
    next(method, path) {
      let chosen: FaultRule | null = null;
      for (const state of states) {
        const { rule } = state;
        if (!path.startsWith(rule.path ?? "/v1.0/engagements/referrals")) continue;
        if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) continue;
        state.seen += 1;
        if (chosen !== null) continue;
        if (rule.times !== undefined && state.fired >= rule.times) continue;
        const fires =
          state.listed !== null
            ? state.listed.has(state.seen)
            : rule.probability !== undefined
              ? state.random() < rule.probability
              : true;
        if (fires) {
          state.fired += 1;
          chosen = rule;
        }
      }
      return chosen;
    },
  };
}

/** True when the fault replaces the response without processing the request. */
export function faultSkipsProcessing(kind: FaultKind): boolean {
  return kind === "rate_limit" || kind === "server_error" || kind === "unavailable";
}

function retryAfterSeconds(value: string, nowMs: number): number {
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? 1 : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** The response that replaces the normal one for `rate_limit`, `server_error` and `unavailable`; `nowMs` is the fake's clock. */
export function replacementResponse(rule: FaultRule, headers: Record<string, string>, nowMs: number): FakeResponse {
  const retryAfter = rule.retryAfter ?? "1";
  switch (rule.kind) {
    case "rate_limit": {
      const message = `Rate limit is exceeded. Try again in ${retryAfterSeconds(retryAfter, nowMs)} seconds.`;
      const body =
        rule.rateLimitBody === "throttle"
          ? { statusCode: 429, message }
          : { error: { code: "tooManyRequests", message, target: "referral" } };
      return { status: 429, headers: { ...headers, "retry-after": retryAfter }, body };
    }
    case "unavailable":
      return {
        status: 503,
        headers: { ...headers, "retry-after": retryAfter },
        body: { error: { code: "serviceNotAvailable", message: "The service is temporarily unavailable.", target: "referral" } },
      };
    default:
      return {
        status: rule.status ?? 500,
        headers,
        body: { error: { code: "generalException", message: "An internal error occurred.", target: "referral" } },
      };
  }
}

/** The status line a client sees for `response` under `rule` (a reset 204 becomes 200 so a body is expected). */
export function faultedStatus(response: FakeResponse, rule: FaultRule | null): number {
  if (rule?.kind === "malformed_json") return 200;
  if (rule?.kind === "reset" && response.status === 204) return 200;
  return response.status;
}

/** Text of a response body that is certainly JSON-shaped, so cutting it in half breaks it. */
function bodyText(response: FakeResponse): string {
  const text = response.body === undefined ? "" : JSON.stringify(response.body);
  return text.length >= 2 ? text : '{"value":[{"id":"00000000-0000-0000-0000-000000000000"}]}';
}

/** Waits as a `slow` rule says; other rules and `null` return at once. */
export async function slowDown(rule: FaultRule | null): Promise<void> {
  if (rule?.kind === "slow") await delay(rule.delayMs ?? 1000);
}

/**
 * Writes `response`, altered by `rule` when it is `reset` or `malformed_json`.
 * Returns the status the client saw (the written status line).
 */
export async function writeWithFault(
  res: ServerResponse,
  response: FakeResponse,
  rule: FaultRule | null,
): Promise<number> {
  if (rule?.kind === "reset" || rule?.kind === "malformed_json") {
    const text = bodyText(response);
    const half = text.slice(0, Math.floor(text.length / 2));
    const status = faultedStatus(response, rule);
    const length = Buffer.byteLength(rule.kind === "reset" ? text : half);
    res.writeHead(status, {
      ...response.headers,
      "content-type": "application/json; charset=utf-8",
      "content-length": String(length),
    });
    if (rule.kind === "malformed_json") {
      res.end(half);
      return status;
    }
    // Flush a real partial body before the reset, so the client fails mid-body, not before headers.
    await new Promise<void>((resolve) => res.write(half, () => resolve()));
    res.socket?.destroy();
    return status;
  }
  const text = response.body === undefined ? "" : JSON.stringify(response.body);
  const headers: Record<string, string> = { ...response.headers, "content-length": String(Buffer.byteLength(text)) };
  if (response.body !== undefined) headers["content-type"] = "application/json; charset=utf-8";
  res.writeHead(response.status, headers);
  res.end(text);
  return response.status;
}
