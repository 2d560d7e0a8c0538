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
export type FaultKind =
  | "rate_limit"
  | "server_error"
  | "unavailable"
  | "reset"
  | "drop"
  | "malformed_json"
  | "slow"
  | "oversized_body"
  | "overfull_page";

/** All fault kinds. */
export const FAULT_KINDS: readonly FaultKind[] = [
  "rate_limit",
  "server_error",
  "unavailable",
  "reset",
  "drop",
  "malformed_json",
  "slow",
  "oversized_body",
  "overfull_page",
];

/** Default padding of `oversized_body`: above the client's default 16 MiB cap. */
export const DEFAULT_OVERSIZED_BODY_BYTES = 20 * 1024 * 1024;
/** Default length of `value` under `overfull_page`: twice the largest `$top`. */
export const DEFAULT_OVERFULL_PAGE_ITEMS = 200;

/**
 * One fault rule. Without `onRequest` or `probability` it fires on every matching request
 * (up to `times`). Every rule counts the requests it matches, whichever rule fires.
 *
 * - `rate_limit`: 429 with `Retry-After` and no side effect.
 * - `server_error`: `status` (500) with a `generalException` error body; no side effect.
 * - `unavailable`: 503 with `Retry-After` and a `serviceNotAvailable` error body; no side effect.
 * - `reset`: the request is processed (a PATCH is applied!), then the headers and half of the
 *   body are written and the socket is destroyed.
 * - `drop`: the request is processed (a PATCH is applied!), then the socket is destroyed before
 *   any response byte: the client cannot tell whether its request arrived.
 * - `malformed_json`: the request is processed, then 200 with the body cut in half.
 * - `slow`: waits `delayMs` before the normal response.
 * - `oversized_body`: the normal response, then `bodyBytes` of JSON whitespace (still valid JSON),
 *   streamed without `content-length` until done or the client hangs up.
 * - `overfull_page`: a list page whose `value` repeats its items up to `items` entries, more than
 *   any `$top` allows.
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
  /** Padding of `oversized_body`, in bytes; default {@link DEFAULT_OVERSIZED_BODY_BYTES}. */
  bodyBytes?: number;
  /** Length of `value` under `overfull_page`; default {@link DEFAULT_OVERFULL_PAGE_ITEMS}. */
  items?: number;
}

const faultRuleSchema = z.strictObject({
  kind: z.enum(FAULT_KINDS as [FaultKind, ...FaultKind[]]),
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
  bodyBytes: z.number().int().positive().optional(),
  items: z.number().int().positive().optional(),
});

/** A response the fake would send, before faults change it. */
export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON body; `undefined` means no body. */
  body?: unknown;
  /** The body already serialized (the fake's cached pages); sent as is, in place of `body`. */
  json?: string;
}

/** The JSON text of a response body, or undefined when it has none. */
export function responseJson(response: FakeResponse): string | undefined {
  return response.json ?? (response.body === undefined ? undefined : JSON.stringify(response.body));
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

/**
 * The response that replaces the normal one for `rate_limit`, `server_error` and `unavailable`;
 * `nowMs` is the fake's clock, also sent as `Date` so an HTTP-date `Retry-After` reads against it.
 */
export function replacementResponse(rule: FaultRule, baseHeaders: Record<string, string>, nowMs: number): FakeResponse {
  const retryAfter = rule.retryAfter ?? "1";
  const headers = { ...baseHeaders, date: new Date(nowMs).toUTCString() };
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
  if (rule?.kind === "drop") return 0;
  if (rule?.kind === "malformed_json") return 200;
  if (rule?.kind === "reset" && response.status === 204) return 200;
  return response.status;
}

/** Text of a response body that is certainly JSON-shaped, so cutting it in half breaks it. */
function bodyText(response: FakeResponse): string {
  const text = responseJson(response) ?? "";
  return text.length >= 2 ? text : '{"value":[{"id":"00000000-0000-0000-0000-000000000000"}]}';
}

/** Waits as a `slow` rule says; other rules and `null` return at once. */
export async function slowDown(rule: FaultRule | null): Promise<void> {
  if (rule?.kind === "slow") await delay(rule.delayMs ?? 1000);
}

/**
 * Writes `planned`, altered by `rule` (`reset`, `drop`, `malformed_json`, `oversized_body`, `overfull_page`).
 * Returns the status the client saw (the written status line).
 */
export async function writeWithFault(
  res: ServerResponse,
  planned: FakeResponse,
  rule: FaultRule | null,
): Promise<number> {
  const response = rule?.kind === "overfull_page" ? overfill(planned, rule.items ?? DEFAULT_OVERFULL_PAGE_ITEMS) : planned;
  if (rule?.kind === "drop") {
    res.socket?.destroy();
    return 0;
  }
  if (rule?.kind === "oversized_body") {
    await writePadded(res, response, rule.bodyBytes ?? DEFAULT_OVERSIZED_BODY_BYTES);
    return response.status;
  }
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
  const json = responseJson(response);
  const text = json ?? "";
  const headers: Record<string, string> = { ...response.headers, "content-length": String(Buffer.byteLength(text)) };
  if (json !== undefined) headers["content-type"] = "application/json; charset=utf-8";
  res.writeHead(response.status, headers);
  res.end(text);
  return response.status;
}

/** A list page whose `value` repeats its items up to `items` entries; other responses as they are. */
function overfill(response: FakeResponse, items: number): FakeResponse {
  const json = responseJson(response);
  const body = (json === undefined ? undefined : JSON.parse(json)) as { value?: unknown } | undefined;
  const value = body?.value;
  if (!Array.isArray(value) || value.length === 0) return response;
  const padded = Array.from({ length: items }, (_, i) => value[i % value.length] as unknown);
  return { status: response.status, headers: response.headers, body: { ...body, value: padded } };
}

/** Streams `response` then `bytes` of spaces in 64 KiB chunks, so the fake itself never holds the big body. */
async function writePadded(res: ServerResponse, response: FakeResponse, bytes: number): Promise<void> {
  let closed = false;
  res.on("close", () => (closed = true));
  res.writeHead(response.status, { ...response.headers, "content-type": "application/json; charset=utf-8" });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pieces = function* () {
    yield Buffer.from(responseJson(response) ?? "");
    for (let sent = 0; sent < bytes; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, bytes - sent));
  };
  for (const piece of pieces()) {
    if (closed) return;
    if (!res.write(piece)) {
      await new Promise<void>((resolve) => {
        res.once("drain", resolve);
        res.once("close", resolve);
      });
    }
  }
  if (!closed) res.end();
}
