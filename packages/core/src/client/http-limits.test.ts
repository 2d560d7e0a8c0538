// The request loop's safety limits: capped response bodies (item 8), writes never sent twice
// (item 10), and HTTP-date Retry-After read against the server's clock (item 14).
import { describe, expect, it } from "vitest";
import { NetworkError, PcReferralsError, TimeoutError, UnconfirmedWriteError } from "../errors.js";
import { setupHttpLoop } from "../../test/support/http-loop.js";
import { rejectionOf, respondJson, startLocalServer, useCleanups, type LocalHandler } from "../../test/support/local-server.js";
import type { HttpConfig } from "./http.js";
import { DEFAULT_RETRY_POLICY } from "./retry.js";

const defer = useCleanups();
const serve = (handler: LocalHandler) => startLocalServer(handler, defer);
const setup = (overrides: Partial<HttpConfig> = {}) => setupHttpLoop(defer, overrides);

/** Streams `total` bytes of JSON whitespace after `[]` (no content-length) until the client hangs up; counts what it wrote. */
function streamHugeBody(total: number) {
  const written = { bytes: 0 };
  const handler: LocalHandler = (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let closed = false;
    res.on("close", () => (closed = true));
    const pump = () => {
      while (!closed && written.bytes < total) {
        written.bytes += chunk.length;
        if (!res.write(written.bytes === chunk.length ? Buffer.concat([Buffer.from("[]"), chunk]) : chunk)) {
          res.once("drain", pump);
          return;
        }
      }
      if (!closed) res.end();
    };
    pump();
  };
  return { written, handler };
}

describe("item 8: response bodies are capped", () => {
  it("item 8: a body that streams past maxResponseBytes aborts the request with response_too_large, without a retry", async () => {
    const huge = streamHugeBody(256 * 1024 * 1024);
    const server = await serve(huge.handler);
    const { get, notices } = setup({ maxResponseBytes: 256 * 1024 });
    const error = await rejectionOf(get(server.url));
    expect(PcReferralsError.hasCode(error, "response_too_large")).toBe(true);
    expect(error).toMatchObject({ status: 200, limitBytes: 256 * 1024, correlationId: "corr-1" });
    expect(server.seen).toHaveLength(1);
    expect(notices).toEqual([]);
    // The client hung up early: the server never got to write the whole body.
    expect(huge.written.bytes).toBeLessThan(256 * 1024 * 1024);
  });

  it("item 8: a content-length above the cap fails before the body is read", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(300 * 1024 * 1024) });
      res.write("[");
      // Then nothing: only a check of the declared length can end this before the timeout.
    });
    const { get } = setup({ maxResponseBytes: 1024 * 1024, timeoutMs: 3_000, retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 } });
    const error = await rejectionOf(get(server.url));
    expect(PcReferralsError.hasCode(error, "response_too_large")).toBe(true);
  });

  it("item 8: a body exactly at the cap is read", async () => {
    const body = JSON.stringify({ id: "abc", pad: "x".repeat(1000) });
    const server = await serve((_req, res) => respondJson(res, 200, body));
    const { get } = setup({ maxResponseBytes: Buffer.byteLength(body) });
    await expect(get(server.url)).resolves.toMatchObject({ status: 200, value: { id: "abc" } });
  });
});

describe("item 10: a PATCH is never sent twice after it may have reached the server", () => {
  it("item 10: a connection reset after the PATCH was sent is not retried and reports write_unconfirmed, landed null", async () => {
    const server = await serve((_req, res, n) => (n === 1 ? res.socket?.destroy() : respondJson(res, 200, { id: "abc" })));
    const { patch, notices } = setup();
    const error = await rejectionOf(patch(server.url));
    expect(error).toBeInstanceOf(UnconfirmedWriteError);
    expect(error).toMatchObject({ code: "write_unconfirmed", landed: null });
    expect((error as UnconfirmedWriteError).cause).toBeInstanceOf(NetworkError);
    expect(server.seen).toHaveLength(1);
    expect(notices).toEqual([]);
  });

  it("item 10: a PATCH that times out after it was sent is not retried", async () => {
    const server = await serve(() => {
      // never answers
    });
    const { patch } = setup({ timeoutMs: 100 });
    const error = await rejectionOf(patch(server.url));
    expect(error).toMatchObject({ code: "write_unconfirmed", landed: null });
    expect((error as UnconfirmedWriteError).cause).toBeInstanceOf(TimeoutError);
    expect(server.seen).toHaveLength(1);
  });

  it.each([500, 502, 504])("item 10: a PATCH answered %i is not retried (the change may have applied)", async (status) => {
    const server = await serve((_req, res) => respondJson(res, status, { error: { code: "generalException", message: "boom" } }));
    const { patch } = setup();
    const error = await rejectionOf(patch(server.url));
    expect(error).toMatchObject({ code: "write_unconfirmed", landed: null });
    expect((error as UnconfirmedWriteError).cause).toMatchObject({ code: "api_error", status, apiCode: "generalException" });
    expect(server.seen).toHaveLength(1);
  });

  it("item 10: a PATCH answered 2xx with a cut body is not resent, and reports landed true", async () => {
    const server = await serve((_req, res) => respondJson(res, 200, '{"id": "ab'));
    const { patch } = setup();
    const error = await rejectionOf(patch(server.url));
    expect(error).toMatchObject({ code: "write_unconfirmed", landed: true });
    expect(server.seen).toHaveLength(1);
  });

  it("item 10: a PATCH refused at connect provably never left, so it is retried", async () => {
    const server = await serve((_req, res) => respondJson(res, 200, {}));
    await server.close();
    const { patch, notices } = setup({ retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 } });
    const error = await rejectionOf(patch(server.url));
    expect(error).toBeInstanceOf(NetworkError);
    expect(notices).toMatchObject([{ attempt: 1, status: 0 }]);
  });

  it("item 10: a PATCH throttled with 429 was not processed, so it is retried after Retry-After", async () => {
    const server = await serve((_req, res, n) => (n === 1 ? respondJson(res, 429, {}, { "retry-after": "3" }) : respondJson(res, 200, { id: "abc" })));
    const { patch, time } = setup();
    await expect(patch(server.url)).resolves.toEqual({ status: 200, value: { id: "abc" }, requestId: expect.any(String) });
    expect(time.waits).toEqual([3_000]);
    expect(server.seen).toHaveLength(2);
  });
});

describe("item 14: an HTTP-date Retry-After is read against the response's Date header", () => {
  it("item 14: waits 30 s, not an hour and 30 s, when the local clock is an hour behind the server", async () => {
    const server = await serve((_req, res, n) =>
      n === 1
        ? respondJson(res, 429, {}, { "retry-after": "Sun, 01 Jun 2025 13:00:30 GMT", date: "Sun, 01 Jun 2025 13:00:00 GMT" })
        : respondJson(res, 200, { id: "abc" }),
    );
    // The test clock starts at 12:00:00Z: an hour behind the server's Date.
    const { get, time } = setup();
    await expect(get(server.url)).resolves.toMatchObject({ status: 200 });
    expect(time.waits).toEqual([30_000]);
  });
});
