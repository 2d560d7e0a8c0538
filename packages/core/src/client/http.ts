// The request loop of the Partner Center client: token, headers, timeout, abort, pacing,
// retries (retry.ts decides), one token refresh on 401, and mapping failures to our errors.
import { randomUUID } from "node:crypto";
import { Agent } from "./undici-agent.js";
import {
  AuthRequiredError,
  NetworkError,
  PartnerCenterHttpError,
  RateLimitedError,
  ResponseTooLargeError,
  TimeoutError,
  UnconfirmedWriteError,
  type RedactedRequest,
} from "../errors.js";
import type { TokenProvider } from "../auth/token-provider.js";
import type { Logger } from "../logger.js";
import { redactRequest } from "../_redact.js";
import { errorCode, firstHeader, runExchange } from "./exchange.js";
import { decideRetry, isThrottleStatus, type RetryDecision, type RetryPolicy, type TransportFailure } from "./retry.js";
import { apiErrorCode } from "./schemas.js";
import type { RetryNotice } from "./types.js";

/** Everything the loop needs, defaults already applied. */
export interface HttpConfig {
  tokenProvider: TokenProvider;
  timeoutMs: number;
  /** Largest response body read; a longer one aborts the request. */
  maxResponseBytes: number;
  retry: RetryPolicy;
  minIntervalMs: number;
  onRetry?: ((notice: RetryNotice) => void) | undefined;
  logger: Logger;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  random: () => number;
}

/**
 * The result of reading a 2xx body: a value, or `malformed` (retried like a 5xx), or with `final`
 * a body that will not get better by asking again (failed at once as `api_error`).
 */
export type BodyParseResult<T> = { ok: true; value: T } | { ok: false; reason: string; final?: boolean };

/** One logical request; the loop may send it several times. */
export interface HttpRequest<T> {
  method: "GET" | "PATCH";
  url: URL;
  correlationId: string;
  body?: string | undefined;
  /** Extra headers (`If-Match`, `Prefer`, `Content-Type`). */
  headers?: Readonly<Record<string, string>> | undefined;
  signal?: AbortSignal | undefined;
  /** Statuses answered with `null` rather than an error (404 for "get one"). */
  nullOn?: readonly number[] | undefined;
  parse(body: string, status: number): BodyParseResult<T>;
}

/** A request loop bound to one keep-alive connection pool. */
export interface HttpClient {
  /** `requestId`: the server's `request-id` header, else the `MS-RequestId` we sent. */
  send<T>(request: HttpRequest<T>): Promise<{ status: number; value: T; requestId: string } | null>;
  close(): Promise<void>;
}

/** Parses JSON without throwing; the loop retries a malformed 2xx body like a 5xx. */
export function parseJsonBody(body: string): BodyParseResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false, reason: "invalid JSON" };
  }
}

