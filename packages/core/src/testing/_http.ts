// Small node:http helpers shared by the fakes (core must not depend on a web framework).
import { createServer, request as nodeRequest } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Largest request body the fakes accept; anything bigger is a test bug, not a use case. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the whole request body as UTF-8. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Writes a JSON response with an exact `content-length`. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Writes an empty response (204, or a status whose body does not matter). */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, "content-length": "0" });
  res.end();
}

/** The first value of a request header, lower-case name. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The request URL parsed against a dummy origin (only path and query matter). */
export function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? "/", "http://fake.invalid");
}

/** Query parameters as a plain record (the last value wins). */
export function queryRecord(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  return query;
}

/** A listening HTTP server on 127.0.0.1 and how to stop it. */
export interface LocalServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1 (`port` 0 picks a free ephemeral port). */
export async function listenLocal(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  port = 0,
): Promise<LocalServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive clients (undici) would otherwise hold close() open until their idle timeout.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Resolves after `ms` (0 resolves on the next macrotask); `unref` so a pending delay never pins the process. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}

/** base64url of a UTF-8 string or a JSON value. */
export function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString("base64url");
}

/** A response read by {@link httpRequest}. */
export interface PlainResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** One HTTP/1.1 request over node:http (no global dispatcher, so MockAgent in a test cannot intercept it). */
export function httpRequest(
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const req = nodeRequest(url, { method: init.method, headers: init.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
        }
        resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString("utf8") });
      });
    });
    req.on("error", reject);
    req.end(init.body);
  });
}
