import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, decideRetry, parseRetryAfter, type RetryInput } from "./retry.js";

const NOW = Date.parse("2025-06-01T12:00:00Z");

const input = (over: Partial<RetryInput>): RetryInput => ({
  attempt: 1,
  status: 500,
  elapsedMs: 0,
  nowMs: NOW,
  random: () => 0.5,
  policy: DEFAULT_RETRY_POLICY,
  ...over,
});

describe("parseRetryAfter", () => {
  it.each([
    ["delay-seconds", "7", 7_000],
    ["zero seconds", "0", 0],
    ["seconds with spaces", " 12 ", 12_000],
    ["fractional seconds", "1.5", 1_500],
    ["IMF-fixdate in the future", "Sun, 01 Jun 2025 12:00:30 GMT", 30_000],
    ["HTTP date in the past", "Sun, 01 Jun 2025 11:00:00 GMT", 0],
    ["RFC 850 date", "Sunday, 01-Jun-25 12:01:00 GMT", 60_000],
    ["asctime date", "Sun Jun  1 12:00:10 2025", 10_000],
    ["array of values (first wins)", ["3", "9"], 3_000],
  ] as const)("parses %s", (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([
    ["garbage", "soon"],
    ["negative seconds", "-5"],
    ["empty", ""],
    ["numbers that Date.parse would accept", "1 2"],
    ["a date-like string that is not a date", "Mon, 99 Foo 2025 99:99:99 GMT"],
    ["missing", undefined],
    ["null", null],
  ] as const)("returns null for %s", (_name, value) => {
    expect(parseRetryAfter(value, NOW)).toBeNull();
  });
});

describe("decideRetry", () => {
  it.each([
    ["429 with Retry-After seconds", { status: 429, headers: { "retry-after": "3" } }, 3_000, "retry_after"],
    ["503 with Retry-After seconds", { status: 503, headers: { "retry-after": "20" } }, 20_000, "retry_after"],
    [
      "429 with an HTTP date",
      { status: 429, headers: { "retry-after": "Sun, 01 Jun 2025 12:00:05 GMT" } },
      5_000,
      "retry_after",
    ],
    ["429 Retry-After above maxDelayMs is still honoured", { status: 429, headers: { "retry-after": "45" } }, 45_000, "retry_after"],
    ["429 with garbage Retry-After backs off", { status: 429, headers: { "retry-after": "later" } }, 250, "backoff"],
    ["429 without Retry-After backs off", { status: 429 }, 250, "backoff"],
    ["500 backs off", { status: 500 }, 250, "backoff"],
    ["502 ignores Retry-After and backs off", { status: 502, headers: { "retry-after": "9" } }, 250, "backoff"],
    ["timeout backs off", { status: 0, error: "timeout" }, 250, "backoff"],
    ["connection reset backs off", { status: 0, error: "network" }, 250, "backoff"],
    ["malformed JSON page backs off like a 5xx", { status: 200, error: "malformed" }, 250, "backoff"],
  ] as const)("%s", (_name, over, delayMs, reason) => {
    expect(decideRetry(input(over))).toMatchObject({ retry: true, delayMs, reason });
  });

  it.each([
    ["400", 400],
    ["403", 403],
    ["404", 404],
    ["409", 409],
    ["412", 412],
    ["501", 501],
    ["505", 505],
    ["200", 200],
  ])("does not retry %s", (_name, status) => {
    expect(decideRetry(input({ status }))).toEqual({ retry: false, delayMs: 0, reason: "not_retryable", retryAfterMs: null });
  });

  it.each([
    ["429 on the last allowed attempt", { status: 429, attempt: 4, headers: { "retry-after": "1" } }, "attempts_exhausted"],
    ["500 on the last allowed attempt", { status: 500, attempt: 4 }, "attempts_exhausted"],
    ["Retry-After larger than the remaining budget", { status: 429, elapsedMs: 110_000, headers: { "retry-after": "11" } }, "wait_exhausted"],
    ["backoff with no budget left", { status: 500, elapsedMs: 120_000 }, "wait_exhausted"],
    ["custom attempt cap", { status: 503, attempt: 2, policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 } }, "attempts_exhausted"],
  ] as const)("stops on %s", (_name, over, reason) => {
    expect(decideRetry(input(over))).toMatchObject({ retry: false, delayMs: 0, reason });
  });

  it("fits a Retry-After exactly at the remaining budget", () => {
    expect(decideRetry(input({ status: 429, elapsedMs: 110_000, headers: { "retry-after": "10" } }))).toMatchObject({
      retry: true,
      delayMs: 10_000,
    });
  });

  it("reports the server's Retry-After even when it stops", () => {
    expect(decideRetry(input({ status: 429, attempt: 4, headers: { "retry-after": "2" } })).retryAfterMs).toBe(2_000);
  });

  it("trims a backoff to the remaining total-wait budget", () => {
    const decision = decideRetry(input({ status: 500, attempt: 3, elapsedMs: 119_900, random: () => 0.99 }));
    expect(decision).toMatchObject({ retry: true, delayMs: 100 });
  });

  describe("full jitter", () => {
    const policy = { maxAttempts: 10, maxTotalWaitMs: 10_000_000, baseDelayMs: 500, maxDelayMs: 30_000 };
    // Ceiling per attempt: 500 · 2^(attempt-1), capped at 30 s.
    it.each([
      [1, 500],
      [2, 1_000],
      [3, 2_000],
      [4, 4_000],
      [6, 16_000],
      [7, 30_000],
      [9, 30_000],
    ])("attempt %i waits in [0, %i)", (attempt, ceiling) => {
      const low = decideRetry(input({ attempt, policy, random: () => 0 }));
      const high = decideRetry(input({ attempt, policy, random: () => 0.999_999 }));
      const mid = decideRetry(input({ attempt, policy, random: () => 0.25 }));
      expect(low.delayMs).toBe(0);
      expect(high.delayMs).toBeLessThan(ceiling);
      expect(high.delayMs).toBeGreaterThanOrEqual(ceiling - 1);
      expect(mid.delayMs).toBe(Math.floor(ceiling * 0.25));
    });

    it.each([
      ["1", 1],
      ["1.5", 1.5],
      ["negative", -0.2],
      ["NaN", Number.NaN],
    ])("keeps a misbehaving random() of %s inside the bounds", (_name, value) => {
      const { delayMs } = decideRetry(input({ attempt: 2, policy, random: () => value }));
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThan(1_000);
    });
  });
});

describe("item 14: a date-form Retry-After is measured from the response's Date header", () => {
  const HOUR = 3_600_000;
  const throttled = (retryAfter: string, date?: string) => ({
    status: 429,
    headers: { "retry-after": retryAfter, ...(date === undefined ? {} : { date }) },
  });

  it.each([
    ["the local clock an hour behind", NOW - HOUR],
    ["the local clock an hour ahead", NOW + HOUR],
    ["the clocks agreeing", NOW],
  ])("item 14: waits the server's 30 s with %s", (_name, nowMs) => {
    const decision = decideRetry(input({ nowMs, ...throttled("Sun, 01 Jun 2025 12:00:30 GMT", "Sun, 01 Jun 2025 12:00:00 GMT") }));
    expect(decision).toMatchObject({ retry: true, delayMs: 30_000, reason: "retry_after", retryAfterMs: 30_000 });
  });

  it("item 14: parseRetryAfter takes the Date header as the base, and the local clock without a usable one", () => {
    const at = "Sun, 01 Jun 2025 12:00:30 GMT";
    expect(parseRetryAfter(at, NOW - HOUR, "Sun, 01 Jun 2025 12:00:00 GMT")).toBe(30_000);
    expect(parseRetryAfter(at, NOW, undefined)).toBe(30_000);
    expect(parseRetryAfter(at, NOW, "not a date")).toBe(30_000);
    // Delay-seconds never depend on any clock.
    expect(parseRetryAfter("7", NOW - HOUR, "Sun, 01 Jun 2025 12:00:00 GMT")).toBe(7_000);
  });

  it("item 14: still stops at once when the server's own date asks for more than the wait budget", () => {
    const decision = decideRetry(input({ nowMs: NOW - HOUR, ...throttled("Sun, 01 Jun 2025 12:05:00 GMT", "Sun, 01 Jun 2025 12:00:00 GMT") }));
    expect(decision).toMatchObject({ retry: false, reason: "wait_exhausted", retryAfterMs: 300_000 });
  });
});
