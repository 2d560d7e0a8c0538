import { describe, expect, it } from "vitest";
import type { Logger } from "../logger.js";
import type { DomainScanResult } from "../store/store.js";
import { createDomainScanRunner, type DomainScanner } from "./domain-scans.js";

function recordingLogger() {
  const lines: Array<{ level: string; msg: string | undefined; obj: object }> = [];
  const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, msg, obj });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

function setup(scanner: DomainScanner, overrides: { concurrency?: number; timeoutMs?: number; recordFails?: boolean } = {}) {
  const recorded: DomainScanResult[] = [];
  const finished: boolean[] = [];
  const { logger, lines } = recordingLogger();
  const runner = createDomainScanRunner({
    runId: "run-1",
    scanner,
    recordDomainScan: async (r) => {
      if (overrides.recordFails) throw new Error("store down");
      recorded.push(r);
    },
    concurrency: overrides.concurrency ?? 2,
    timeoutMs: overrides.timeoutMs ?? 1000,
    logger,
    onFinished: (ok) => finished.push(ok),
  });
  return { runner, recorded, finished, lines };
}

describe("createDomainScanRunner", () => {
  it("records each result as JSON and counts successes", async () => {
    const { runner, recorded, finished } = setup({ scan: async (d) => ({ provider: "M365", d, when: new Date(0), fn: () => 1 }) });
    runner.enqueue(["a.com", "b.com"]);
    await runner.drain();
    expect(recorded).toEqual([
      { domain: "a.com", status: "done", result: { provider: "M365", d: "a.com", when: "1970-01-01T00:00:00.000Z" } },
      { domain: "b.com", status: "done", result: { provider: "M365", d: "b.com", when: "1970-01-01T00:00:00.000Z" } },
    ]);
    expect(finished).toEqual([true, true]);
  });

  it("never lets a failing scanner escape: it is recorded, logged and counted", async () => {
    const { runner, recorded, finished, lines } = setup({
      scan: async (d) => {
        if (d === "bad.com") throw new Error("dns exploded for ops@bad.com");
        return null;
      },
    });
    runner.enqueue(["bad.com", "good.com"]);
    await runner.drain();
    expect(recorded).toContainEqual({ domain: "bad.com", status: "failed", error: expect.stringContaining("dns exploded") });
    expect(recorded).toContainEqual({ domain: "good.com", status: "done", result: null });
    expect(finished.sort()).toEqual([false, true]);
    const warn = lines.find((l) => l.msg === "domain_scan_failed");
    expect(JSON.stringify(warn)).not.toContain("ops@bad.com");
  });

  it("counts a scan that outlives its timeout as failed", async () => {
    const { runner, recorded, finished } = setup({ scan: () => new Promise(() => {}) }, { timeoutMs: 5 });
    runner.enqueue(["slow.com"]);
    await runner.drain();
    expect(recorded).toEqual([{ domain: "slow.com", status: "failed", error: expect.stringContaining("timed out") }]);
    expect(finished).toEqual([false]);
  });

  it("respects the concurrency limit", async () => {
    let active = 0;
    let peak = 0;
    const { runner } = setup(
      {
        scan: async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((r) => setImmediate(r));
          active -= 1;
        },
      },
      { concurrency: 3 },
    );
    runner.enqueue(Array.from({ length: 10 }, (_, i) => `d${i}.com`));
    await runner.drain();
    expect(peak).toBe(3);
  });

  it("logs a store failure while recording and still drains", async () => {
    const { runner, lines } = setup({ scan: async () => ({}) }, { recordFails: true });
    runner.enqueue(["a.com"]);
    await runner.drain();
    expect(lines.map((l) => l.msg)).toContain("domain_scan_record_failed");
  });
});
