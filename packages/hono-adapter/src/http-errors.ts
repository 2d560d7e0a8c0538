// Every error a route answers with is RFC 9457 problem+json, and its status comes from one table
// keyed by the stable `code` (core's codes plus the adapter's own). A code missing from the table
// (one core adds later) is a 500, never a crash.
import { PcReferralsError, type ErrorCode, type InvalidTransitionError, type ReferralConflictError, type SyncInProgressError } from "@pc-referrals/core";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";

/** The adapter's own codes, besides core's. */
type AdapterErrorCode = "unauthorized" | "webhook_signature_invalid" | "forbidden" | "cross_site_request" | "payload_too_large" | "unsupported_media_type" | "internal";

/** HTTP status of every known error code (every code of core must be listed: the type checks it). */
export const ERROR_STATUS: Readonly<Record<ErrorCode | AdapterErrorCode, ContentfulStatusCode> & Record<string, ContentfulStatusCode>> = Object.freeze({
  invalid_input: 400,
  feature_disabled: 400,
  unauthorized: 401,
  webhook_signature_invalid: 401,
  forbidden: 403,
  cross_site_request: 403,
  not_found: 404,
  sync_in_progress: 409,
  webhook_registration_conflict: 409,
  // Write-back refused: the stored status allows no such move, or Partner Center's copy changed (412).
  invalid_transition: 409,
  referral_conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  config_invalid: 500,
  migration_invalid: 500,
  internal: 500,
  api_error: 502,
  network_error: 502,
  // Partner Center's answer could not be used (too large, endless paging) or a write's outcome is unknown.
  response_too_large: 502,
  page_limit_exceeded: 502,
  write_unconfirmed: 502,
  auth_required: 503,
  rate_limited: 503,
  store_error: 503,
  store_locked: 503,
  aborted: 503,
  timeout: 504,
});

const TITLES: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** One bad request field. */
export interface FieldError {
  /** Where: `query.pageSize`, `body.companyId`, `param.id`. */
  path: string;
  message: string;
}

/** The problem+json body every failing route returns. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  errors?: FieldError[];
  /** With `sync_in_progress`: the run in flight, when known. */
  runningRunId?: string | null;
  /** With `webhook_signature_invalid`: why the verifier refused the delivery. */
  reason?: string;
  /** With `invalid_transition`: the actions the referral's stored state allows. */
  allowed?: string[];
  /** With `referral_conflict`: the referral's state at Partner Center, re-read after the 412. */
  current?: { status: string | null; substatus: string | null; eTag: string | null };
}

/** Status of `code` by the table; 500 for a code the table does not know. */
export function statusOf(code: string): ContentfulStatusCode {
  return ERROR_STATUS[code] ?? 500;
}

/** A problem+json response for `code`. */
export function problemResponse(code: string, detail: string, extra: Partial<Pick<Problem, "errors" | "runningRunId" | "reason" | "allowed" | "current">> = {}): Response {
  const status = statusOf(code);
  const body: Problem = { type: `urn:pc-referrals:error:${code}`, title: TITLES[status] ?? "Error", status, code, detail, ...extra };
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/problem+json" } });
}

// Hono's validation targets, named as a person reading the request sees them.
const PART: Readonly<Record<string, string>> = { json: "body", param: "path", query: "query", header: "header" };

/** The field list of a failed zod validation, paths prefixed with the request part (`query.pageSize`). */
export function fieldErrors(target: string, error: ZodError): FieldError[] {
  const part = PART[target] ?? target;
  return error.issues.flatMap((issue) => {
    const at = [part, ...issue.path.map(String)];
    // One entry per unknown key, so each bad field is named.
    if (issue.code === "unrecognized_keys") return issue.keys.map((key) => ({ path: [...at, key].join("."), message: "Unknown field." }));
    return [{ path: at.join("."), message: issue.message }];
  });
}

/** `defaultHook` of the routes: a failed validation becomes 400 `invalid_input` with every bad field. */
export function validationHook(result: { target: string } & ({ success: true } | { success: false; error: ZodError })): Response | undefined {
  if (result.success) return undefined;
  const errors = fieldErrors(result.target, result.error);
  return problemResponse("invalid_input", `Invalid request: ${errors.map((e) => e.path).join(", ")}.`, { errors });
}

/** The fields some codes carry besides the message. */
function problemExtra(error: PcReferralsError): Partial<Pick<Problem, "runningRunId" | "allowed" | "current">> {
  if (PcReferralsError.hasCode(error, "sync_in_progress")) return { runningRunId: (error as SyncInProgressError).runningRunId };
  if (PcReferralsError.hasCode(error, "invalid_transition")) return { allowed: [...(error as InvalidTransitionError).allowed] };
  if (PcReferralsError.hasCode(error, "referral_conflict")) {
    const { status, substatus, eTag } = (error as ReferralConflictError).current;
    return { current: { status, substatus, eTag } };
  }
  return {};
}

const HTTP_CODES: Readonly<Record<number, string>> = { 400: "invalid_input", 401: "unauthorized", 403: "forbidden", 404: "not_found", 413: "payload_too_large", 415: "unsupported_media_type" };

/**
 * Any thrown value as problem+json. Library errors keep their code and message (they carry no
 * contact data or tokens); anything else is a bare 500 so internals never leak.
 */
export function errorResponse(error: unknown): Response {
  if (PcReferralsError.is(error)) return problemResponse(error.code, error.message, problemExtra(error));
  if (error instanceof HTTPException) {
    if (error.status === 400) return problemResponse("invalid_input", error.message || "Malformed request.");
    const code = HTTP_CODES[error.status];
    if (code !== undefined) return problemResponse(code, error.message || (TITLES[error.status] ?? "Error"));
    return error.getResponse();
  }
  return problemResponse("internal", "The server failed to handle the request.");
}
