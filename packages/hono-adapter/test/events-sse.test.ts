// GET /events: order and ids, masking, heartbeat, disconnect and the slow-client bound.
import { AuthRequiredError, type SyncEngine } from "@pc-referrals/core";
import { Hono } from "hono";
import { generateReferrals } from "@pc-referrals/core/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createReferralRoutes } from "../src/index.js";
import { MOUNT, startHarness, type Harness } from "./route-harness.js";

interface Frame {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
}

/** The real engine, counting its live `onAny` subscriptions (the SSE clients). */
function countingEngine(engine: SyncEngine) {
  const counter = { active: 0 };
  const proxy = new Proxy(engine, {
    get(target, prop, receiver) {
      if (prop !== "onAny") return Reflect.get(target, prop, receiver) as unknown;
      return (listener: Parameters<SyncEngine["onAny"]>[0]) => {
        counter.active += 1;
        const off = target.onAny(listener);
        return () => {
          counter.active -= 1;
          off();
        };
      };
    },
  });
  return { engine: proxy, counter };
}

/** Reads SSE frames off a response body. */
function frameReader(res: Response) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const frames: Frame[] = [];
  let done = false;
  async function pull(): Promise<boolean> {
    const chunk = await reader.read();
    if (chunk.done) {
      done = true;
      return false;
    }
    buffer += decoder.decode(chunk.value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const frame: Frame = {};
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) frame.comment = line.slice(1).trim();
        else {
          const [key, ...rest] = line.split(": ");
          (frame as Record<string, string>)[key ?? ""] = rest.join(": ");
        }
      }
      frames.push(frame);
    }
    return true;
  }
  return {
    frames,
    get done() {
      return done;
    },
    /** Reads until `until` holds for the frames so far, or the stream ends. */
    async readUntil(until: (frames: Frame[]) => boolean) {
      while (!until(frames) && (await pull()));
      return frames;
    },
    cancel: () => reader.cancel(),
  };
}

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

function mount(harness: Harness, events?: { heartbeatMs?: number; maxBufferedEvents?: number }) {
  const { engine, counter } = countingEngine(harness.engine);
  const app = new Hono().route(MOUNT, createReferralRoutes({ engine, store: harness.store, unsafeAllowAll: true, ...(events ? { events } : {}) }));
  return { app, counter, open: () => app.request(`${MOUNT}/events`) };
}

const isEnd = (f: Frame) => f.event === "sync.completed" || f.event === "sync.failed";

describe("GET /events", () => {
  it("streams a run's events in order, with increasing ids and the type in both event: and data", async () => {
    h = await startHarness({ count: 40 });
    const { open } = mount(h);
    const res = await open();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const stream = frameReader(res);
    await stream.readUntil((f) => f.some((x) => x.comment === "connected"));
    const report = await h.engine.run({ trigger: "manual" });
    const frames = (await stream.readUntil((f) => f.some(isEnd))).filter((f) => f.event !== undefined);
    await stream.cancel();

    const events = frames.map((f) => JSON.parse(f.data ?? "null") as { type: string; runId?: string });
    expect(frames.map((f) => Number(f.id))).toEqual(frames.map((_, i) => i + 1));
    expect(frames.map((f) => f.event)).toEqual(events.map((e) => e.type));
    expect(events[0]?.type).toBe("sync.started");
    expect(events.at(-1)?.type).toBe("sync.completed");
    expect(events.filter((e) => e.type === "referral.ingested")).toHaveLength(report.counts.ingested);
    expect(new Set(events.map((e) => e.runId))).toEqual(new Set([report.runId]));
  });

  const email = "jane.doe@contoso.com";
  const phone = "+1 425 555 0100";

  /** One run watched through /events: its frames and their data joined. */
  async function watchOneRun(harness: Harness) {
    const stream = frameReader(await mount(harness).open());
    await stream.readUntil((f) => f.length > 0);
    await harness.engine.run({ trigger: "manual" });
    const frames = await stream.readUntil((f) => f.some(isEnd));
    await stream.cancel();
    return { frames, text: frames.map((f) => f.data ?? "").join("\n") };
  }

  it("masks contact data in event payloads, whatever the wire put in an id", async () => {
    // An id is whatever Partner Center sent; the engine reports it as it came.
    const referrals = generateReferrals(3, { seed: 2 }).map((r, i) => (i === 0 ? { ...(r as object), id: `${email} ${phone}` } : r));
    h = await startHarness({ referrals });
    const { text } = await watchOneRun(h);
    expect(text).toContain("j***@contoso.com");
    expect(text).not.toContain(email);
    expect(text).not.toContain("555 0100");
  });

  it("masks contact data in error messages of events", async () => {
    const tokenProvider = { getAccessToken: () => Promise.reject(new AuthRequiredError(`Sign-in for ${email} (${phone}) expired.`)) };
    h = await startHarness({ tokenProvider });
    const { frames, text } = await watchOneRun(h);
    expect(frames.map((f) => f.event)).toContain("auth.required");
    expect(text).toContain("expired");
    expect(text).not.toContain(email);
    expect(text).not.toContain("555 0100");
  });

  it("removes the engine listener when the client disconnects", async () => {
    h = await startHarness();
    const { open, counter } = mount(h);
    const first = frameReader(await open());
    const second = frameReader(await open());
    await first.readUntil((f) => f.length > 0);
    await second.readUntil((f) => f.length > 0);
    expect(counter.active).toBe(2);
    await first.cancel();
    await vi.waitFor(() => expect(counter.active).toBe(1));
    await second.cancel();
    await vi.waitFor(() => expect(counter.active).toBe(0));
  });

  it("removes the listener when the request is aborted", async () => {
    h = await startHarness();
    const { app, counter } = mount(h);
    const controller = new AbortController();
    const stream = frameReader(await app.request(`${MOUNT}/events`, { signal: controller.signal }));
    await stream.readUntil((f) => f.length > 0);
    expect(counter.active).toBe(1);
    controller.abort();
    await vi.waitFor(() => expect(counter.active).toBe(0));
  });

  it("sends a heartbeat comment at the configured interval", async () => {
    h = await startHarness();
    const { open } = mount(h, { heartbeatMs: 10 });
    const stream = frameReader(await open());
    const frames = await stream.readUntil((f) => f.filter((x) => x.comment === "heartbeat").length >= 2);
    await stream.cancel();
    expect(frames[0]).toEqual({ comment: "connected" });
    expect(frames.filter((x) => x.comment === "heartbeat").length).toBeGreaterThanOrEqual(2);
  });

  it("drops a client that falls more than maxBufferedEvents behind, and the sync is not held up", async () => {
    h = await startHarness({ count: 80 });
    const { open, counter } = mount(h, { maxBufferedEvents: 3 });
    const slow = frameReader(await open());
    await slow.readUntil((f) => f.length > 0);
    // The client stops reading; the run emits far more than 3 events.
    const report = await h.engine.run({ trigger: "manual" });
    expect(report.status).toBe("succeeded");
    expect(report.counts.ingested).toBeGreaterThan(3);
    await vi.waitFor(() => expect(counter.active).toBe(0));
    // Reading again: what was already in the pipe, then the end of the stream.
    const frames = await slow.readUntil(() => false);
    expect(slow.done).toBe(true);
    expect(frames.filter((f) => f.event !== undefined).length).toBeLessThan(report.counts.ingested);
    expect(frames.some(isEnd)).toBe(false);
  });
});
