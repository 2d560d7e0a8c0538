import { afterEach, describe, expect, it, vi } from "vitest";
import { raceAbort, sleep } from "./_sleep.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("sleep", () => {
  it("resolves once the timer has run", async () => {
    vi.useFakeTimers();
    let done = false;
    const pending = sleep(5_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(done).toBe(true);
  });

  it("rejects with the abort reason when aborted while waiting, and clears its timer", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const reason = new Error("stop");
    const pending = sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const reason = new Error("already");
    await expect(sleep(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});

describe("raceAbort", () => {
  it("settles like the promise while the signal stays quiet", async () => {
    const signal = new AbortController().signal;
    const failure = new Error("work failed");
    await expect(raceAbort(Promise.resolve(42), signal)).resolves.toBe(42);
    await expect(raceAbort(Promise.reject(failure), signal)).rejects.toBe(failure);
  });

  it("rejects with the abort reason as soon as the signal aborts, before the work ends", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const pending = raceAbort(new Promise(() => undefined), controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const reason = new Error("already");
    await expect(raceAbort(Promise.resolve(1), AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
