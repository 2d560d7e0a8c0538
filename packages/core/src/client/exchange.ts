// One HTTP exchange of the request loop: the whole-exchange timeout, the caller's abort, the
// response body cap, and whether a failed request may have reached the server.
import type { Agent, Dispatcher } from "undici";

/** Response headers as undici gives them (lower-case names). */
export type IncomingHttpHeaders = Dispatcher.ResponseData["headers"];

/** What one exchange produced. */
export type Exchange =
  | { kind: "response"; status: number; headers: IncomingHttpHeaders; body: string }
  /** The body passed `maxResponseBytes`; the request was aborted there. */
  | { kind: "too_large"; status: number; headers: IncomingHttpHeaders }
  | {
      kind: "failure";
      failure: "timeout" | "network";
      /** False only when the request provably never left (refused, DNS, connect timeout). */
      sent: boolean;
      /** The status line that arrived before the body failed, else 0. */
      status: number;
      cause: unknown;
    };

const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
// Failures before a connection existed: nothing of the request can have reached the server.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

/** The first value of a response header. */
export function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The `code` of a thrown value, when it has a string one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** One request on `agent`; throws only the caller's abort reason. */
export async function runExchange(
  agent: Agent,
  request: { method: string; url: URL; body?: string | undefined; signal?: AbortSignal | undefined },
  headers: Record<string, string>,
  limits: { timeoutMs: number; maxResponseBytes: number },
): Promise<Exchange> {
  const { signal } = request;
  // Covers the whole exchange (connect + headers + body); the Agent's own timeouts cover each phase.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), limits.timeoutMs);
  timer.unref?.();
  const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
  let status = 0;
  try {
    const response = await agent.request({
      origin: request.url.origin,
      path: `${request.url.pathname}${request.url.search}`,
      method: request.method as Dispatcher.HttpMethod,
      headers,
      body: request.body ?? null,
      signal: combined,
    });
    status = response.statusCode;
    const tooLarge = () => {
      // Destroying the body aborts the request: nothing more of it is read.
      response.body.destroy();
      return { kind: "too_large", status, headers: response.headers } as const;
    };
    if (Number(firstHeader(response.headers, "content-length") ?? 0) > limits.maxResponseBytes) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limits.maxResponseBytes) return tooLarge();
      chunks.push(chunk);
    }
    return { kind: "response", status, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") };
  } catch (cause) {
    if (signal?.aborted) throw signal.reason;
    const code = errorCode(cause) ?? "";
    const timedOut = timeout.signal.aborted || TIMEOUT_CODES.has(code);
    return { kind: "failure", failure: timedOut ? "timeout" : "network", sent: !NOT_SENT_CODES.has(code), status, cause };
  } finally {
    clearTimeout(timer);
  }
}