/** Creates the loop with one keep-alive undici `Agent`; `close()` releases its sockets. */
export function createHttpClient(config: HttpConfig): HttpClient {
  const { logger, timeoutMs, maxResponseBytes } = config;
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  let nextSlotMs = Number.NEGATIVE_INFINITY;

  // Slots are reserved synchronously, so concurrent callers also keep the minimum interval.
  async function pace(signal: AbortSignal | undefined): Promise<void> {
    if (config.minIntervalMs <= 0) return;
    const now = config.now();
    const slot = Math.max(now, nextSlotMs);
    nextSlotMs = slot + config.minIntervalMs;
    if (slot > now) await config.sleep(slot - now, signal);
  }

  async function send<T>(request: HttpRequest<T>): Promise<{ status: number; value: T; requestId: string } | null> {
    const { method, signal, correlationId } = request;
    const path = request.url.pathname;
    // A PATCH is not idempotent (an `add` applied twice adds twice): it is sent again only when
    // it provably never reached the server, or the server said it did not process it (429/503).
    const idempotent = method === "GET";
    const unconfirmed = (landed: boolean | null, cause: unknown, what: string) =>
      new UnconfirmedWriteError(
        `${method} ${path} ${what}; it may have reached Partner Center, so it was not sent again.`,
        { landed, cause },
      );
    let attempt = 1;
    let waitedMs = 0;
    let refreshedToken = false;

    for (;;) {
      signal?.throwIfAborted();
      await pace(signal);
      const token = await config.tokenProvider.getAccessToken(signal);
      signal?.throwIfAborted();
      const requestId = randomUUID();
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: "application/json",
        "ms-correlationid": correlationId,
        "ms-requestid": requestId,
        "user-agent": "pc-referrals",
        ...request.headers,
      };
      const redacted = (): RedactedRequest => redactRequest({ method, url: request.url.href, headers });
      const started = config.now();
      const result = await runExchange(agent, request, headers, { timeoutMs, maxResponseBytes });
      const durationMs = config.now() - started;
      const status = result.kind === "failure" ? 0 : result.status;
      const serverRequestId = result.kind === "failure" ? undefined : firstHeader(result.headers, "request-id");
      logger.debug(
        { method, path, status, requestId, serverRequestId, correlationId, attempt, durationMs },
        "partner center request",
      );

      let decision: RetryDecision;
      let failure: TransportFailure | undefined;
      if (result.kind === "failure") {
        failure = result.failure;
        decision = decideRetry({ attempt, status: 0, error: failure, elapsedMs: waitedMs, ...clock() });
        const mayHaveLanded = !idempotent && result.sent;
        if (!decision.retry || mayHaveLanded) {
          const detail = errorCode(result.cause) ?? (result.cause instanceof Error ? result.cause.name : "error");
          const error =
            failure === "timeout"
              ? new TimeoutError(`${method} ${path} timed out after ${attempt} attempt(s) (${detail}).`, {
                  status: 0,
                  correlationId,
                  request: redacted(),
                  cause: result.cause,
                })
              : new NetworkError(`${method} ${path} failed to connect after ${attempt} attempt(s) (${detail}).`, {
                  cause: result.cause,
                });
          if (!mayHaveLanded) throw error;
          // A 2xx status line before the failure means the change applied; only its body was lost.
          const answered2xx = result.status >= 200 && result.status < 300;
          throw unconfirmed(answered2xx ? true : null, error, answered2xx ? `answered ${result.status} but its body was lost` : `failed (${detail})`);
        }
      } else if (result.kind === "too_large") {
        const error = new ResponseTooLargeError(
          `${method} ${path} answered ${status} with a body over maxResponseBytes (${maxResponseBytes}); the request was aborted.`,
          { status, requestId: serverRequestId, correlationId, request: redacted(), limitBytes: maxResponseBytes },
        );
        if (!idempotent && status >= 200 && status < 300) throw unconfirmed(true, error, `answered ${status} with a body too large to read`);
        throw error;
      } else {
        // Built only for an error: parsing the body again and redacting the URL on every page would be waste.
        const details = () => ({
          status,
          apiCode: apiErrorCode(result.body),
          requestId: serverRequestId,
          correlationId,
          request: redacted(),
        });
        if (status >= 200 && status < 300) {
          const parsed = request.parse(result.body, status);
          if (parsed.ok) return { status, value: parsed.value, requestId: serverRequestId ?? requestId };
          if (parsed.final) {
            throw new PartnerCenterHttpError(`${method} ${path} answered ${status} with ${parsed.reason}.`, { ...details(), apiCode: undefined });
          }
          failure = "malformed";
          decision = decideRetry({ attempt, status, error: failure, elapsedMs: waitedMs, ...clock() });
          if (!decision.retry || !idempotent) {
            const error = new PartnerCenterHttpError(
              `${method} ${path} answered ${status} with a body that is not the expected JSON (${parsed.reason}), ${attempt} attempt(s).`,
              { ...details(), apiCode: undefined },
            );
            throw idempotent ? error : unconfirmed(true, error, `answered ${status} with an unreadable body`);
          }
        } else if (request.nullOn?.includes(status)) {
          return null;
        } else if (status === 401 && !refreshedToken) {
          // One refresh per request: a second 401 means the grant itself is no longer good.
          refreshedToken = true;
          config.tokenProvider.invalidate?.();
          logger.info({ method, path, status, requestId, correlationId }, "partner center token refreshed after 401");
          continue;
        } else if (status === 401) {
          throw new AuthRequiredError("Partner Center rejected the access token again after a refresh (401).", {
            cause: new PartnerCenterHttpError(`${method} ${path} answered 401.`, details()),
          });
        } else {
          decision = decideRetry({ attempt, status, headers: result.headers, elapsedMs: waitedMs, ...clock() });
          // A 5xx other than 503 says nothing about whether the change applied.
          const mayHaveLanded = decision.retry && !idempotent && !isThrottleStatus(status);
          if (!decision.retry || mayHaveLanded) {
            const error = details();
            const apiCode = error.apiCode ? ` (${error.apiCode})` : "";
            const after = decision.reason === "not_retryable" || mayHaveLanded ? "" : ` after ${attempt} attempt(s)`;
            const message = `${method} ${path} answered ${status}${apiCode}${after}.`;
            if (mayHaveLanded) throw unconfirmed(null, new PartnerCenterHttpError(message, error), `answered ${status}${apiCode}`);
            if (status === 429) throw new RateLimitedError(message, { ...error, retryAfterMs: decision.retryAfterMs ?? undefined });
            throw new PartnerCenterHttpError(message, error);
          }
        }
      }

      const notice: RetryNotice = {
        attempt,
        delayMs: decision.delayMs,
        status,
        requestId: serverRequestId ?? requestId,
        correlationId,
      };
      logger.warn({ method, path, ...notice, reason: decision.reason, failure }, "partner center request retried");
      try {
        config.onRetry?.(notice);
      } catch (error) {
        logger.warn({ method, path, errorName: error instanceof Error ? error.name : typeof error }, "onRetry listener failed");
      }
      await config.sleep(decision.delayMs, signal);
      waitedMs += decision.delayMs;
      attempt += 1;
    }
  }

  function clock() {
    return { nowMs: config.now(), random: config.random, policy: config.retry };
  }

  return {
    send,
    async close() {
      await agent.close();
    },
  };
}
