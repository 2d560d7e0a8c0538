// The request loop of the Partner Center client: token, headers, timeout, abort, pacing,
// retries (retry.ts decides), one token refresh on 401, and mapping failures to our errors.
import { randomUUID } from "node:crypto";
import { Agent, type Dispatcher } from "undici";
import {
  AuthRequiredError,
  NetworkError,
  PartnerCenterHttpError,
  RateLimitedError,
  TimeoutError,
  type RedactedRequest,
} from "../errors.js";
import type { TokenProvider } from "../auth/token-provider.js";
import type { Logger } from "../logger.js";
import { redactRequest } from "../_redact.js";
import { decideRetry, type RetryDecision, type RetryPolicy, type TransportFailure } from "./retry.js";
import { apiErrorCode } from "./schemas.js";
import type { RetryNotice } from "./types.js";

/** Everything the loop needs, defaults already applied. */
export interface HttpConfig {
  tokenProvider: TokenProvider;
  timeoutMs: number;
  retry: RetryPolicy;
  minIntervalMs: number;
  onRetry?: ((notice: RetryNotice) => void) | undefined;
  logger: Logger;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  random: () => number;
}

/** The result of reading a 2xx body: a value, or `malformed` (retried like a 5xx). */
export type BodyParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

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
  send<T>(request: HttpRequest<T>): Promise<{ status: number; value: T } | null>;
  close(): Promise<void>;
}

type IncomingHttpHeaders = Dispatcher.ResponseData["headers"];

type Exchange =
  | { kind: "response"; status: number; headers: IncomingHttpHeaders; body: string }
  | { kind: "failure"; failure: Exclude<TransportFailure, "malformed">; cause: unknown };

const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
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
  const { logger, timeoutMs } = config;
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

  async function exchange(
    request: Pick<HttpRequest<unknown>, "method" | "url" | "body" | "signal">,
    headers: Record<string, string>,
  ): Promise<Exchange> {
    const { signal } = request;
    // Covers the whole exchange (connect + headers + body); the Agent's own timeouts cover each phase.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    timer.unref?.();
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    try {
      const response = await agent.request({
        origin: request.url.origin,
        path: `${request.url.pathname}${request.url.search}`,
        method: request.method,
        headers,
        body: request.body ?? null,
        signal: combined,
      });
      const body = await response.body.text();
      return { kind: "response", status: response.statusCode, headers: response.headers, body };
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      const timedOut = timeout.signal.aborted || TIMEOUT_CODES.has(errorCode(cause) ?? "");
      return { kind: "failure", failure: timedOut ? "timeout" : "network", cause };
    } finally {
      clearTimeout(timer);
    }
  }

  async function send<T>(request: HttpRequest<T>): Promise<{ status: number; value: T } | null> {
    const { method, signal, correlationId } = request;
    const path = request.url.pathname;
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
      const result = await exchange(request, headers);
      const durationMs = config.now() - started;
      const status = result.kind === "response" ? result.status : 0;
      const serverRequestId = result.kind === "response" ? firstHeader(result.headers, "request-id") : undefined;
      logger.debug(
        { method, path, status, requestId, serverRequestId, correlationId, attempt, durationMs },
        "partner center request",
      );

      let decision: RetryDecision;
      let failure: TransportFailure | undefined;
      if (result.kind === "failure") {
        failure = result.failure;
        decision = decideRetry({ attempt, status: 0, error: failure, elapsedMs: waitedMs, ...clock() });
        if (!decision.retry) {
          const detail = errorCode(result.cause) ?? (result.cause instanceof Error ? result.cause.name : "error");
          if (failure === "timeout") {
            throw new TimeoutError(`${method} ${path} timed out after ${attempt} attempt(s) (${detail}).`, {
              status: 0,
              correlationId,
              request: redacted(),
              cause: result.cause,
            });
          }
          throw new NetworkError(`${method} ${path} failed to connect after ${attempt} attempt(s) (${detail}).`, {
            cause: result.cause,
          });
        }
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
          if (parsed.ok) return { status, value: parsed.value };
          failure = "malformed";
          decision = decideRetry({ attempt, status, error: failure, elapsedMs: waitedMs, ...clock() });
          if (!decision.retry) {
            throw new PartnerCenterHttpError(
              `${method} ${path} answered ${status} with a body that is not the expected JSON (${parsed.reason}), ${attempt} attempt(s).`,
              { ...details(), apiCode: undefined },
            );
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
          if (!decision.retry) {
            const error = details();
            const apiCode = error.apiCode ? ` (${error.apiCode})` : "";
            const after = decision.reason === "not_retryable" ? "" : ` after ${attempt} attempt(s)`;
            const message = `${method} ${path} answered ${status}${apiCode}${after}.`;
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
