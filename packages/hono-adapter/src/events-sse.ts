// GET /events: the engine's typed events as Server-Sent Events. Each client gets its own bounded
// queue: emitting stays synchronous and cheap for the engine, and a client that cannot keep up is
// disconnected instead of holding memory or slowing a sync.
import { maskPii, type SyncEvent } from "@pc-referrals/core";
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import type { RouteSettings } from "./route-options.js";
import { problem, problems } from "./route-kit.js";
import { requireEngine, scopeOf } from "./tenant-scope.js";

const events = createRoute({
  method: "get",
  path: "/events",
  tags: ["events"],
  summary: "Live sync events (Server-Sent Events)",
  description:
    "`event:` the event type (sync.started … sync.failed), `id:` a sequence number per connection, `data:` the event as JSON with contact data masked. A `: heartbeat` comment is sent every 15 s.",
  responses: {
    200: {
      description: "An endless text/event-stream.",
      content: { "text/event-stream": { schema: z.string().meta({ description: "SSE frames." }) } },
    },
    ...problems(401, 403),
    404: problem("`not_found`: a tenant's request, when no engine syncs that tenant (workers do)."),
  },
});

/** Adds GET /events to `app`. */
export function registerEventRoutes(app: OpenAPIHono, settings: RouteSettings): void {
  const { heartbeatMs, maxBufferedEvents } = settings;

  app.openapi(events, (c) => {
    // Checked before the stream opens, so a tenant without an engine gets a 404 and not an empty stream.
    const engine = requireEngine(scopeOf(c, settings), "GET /events");
    return streamSSE(c, async (stream) => {
      const queue: SyncEvent[] = [];
      let wake: (() => void) | null = null;
      let closed = false;
      const notify = () => {
        wake?.();
        wake = null;
      };
      const off = engine.onAny((event) => {
        if (closed) return;
        if (queue.length >= maxBufferedEvents) {
          close();
          return;
        }
        queue.push(event);
        notify();
      });
      const heartbeat = setInterval(() => {
        // Skipped while a write is pending: that client is busy, and the queue bound decides its fate.
        if (wake !== null) void stream.write(": heartbeat\n\n").catch(close);
      }, heartbeatMs);
      function close() {
        if (closed) return;
        closed = true;
        off();
        clearInterval(heartbeat);
        queue.length = 0;
        notify();
        // Ends the response for the client too, and fails a write that is stuck on a full pipe.
        stream.abort();
      }
      stream.onAbort(close);
      c.req.raw.signal.addEventListener("abort", close, { once: true });

      await pump(stream, queue, () => closed, (resolve) => (wake = resolve)).catch(() => {});
      close();
    });
  });
}

/** Writes queued events in order until the stream closes; ids count up from 1 per connection. */
async function pump(stream: SSEStreamingApi, queue: SyncEvent[], isClosed: () => boolean, waitFor: (resolve: () => void) => void): Promise<void> {
  let seq = 0;
  await stream.write(": connected\n\n");
  while (!isClosed()) {
    const event = queue.shift();
    if (event === undefined) {
      await new Promise<void>(waitFor);
      continue;
    }
    seq += 1;
    await stream.writeSSE({ event: event.type, id: String(seq), data: JSON.stringify(maskPii(event)) });
  }
}
