import { describe, expect, it } from "vitest";
import {
  AuthRequiredError,
  NetworkError,
  PartnerCenterHttpError,
  PcReferralsError,
  RateLimitedError,
  TimeoutError,
} from "../errors.js";
import { setupHttpLoop, TOKEN } from "../../test/support/http-loop.js";
import { rejectionOf, respondJson, startLocalServer, useCleanups, type LocalHandler } from "../../test/support/local-server.js";
import type { HttpConfig } from "./http.js";
import { DEFAULT_RETRY_POLICY } from "./retry.js";

const defer = useCleanups();
const serve = (handler: LocalHandler) => startLocalServer(handler, defer);
const setup = (overrides: Partial<HttpConfig> = {}) => setupHttpLoop(defer, overrides);

describe("request loop", () => {
  it("sends the bearer token, Accept, the run's correlation id and a fresh request id each time", async () => {
    const server = await serve((_req, res, n) => (n === 1 ? respondJson(res, 500, {}) : respondJson(res, 200, { id: "abc" })));
    const { get } = setup();
    await expect(get(server.url)).resolves.toEqual({ status: 200, value: { id: "abc" }, requestId: expect.any(String) });
    const [first, second] = server.seen;
    expect(first?.headers.authorization).toBe(`Bearer ${TOKEN}-1`);
    expect(first?.headers.accept).toBe("application/json");
    expect([first?.headers["ms-correlationid"], second?.headers["ms-correlationid"]]).toEqual(["corr-1", "corr-1"]);
    expect(first?.headers["ms-requestid"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(first?.headers["ms-requestid"]).not.toBe(second?.headers["ms-requestid"]);
  });

  it("answers with the server's request-id header (the write-back audit trail keeps it)", async () => {
    const server = await serve((_req, res) => respondJson(res, 200, { id: "abc" }, { "request-id": "srv-req-1" }));
    const { get } = setup();
    await expect(get(server.url)).resolves.toMatchObject({ requestId: "srv-req-1" });
  });

  it.each([
    ["429 with Retry-After seconds", 429, { "retry-after": "7" }, 7_000],
    ["503 with Retry-After seconds", 503, { "retry-after": "2" }, 2_000],
    [
      "429 with an HTTP-date Retry-After (read against the response's Date)",
      429,
      { "retry-after": "Sun, 01 Jun 2025 12:00:30 GMT", date: "Sun, 01 Jun 2025 12:00:00 GMT" },
      30_000,
    ],
    ["500 (full jitter, random 0.5 of 500 ms)", 500, {}, 250],
    ["504", 504, {}, 250],
  ])("retries %s, waiting as told and reporting it", async (_name, status, headers, delayMs) => {
    const server = await serve((_req, res, n) => (n === 1 ? respondJson(res, status, {}, headers) : respondJson(res, 200, { id: "abc" })));
    const { get, time, notices, logs } = setup();
    await expect(get(server.url)).resolves.toMatchObject({ status: 200 });
    expect(time.waits).toEqual([delayMs]);
    expect(notices).toEqual([{ attempt: 1, delayMs, status, requestId: `srv-${status}`, correlationId: "corr-1" }]);
    expect(logs.filter((l) => l.level === "warn")).toHaveLength(1);
  });

  it("retries a 2xx whose body is not JSON like a 5xx", async () => {
    const server = await serve((_req, res, n) => (n === 1 ? respondJson(res, 200, '{"value": [') : respondJson(res, 200, { id: "abc" })));
    const { get, notices } = setup();
    await expect(get(server.url)).resolves.toEqual({ status: 200, value: { id: "abc" }, requestId: expect.any(String) });
    expect(notices.map((n) => [n.attempt, n.status])).toEqual([[1, 200]]);
  });

  it("retries a connection reset with backoff (status 0 in the notice)", async () => {
    const server = await serve((_req, res, n) => (n === 1 ? res.socket?.destroy() : respondJson(res, 200, { id: "abc" })));
    const { get, notices } = setup();
    await expect(get(server.url)).resolves.toMatchObject({ status: 200 });
    expect(notices).toMatchObject([{ attempt: 1, status: 0, delayMs: 250 }]);
  });

  it("gives up after maxAttempts with the last status", async () => {
    const server = await serve((_req, res) => respondJson(res, 500, { error: { code: "generalException", message: "boom" } }));
    const { get, notices, time } = setup();
    const error = await rejectionOf(get(server.url));
    expect(error).toBeInstanceOf(PartnerCenterHttpError);
    expect(error).toMatchObject({ code: "api_error", status: 500, apiCode: "generalException", requestId: "srv-500" });
    expect(server.seen).toHaveLength(4);
    expect(notices.map((n) => n.attempt)).toEqual([1, 2, 3]);
    expect(time.waits).toEqual([250, 500, 1_000]);
  });

  it("ends a 429 that outlasts the caps in RateLimitedError with the server's Retry-After", async () => {
    const server = await serve((_req, res) => respondJson(res, 429, { statusCode: 429 }, { "retry-after": "50" }));
    const { get, time } = setup();
    const error = await rejectionOf(get(server.url));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: "rate_limited", status: 429, retryAfterMs: 50_000 });
    // Two waits of 50 s fit the 2-minute budget; the third would not.
    expect(time.waits).toEqual([50_000, 50_000]);
    expect(server.seen).toHaveLength(3);
  });

  it("refreshes the token once after a 401 and retries without waiting", async () => {
    const server = await serve((_req, res, n) => (n === 1 ? respondJson(res, 401, {}) : respondJson(res, 200, { id: "abc" })));
    const { get, tokens, time, notices } = setup();
    await expect(get(server.url)).resolves.toMatchObject({ status: 200 });
    expect(tokens).toEqual({ issued: 2, invalidated: 1 });
    expect(server.seen.map((s) => s.headers.authorization)).toEqual([`Bearer ${TOKEN}-1`, `Bearer ${TOKEN}-2`]);
    expect(time.waits).toEqual([]);
    expect(notices).toEqual([]);
  });

  it("asks for a new login when the refreshed token is also refused", async () => {
    const server = await serve((_req, res) => respondJson(res, 401, { error: { code: "unauthenticated", message: "no" } }));
    const { get } = setup();
    const error = await rejectionOf(get(server.url));
    expect(error).toBeInstanceOf(AuthRequiredError);
    expect(((error as AuthRequiredError).cause as PartnerCenterHttpError).apiCode).toBe("unauthenticated");
    expect(server.seen).toHaveLength(2);
  });

  it.each([400, 403, 409, 412, 501])("fails a %i at once, with its API code, request id and no token", async (status) => {
    const server = await serve((_req, res) =>
      respondJson(res, status, { error: { code: "invalidRequest", message: "bad", target: "referral" } }, { "request-id": "rid-9" }),
    );
    const { get, notices, logs } = setup();
    const error = (await rejectionOf(get(server.url))) as PartnerCenterHttpError;
    expect(PcReferralsError.hasCode(error, "api_error")).toBe(true);
    expect(error).toMatchObject({ status, apiCode: "invalidRequest", requestId: "rid-9", correlationId: "corr-1" });
    expect(error.request?.headers.authorization).toBe("Bearer [REDACTED]");
    expect(error.request?.url).not.toContain("jo@");
    expect(server.seen).toHaveLength(1);
    expect(notices).toEqual([]);
    const everything = [JSON.stringify(error), error.message, error.stack, JSON.stringify(error.request), JSON.stringify(logs)];
    for (const text of everything) expect(text).not.toContain(TOKEN);
  });

  it("answers null for a status the caller lists in nullOn", async () => {
    const server = await serve((_req, res) => respondJson(res, 404, { error: { code: "itemNotFound", message: "no" } }));
    const { get } = setup();
    await expect(get(server.url, { nullOn: [404] })).resolves.toBeNull();
  });

  it("times out a request that never answers, and reports TimeoutError after the retries", async () => {
    const server = await serve(() => {
      // never answers
    });
    const { get, notices } = setup({ timeoutMs: 100, retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 } });
    const error = await rejectionOf(get(server.url));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: "timeout", status: 0 });
    expect(notices).toMatchObject([{ status: 0 }]);
    expect(server.seen).toHaveLength(2);
  });

  it("times out a body that keeps trickling past the timeout (the timeout covers the whole exchange)", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
      // Each chunk arrives well within the timeout, so only a whole-exchange timer can stop this.
      const drip = setInterval(() => res.write(" "), 20);
      res.on("close", () => clearInterval(drip));
    });
    const { get, notices } = setup({ timeoutMs: 150, retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 } });
    const error = await rejectionOf(get(server.url));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(notices).toEqual([]);
    expect(server.seen).toHaveLength(1);
  });

  it("reports NetworkError when nothing listens", async () => {
    const server = await serve((_req, res) => respondJson(res, 200, {}));
    await server.close();
    const { get } = setup({ retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 } });
    const error = await rejectionOf(get(server.url));
    expect(error).toBeInstanceOf(NetworkError);
    expect(String((error as Error).message)).not.toContain(TOKEN);
  });

  it("stops at once with the caller's abort reason, without retrying", async () => {
    const controller = new AbortController();
    const reason = new Error("caller stopped");
    const server = await serve(() => controller.abort(reason));
    const { get, notices } = setup();
    await expect(get(server.url, { signal: controller.signal })).rejects.toBe(reason);
    expect(server.seen).toHaveLength(1);
    expect(notices).toEqual([]);
  });

  it("stops during a retry wait when the caller aborts", async () => {
    const controller = new AbortController();
    const server = await serve((_req, res) => respondJson(res, 503, {}, { "retry-after": "5" }));
    const { get } = setup({
      sleep: async (_ms, signal) => {
        controller.abort(new Error("bye"));
        signal?.throwIfAborted();
      },
    });
    await expect(get(server.url, { signal: controller.signal })).rejects.toThrow("bye");
    expect(server.seen).toHaveLength(1);
  });

  it("logs each request at debug without the query string, and retries at warn", async () => {
    const server = await serve((_req, res, n) => (n === 1 ? respondJson(res, 502, {}) : respondJson(res, 200, {})));
    const { get, logs } = setup();
    await get(server.url);
    const debug = logs.filter((l) => l.level === "debug").map((l) => l.obj);
    expect(debug).toHaveLength(2);
    expect(debug[0]).toMatchObject({ method: "GET", path: "/v1.0/engagements/referrals/abc", status: 502, attempt: 1 });
    expect(debug[1]).toMatchObject({ status: 200, attempt: 2, durationMs: expect.any(Number) });
    expect(JSON.stringify(logs)).not.toContain("contoso");
    expect(logs.filter((l) => l.level === "warn")[0]?.obj).toMatchObject({ status: 502, delayMs: 250 });
  });

  it("keeps the minimum interval between request starts (injected clock)", async () => {
    const server = await serve((_req, res) => respondJson(res, 200, {}));
    const starts: number[] = [];
    const { get, time } = setup({
      minIntervalMs: 1_000,
      tokenProvider: {
        getAccessToken: async () => {
          starts.push(time.now);
          return TOKEN;
        },
      },
    });
    const t0 = time.now;
    await get(server.url);
    await get(server.url);
    time.now += 400;
    await get(server.url);
    time.now += 5_000;
    await get(server.url);
    expect(starts.map((t) => t - t0)).toEqual([0, 1_000, 2_000, 7_000]);
    expect(time.waits).toEqual([1_000, 600]);
  });
});
