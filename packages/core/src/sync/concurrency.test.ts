import { describe, expect, it } from "vitest";
import { createLimiter, mapConcurrent } from "./concurrency.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("createLimiter", () => {
  it("never runs more than the limit at once and resolves idle() when all are done", async () => {
    const limiter = createLimiter(2);
    const gates = [deferred(), deferred(), deferred()];
    let active = 0;
    let peak = 0;
    const results = gates.map((gate, i) =>
      limiter.run(async () => {
        active += 1;
        peak = Math.max(peak, active);
        await gate.promise;
        active -= 1;
        return i;
      }),
    );
    await Promise.resolve();
    expect(limiter.size).toBe(3);
    gates.forEach((g) => g.resolve());
    await limiter.idle();
    expect(await Promise.all(results)).toEqual([0, 1, 2]);
    expect(peak).toBe(2);
  });

  it("turns a synchronous throw into a rejection and keeps going", async () => {
    const limiter = createLimiter(1);
    const bad = limiter.run(() => {
      throw new Error("sync");
    });
    await expect(bad).rejects.toThrow("sync");
    await expect(limiter.run(async () => "ok")).resolves.toBe("ok");
  });

  it("clear() rejects the queued tasks only", async () => {
    const limiter = createLimiter(1);
    const gate = deferred();
    const running = limiter.run(() => gate.promise.then(() => "ran"));
    const queued = limiter.run(async () => "never");
    limiter.clear(new Error("dropped"));
    gate.resolve();
    await expect(running).resolves.toBe("ran");
    await expect(queued).rejects.toThrow("dropped");
  });

  it.each([0, -1, 1.5])("rejects the limit %s", (limit) => {
    expect(() => createLimiter(limit)).toThrow(RangeError);
  });
});

describe("mapConcurrent", () => {
  it("keeps input order", async () => {
    expect(await mapConcurrent([3, 1, 2], 2, async (n) => n * 10)).toEqual([30, 10, 20]);
  });
});
