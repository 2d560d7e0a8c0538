// Shared by the request-loop tests: the loop over a local server with an injected clock, a
// recording logger and a counting token provider.
import type { Logger } from "../../src/logger.js";
import { createHttpClient, parseJsonBody, type HttpConfig } from "../../src/client/http.js";
import { DEFAULT_RETRY_POLICY } from "../../src/client/retry.js";
import type { RetryNotice } from "../../src/client/types.js";
import { createTestClock, type Defer } from "./local-server.js";

/** The bearer token the loop sends (with a counter appended); it must never reach errors or logs. */
export const TOKEN = "eyJ0eXAi.secret-access-token.sig";

/** A request loop with test defaults; `get` and `patch` send one request to `base`. */
export function setupHttpLoop(defer: Defer, overrides: Partial<HttpConfig> = {}) {
  const time = createTestClock(Date.parse("2025-06-01T12:00:00Z"));
  const notices: RetryNotice[] = [];
  const logs: { level: string; obj: object; msg?: string | undefined }[] = [];
  const logger: Logger = {
    debug: (obj, msg) => logs.push({ level: "debug", obj, msg }),
    info: (obj, msg) => logs.push({ level: "info", obj, msg }),
    warn: (obj, msg) => logs.push({ level: "warn", obj, msg }),
    error: (obj, msg) => logs.push({ level: "error", obj, msg }),
  };
  const tokens = { issued: 0, invalidated: 0 };
  const http = createHttpClient({
    tokenProvider: {
      getAccessToken: async () => `${TOKEN}-${++tokens.issued}`,
      invalidate: () => {
        tokens.invalidated += 1;
      },
    },
    timeoutMs: 5_000,
    maxResponseBytes: 16 * 1024 * 1024,
    retry: DEFAULT_RETRY_POLICY,
    minIntervalMs: 0,
    onRetry: (notice) => notices.push(notice),
    logger,
    sleep: time.sleep,
    now: time.read,
    random: () => 0.5,
    ...overrides,
  });
  defer(() => http.close());
  const get = (base: string, extra: { signal?: AbortSignal; nullOn?: number[] } = {}) =>
    http.send({
      method: "GET",
      url: new URL(`${base}/v1.0/engagements/referrals/abc?$filter=team/any(t:t/email%20eq%20'jo@contoso.com')`),
      correlationId: "corr-1",
      parse: parseJsonBody,
      ...extra,
    });
  const patch = (base: string) =>
    http.send({
      method: "PATCH",
      url: new URL(`${base}/v1.0/engagements/referrals/abc`),
      correlationId: "corr-1",
      body: '[{"op":"add","path":"/team/-","value":{"email":"a@contoso.com"}}]',
      parse: parseJsonBody,
    });
  return { http, get, patch, time, notices, logs, tokens };
}

