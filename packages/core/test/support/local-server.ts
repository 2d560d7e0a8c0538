// What the client tests share: a real node:http server on 127.0.0.1 that records each request,
// a JSON responder, per-test cleanup, an injected clock that only sleeps move forward, and small
// collectors for rejections and async pages.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";

/** Schedules a cleanup for the end of the current test. */
export type Defer = (cleanup: () => Promise<void> | void) => void;

/**
 * Registers an `afterEach` that runs the cleanups deferred during each test, newest first, and
 * returns the function that defers them. Call it once at the top of a test file.
 */
export function useCleanups(): Defer {
  const pending: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    while (pending.length > 0) await pending.pop()?.();
  });
  return (cleanup) => void pending.push(cleanup);
}

/** One request the local server received, with its body read in full. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** Answers the `n`th request (1-based) once its body has arrived. */
export type LocalHandler = (request: ReceivedRequest, res: ServerResponse, n: number) => void;

/** A running local server. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** Every request so far, in arrival order. */
  seen: ReceivedRequest[];
  /** Drops open connections and stops listening; safe to call twice. */
  close(): Promise<void>;
}

/** Starts a server on an ephemeral loopback port; `defer` closes it after the test. */
export async function startLocalServer(handler: LocalHandler, defer: Defer): Promise<LocalServer> {
  const seen: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(request);
      handler(request, res, seen.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
  defer(close);
  return { url, seen, close };
}

/** Answers with JSON: an object is serialized, a string is sent as is (broken JSON too), no body sends an empty one. */
export function respondJson(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", "request-id": `srv-${status}`, ...headers });
  res.end(body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body));
}

/** An injected time base: `now` moves only when a test sets it or something sleeps. */
export interface TestClock {
  /** The current time in epoch ms. */
  now: number;
  /** Every sleep's duration, in order. */
  readonly waits: number[];
  /** Reads `now` (for a `now` option). */
  readonly read: () => number;
  /** Records the wait and moves `now` forward at once; rejects when `signal` is already aborted. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A {@link TestClock} starting at `startMs`. */
export function createTestClock(startMs: number): TestClock {
  const clock: TestClock = {
    now: startMs,
    waits: [],
    read: () => clock.now,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      clock.waits.push(ms);
      clock.now += ms;
    },
  };
  return clock;
}

/** The reason `promise` rejects with; throws when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** Every item of an async iterable (e.g. a listing's pages), in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
