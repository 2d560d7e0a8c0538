// Pure retry policy of the Partner Center client; the loop that applies it lives in http.ts.
// Throttling guidance: https://learn.microsoft.com/en-us/partner-center/developer/api-throttling-guidance

/** Retry caps with every default filled in. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** Upper bound of the sum of all waits between attempts. */
  maxTotalWaitMs: number;
  /** First backoff step for 5xx and network failures. */
  baseDelayMs: number;
  /** Largest single backoff step (a server's `Retry-After` may ask for more, and is honoured). */
  maxDelayMs: number;
}

/** Defaults of {@link RetryPolicy}: 4 attempts, 2 minutes of total waiting, 500 ms to 30 s backoff. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 4,
  maxTotalWaitMs: 120_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
});

/** A failure without a usable HTTP status: no response, or a 2xx whose body is not the JSON we expect. */
export type TransportFailure = "timeout" | "network" | "malformed";

/** What happened on the attempt that just finished. */
export interface RetryInput {
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  /** HTTP status of the response, 0 when none arrived. */
  status: number;
  /** Response headers (lower-case names), for `Retry-After` and `Date`. */
  headers?: Readonly<Record<string, string | readonly string[] | undefined>> | undefined;
  /** Set when the attempt failed without a usable status. */
  error?: TransportFailure | undefined;
  /** Milliseconds already spent waiting between earlier attempts. */
  elapsedMs: number;
  /** Current time (epoch ms), to turn an HTTP-date `Retry-After` into a delay when no `Date` header came. */
  nowMs: number;
  /** Uniform random number in [0, 1), for full jitter. */
  random: () => number;
  policy: RetryPolicy;
}

/** Why {@link decideRetry} decided as it did; useful in logs and for choosing the final error. */
export type RetryReason =
  | "retry_after"
  | "backoff"
  | "not_retryable"
  | "attempts_exhausted"
  | "wait_exhausted";

/** The decision: wait `delayMs` and try again, or stop (`delayMs` is then 0). */
export interface RetryDecision {
  retry: boolean;
  delayMs: number;
  reason: RetryReason;
  /** The server's `Retry-After` in ms, when it sent a valid one. */
  retryAfterMs: number | null;
}

const DELAY_SECONDS = /^\s*(\d+(?:\.\d+)?)\s*$/;
// RFC 9110 accepts IMF-fixdate, RFC 850 and asctime dates; all three start with a day name.
const HTTP_DATE = /^\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s/i;

type HeaderValue = string | readonly string[] | undefined | null;

/**
 * Parses a `Retry-After` value into milliseconds: delay-seconds, or an HTTP date (a date in the
 * past gives 0). A date is measured from the response's `Date` header when it parses, so a skewed
 * local clock cannot stretch or shrink the wait; else from `nowMs`. Anything else gives `null`.
 */
export function parseRetryAfter(value: HeaderValue, nowMs: number, responseDate?: HeaderValue): number | null {
  const raw = typeof value === "string" ? value : value?.[0];
  if (raw === undefined) return null;
  const seconds = DELAY_SECONDS.exec(raw)?.[1];
  if (seconds !== undefined) return Math.round(Number(seconds) * 1000);
  if (!HTTP_DATE.test(raw)) return null;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return null;
  const dateRaw = typeof responseDate === "string" ? responseDate : responseDate?.[0];
  const serverNow = dateRaw !== undefined && HTTP_DATE.test(dateRaw) ? Date.parse(dateRaw) : Number.NaN;
  return Math.max(0, at - (Number.isNaN(serverNow) ? nowMs : serverNow));
}

/** True for statuses that ask us to come back later and may say when (`Retry-After`). */
export function isThrottleStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/** 5xx except the ones that will never change on their own (501 Not Implemented, 505 HTTP Version). */
function isRetryableServerError(status: number): boolean {
  return status >= 500 && status <= 599 && status !== 501 && status !== 505;
}

const stop = (reason: RetryReason, retryAfterMs: number | null): RetryDecision => ({
  retry: false,
  delayMs: 0,
  reason,
  retryAfterMs,
});

/**
 * Decides whether to retry an attempt and how long to wait first.
 *
 * - 429 and 503 wait exactly `Retry-After` (seconds or HTTP date) when it is valid; if that wait
 *   would break the total-wait cap, stop rather than come back too early.
 * - Other retryable 5xx, timeouts, connection failures and malformed 2xx bodies, and 429/503
 *   without a usable `Retry-After`, back off exponentially with full jitter:
 *   `random() * min(maxDelayMs, baseDelayMs * 2^(attempt-1))`, trimmed to the remaining budget.
 * - Everything else (4xx, 501, 505, success) is not retried here.
 */
export function decideRetry(input: RetryInput): RetryDecision {
  const { attempt, status, error, elapsedMs, policy } = input;
  const throttled = error === undefined && isThrottleStatus(status);
  const retryAfterMs = throttled ? parseRetryAfter(input.headers?.["retry-after"], input.nowMs, input.headers?.date) : null;
  const retryable = error !== undefined || throttled || isRetryableServerError(status);

  if (!retryable) return stop("not_retryable", retryAfterMs);
  if (attempt >= policy.maxAttempts) return stop("attempts_exhausted", retryAfterMs);

  const remainingMs = policy.maxTotalWaitMs - elapsedMs;
  if (retryAfterMs !== null) {
    if (retryAfterMs > remainingMs) return stop("wait_exhausted", retryAfterMs);
    return { retry: true, delayMs: retryAfterMs, reason: "retry_after", retryAfterMs };
  }
  if (remainingMs <= 0) return stop("wait_exhausted", null);

  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(clampUnit(input.random()) * ceiling);
  return { retry: true, delayMs: Math.min(jittered, remainingMs), reason: "backoff", retryAfterMs: null };
}

// An injected random() outside [0, 1) must not stretch a wait beyond the ceiling.
function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}
