import { describe, expect, expectTypeOf, it } from "vitest";
import {
  AuthRequiredError,
  ConfigError,
  FeatureDisabledError,
  InvalidInputError,
  InvalidTransitionError,
  MigrationError,
  NetworkError,
  NotFoundError,
  PartnerCenterHttpError,
  PcReferralsError,
  RateLimitedError,
  ReferralConflictError,
  StoreError,
  StoreLockedError,
  SyncInProgressError,
  TimeoutError,
  describeError,
} from "./errors.js";
import type { ErrorCode } from "./errors.js";

const http = { status: 500, apiCode: "generalException", requestId: "req-1", correlationId: "corr-1" };

describe("error classes", () => {
  it.each<[PcReferralsError, ErrorCode, string]>([
    [new ConfigError([{ path: "A", message: "expected a number" }]), "config_invalid", "ConfigError"],
    [new AuthRequiredError("no token"), "auth_required", "AuthRequiredError"],
    [new PartnerCenterHttpError("boom", http), "api_error", "PartnerCenterHttpError"],
    [new RateLimitedError("slow down", { ...http, status: 429, retryAfterMs: 2000 }), "rate_limited", "RateLimitedError"],
    [new TimeoutError("too slow", { status: 0 }), "timeout", "TimeoutError"],
    [new NetworkError("ECONNRESET"), "network_error", "NetworkError"],
    [new StoreError("connection lost"), "store_error", "StoreError"],
    [new MigrationError("0001 was edited"), "migration_invalid", "MigrationError"],
    [new SyncInProgressError("run-9"), "sync_in_progress", "SyncInProgressError"],
    [new StoreLockedError("/data", { pid: 7, host: "h", since: "2026-01-01T00:00:00.000Z" }), "store_locked", "StoreLockedError"],
    [new FeatureDisabledError(), "feature_disabled", "FeatureDisabledError"],
    [new InvalidInputError("bad page size"), "invalid_input", "InvalidInputError"],
    [new NotFoundError("no such referral"), "not_found", "NotFoundError"],
    [new InvalidTransitionError("close", { status: "New", substatus: "Pending" }, ["accept", "decline"]), "invalid_transition", "InvalidTransitionError"],
    [new ReferralConflictError("r-1", { status: "Active", substatus: "Accepted", eTag: '"e2"' }), "referral_conflict", "ReferralConflictError"],
  ])("%s has a stable code and its class name", (error, code, name) => {
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(Error);
    expect(PcReferralsError.is(error)).toBe(true);
    expect(PcReferralsError.hasCode(error, code)).toBe(true);
    expect(error.toJSON()).toEqual({ code, message: error.message });
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code, message: error.message });
  });

  it("names the allowed moves in an invalid_transition and the current remote state in a referral_conflict", () => {
    const refused = new InvalidTransitionError("close", { status: "New", substatus: "Pending" }, ["accept", "decline"]);
    expect(refused.message).toContain("New/Pending");
    expect(refused.message).toContain("allowed now: accept, decline");
    expect(new InvalidTransitionError("accept", { status: "Closed", substatus: "Won" }, []).message).toContain("terminal");
    const conflict = new ReferralConflictError("r-1", { status: "Active", substatus: "Accepted", eTag: '"e2"' }, { requestId: "req-9" });
    expect(conflict).toMatchObject({ current: { status: "Active", substatus: "Accepted", eTag: '"e2"' }, requestId: "req-9" });
    expect(conflict.message).toContain("now Active/Accepted");
  });

  it("keeps the family tree for instanceof users", () => {
    expect(new RateLimitedError("x", { status: 429 })).toBeInstanceOf(PartnerCenterHttpError);
    expect(new TimeoutError("x", { status: 0 })).toBeInstanceOf(PartnerCenterHttpError);
    expect(new MigrationError("x")).toBeInstanceOf(StoreError);
  });

  it("lists every issue of a ConfigError in its message", () => {
    const error = new ConfigError([
      { path: "PARTNER_CENTER_SYNC_INTERVAL", message: "expected a positive whole number of seconds" },
      { path: "DATABASE_URL", message: "expected a postgres:// URL" },
    ]);
    expect(error.issues).toHaveLength(2);
    expect(error.message).toContain("PARTNER_CENTER_SYNC_INTERVAL: expected a positive whole number of seconds");
    expect(error.message).toContain("DATABASE_URL: expected a postgres:// URL");
  });

  it("carries HTTP details and the cause", () => {
    const cause = new Error("socket hang up");
    const request = { method: "GET", url: "https://api.test/v1.0/engagements/referrals", headers: { authorization: "Bearer [REDACTED]" } };
    const error = new RateLimitedError("still 429", { ...http, status: 429, retryAfterMs: 57_000, request, cause });
    expect(error).toMatchObject({ status: 429, apiCode: "generalException", requestId: "req-1", correlationId: "corr-1", retryAfterMs: 57_000, request });
    expect(error.cause).toBe(cause);
  });

  it("gives AuthRequiredError a default hint that can be replaced", () => {
    expect(new AuthRequiredError("expired").hint).toMatch(/pc-referrals login/);
    expect(new AuthRequiredError("expired", { hint: "Ask an admin." }).hint).toBe("Ask an admin.");
  });

  it("names the running run in SyncInProgressError", () => {
    expect(new SyncInProgressError("run-9").message).toContain("run-9");
    expect(new SyncInProgressError(null)).toMatchObject({ runningRunId: null, message: "A sync is already running." });
  });

  it("tells the user how to enable the feature", () => {
    expect(new FeatureDisabledError().message).toContain("PARTNER_CENTER_ENABLED=true");
  });
});

