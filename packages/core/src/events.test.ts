import { describe, expect, expectTypeOf, it } from "vitest";
import { createEventEmitter } from "./events.js";
import type { SyncEvent, SyncEventName, SyncEventOf } from "./events.js";
import type { ReferralType, SkipReason } from "./referral.js";
import type { LinkStatus } from "./store/store.js";

const AT = new Date("2025-03-04T09:00:00.000Z");
const ingested = {
  runId: "run-1",
  referralId: "ref-1",
  referralType: "co-sell",
  outcome: "inserted",
  domain: "alpenblick-logistik.de",
  linkStatus: "unlinked",
  score: 70,
} as const;

describe("createEventEmitter", () => {
  it("infers each event's payload type from its name", () => {
    const emitter = createEventEmitter();
    emitter.on("referral.ingested", (e) => {
      expectTypeOf(e).toEqualTypeOf<SyncEventOf<"referral.ingested">>();
      expectTypeOf(e.type).toEqualTypeOf<"referral.ingested">();
      expectTypeOf(e.referralType).toEqualTypeOf<ReferralType>();
      expectTypeOf(e.linkStatus).toEqualTypeOf<LinkStatus>();
      expectTypeOf(e.score).toEqualTypeOf<number | null>();
      expectTypeOf(e.at).toEqualTypeOf<string>();
    });
    emitter.on("referral.skipped", (e) => {
      expectTypeOf(e.reason).toEqualTypeOf<SkipReason>();
      // @ts-expect-error a skipped referral has no score
      void e.score;
    });
    emitter.onAny((e) => {
      expectTypeOf(e).toEqualTypeOf<SyncEvent>();
      if (e.type === "page.fetched") expectTypeOf(e.count).toEqualTypeOf<number>();
    });
    expectTypeOf(emitter.on).parameter(0).toEqualTypeOf<SyncEventName>();
    expectTypeOf(emitter.on("sync.started", () => {})).toEqualTypeOf<() => void>();

    // @ts-expect-error unknown event names are rejected
    emitter.on("referral.exploded", () => {});
    // @ts-expect-error a payload must match its event
    emitter.emit("referral.skipped", { runId: "r", referralId: "x", reason: "too_small" });
    // @ts-expect-error `type` and `at` are added by the emitter, not passed in
    emitter.emit("page.fetched", { runId: "r", page: 1, count: 2, type: "page.fetched" });
  });

  it("delivers the payload with its type and the injected time", () => {
    const emitter = createEventEmitter({ now: () => AT });
    const seen: unknown[] = [];
    emitter.on("referral.ingested", (e) => seen.push(e));
    emitter.emit("referral.ingested", ingested);
    expect(seen).toEqual([{ ...ingested, type: "referral.ingested", at: "2025-03-04T09:00:00.000Z" }]);
  });

  it("delivers only to listeners of that event, and to onAny listeners", () => {
    const emitter = createEventEmitter({ now: () => AT });
    const calls: string[] = [];
    emitter.on("page.fetched", (e) => calls.push(`page ${e.page}`));
    emitter.on("sync.started", () => calls.push("started"));
    emitter.onAny((e) => calls.push(`any ${e.type}`));
    emitter.emit("page.fetched", { runId: "r", page: 2, count: 100 });
    expect(calls).toEqual(["page 2", "any page.fetched"]);
  });

  it("keeps going when a listener throws and reports the error", () => {
    const failures: [unknown, SyncEventName][] = [];
    const emitter = createEventEmitter({ onListenerError: (error, type) => failures.push([error, type]) });
    const boom = new Error("listener bug");
    const calls: string[] = [];
    emitter.on("domain.scan_requested", () => {
      throw boom;
    });
    emitter.on("domain.scan_requested", (e) => calls.push(e.domain));
    emitter.onAny(() => calls.push("any"));

    expect(() => emitter.emit("domain.scan_requested", { runId: "r", domain: "contoso.com" })).not.toThrow();
    expect(calls).toEqual(["contoso.com", "any"]);
    expect(failures).toEqual([[boom, "domain.scan_requested"]]);

    emitter.emit("domain.scan_requested", { runId: "r", domain: "fabrikam.com" });
    expect(calls).toEqual(["contoso.com", "any", "fabrikam.com", "any"]);
  });

  it("never throws into the producer, even when the error hook throws or is absent", () => {
    const hookThrows = createEventEmitter({
      onListenerError: () => {
        throw new Error("hook bug");
      },
    });
    const silent = createEventEmitter();
    for (const emitter of [hookThrows, silent]) {
      let delivered = false;
      emitter.onAny(() => {
        throw new Error("bug");
      });
      emitter.onAny(() => {
        delivered = true;
      });
      expect(() => emitter.emit("auth.required", { runId: null, message: "log in" })).not.toThrow();
      expect(delivered).toBe(true);
    }
  });

  it("stops delivering after unsubscribe", () => {
    const emitter = createEventEmitter();
    const calls: string[] = [];
    const off = emitter.on("sync.started", () => calls.push("on"));
    const offAny = emitter.onAny(() => calls.push("any"));
    emitter.emit("sync.started", { runId: "r", trigger: "manual", full: false });
    off();
    offAny();
    off(); // a second call is harmless
    emitter.emit("sync.started", { runId: "r", trigger: "manual", full: false });
    expect(calls).toEqual(["on", "any"]);
  });

  it("unsubscribes only the listener whose function was called", () => {
    const emitter = createEventEmitter();
    const calls: string[] = [];
    const offFirst = emitter.on("sync.started", () => calls.push("first"));
    emitter.on("sync.started", () => calls.push("second"));
    offFirst();
    emitter.emit("sync.started", { runId: "r", trigger: "schedule", full: true });
    expect(calls).toEqual(["second"]);
  });

  it("lets a listener unsubscribe another during an emit without skipping anyone this time", () => {
    const emitter = createEventEmitter();
    const calls: string[] = [];
    let offSecond = (): void => {};
    emitter.on("sync.started", () => {
      calls.push("first");
      offSecond();
    });
    offSecond = emitter.on("sync.started", () => calls.push("second"));
    emitter.emit("sync.started", { runId: "r", trigger: "manual", full: false });
    emitter.emit("sync.started", { runId: "r", trigger: "manual", full: false });
    expect(calls).toEqual(["first", "second", "first"]);
  });

  it("does not share the payload object between the producer and listeners", () => {
    const emitter = createEventEmitter();
    const payload = { runId: "r", page: 1, count: 3 };
    let received: unknown;
    emitter.on("page.fetched", (e) => {
      received = e;
    });
    emitter.emit("page.fetched", payload);
    expect(received).not.toBe(payload);
    expect(payload).toEqual({ runId: "r", page: 1, count: 3 });
  });
});