describe("PcReferralsError.is", () => {
  it("recognizes an error from another copy of the library by its brand", () => {
    // What a duplicate (or CJS) copy's error looks like to this copy: a different class, the same global symbol.
    const foreign = Object.assign(new Error("from the other copy"), {
      [Symbol.for("pc-referrals.error")]: true,
      code: "store_error" as const,
    });
    expect(foreign instanceof PcReferralsError).toBe(false);
    expect(PcReferralsError.is(foreign)).toBe(true);
    expect(PcReferralsError.hasCode(foreign, "store_error")).toBe(true);
    expect(PcReferralsError.hasCode(foreign, "api_error")).toBe(false);
    expect(describeError(foreign)).toEqual({ code: "store_error", message: "from the other copy" });
  });

  it.each([
    ["a plain Error", new Error("x")],
    ["an object with a look-alike code", { code: "config_invalid", message: "x" }],
    ["a local symbol of the same name", { [Symbol("pc-referrals.error")]: true }],
    ["null", null],
    ["a string", "config_invalid"],
    ["undefined", undefined],
  ])("rejects %s", (_name, value) => {
    expect(PcReferralsError.is(value)).toBe(false);
  });

  it("narrows the type", () => {
    const value: unknown = new NotFoundError("x");
    if (PcReferralsError.hasCode(value, "not_found")) expectTypeOf(value.code).toEqualTypeOf<"not_found">();
    if (PcReferralsError.is(value)) expectTypeOf(value.code).toEqualTypeOf<ErrorCode>();
  });
});

describe("describeError", () => {
  it.each<[string, unknown, { code: string; message: string }]>([
    ["a library error", new InvalidInputError("pageSize must be 1-100"), { code: "invalid_input", message: "pageSize must be 1-100" }],
    ["a plain Error", new TypeError("x is undefined"), { code: "internal", message: "x is undefined" }],
    ["a string", "oops", { code: "internal", message: "oops" }],
    ["a number", 42, { code: "internal", message: "42" }],
    ["null", null, { code: "internal", message: "null" }],
    ["undefined", undefined, { code: "internal", message: "undefined" }],
  ])("summarizes %s", (_name, value, expected) => {
    expect(describeError(value)).toEqual(expected);
  });
});
