// One code → status table for every error, problem+json bodies, and no internals in a 500.
import {
  AbortedError,
  AuthRequiredError,
  ConfigError,
  FeatureDisabledError,
  InvalidInputError,
  InvalidTransitionError,
  MigrationError,
  NetworkError,
  NotFoundError,
  PageLimitExceededError,
  PartnerCenterHttpError,
  RateLimitedError,
  ReferralConflictError,
  ResponseTooLargeError,
  StoreError,
  SyncInProgressError,
  TimeoutError,
  UnconfirmedWriteError,
  type ErrorCode,
} from "@pc-referrals/core";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { ERROR_STATUS, createReferralRoutes } from "../src/index.js";
import { errorResponse } from "../src/http-errors.js";
import { MOUNT, startHarness } from "./route-harness.js";

const cases: Array<[Error & { code: ErrorCode }, number]> = [
  [new InvalidInputError("bad"), 400],
  [new FeatureDisabledError(), 400],
  [new NotFoundError("gone"), 404],
  [new SyncInProgressError("run-1"), 409],
  [new InvalidTransitionError("accept", { status: "Closed", substatus: "Won" }, []), 409],
  [new ReferralConflictError("r-1", { status: "Active", substatus: "Accepted", eTag: '"e2"' }), 409],
  [new ConfigError([{ path: "x", message: "y" }]), 500],
  [new MigrationError("edited"), 500],
  [new PartnerCenterHttpError("boom", { status: 500 }), 502],
  [new NetworkError("reset"), 502],
  [new ResponseTooLargeError("too big", { status: 200, limitBytes: 16 }), 502],
  [new PageLimitExceededError(10), 502],
  [new UnconfirmedWriteError("lost", { landed: null, cause: new NetworkError("reset") }), 502],
  [new AuthRequiredError("sign in"), 503],
  [new RateLimitedError("slow down", { status: 429 }), 503],
  [new StoreError("down"), 503],
  [new AbortedError(), 503],
  [new TimeoutError("late", { status: 0 }), 504],
];

describe("http-errors", () => {
  it.each(cases)("%s → %i problem+json with its code and message", async (error, status) => {
    const res = errorResponse(error);
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ type: `urn:pc-referrals:error:${error.code}`, status, code: error.code, detail: error.message });
    expect(ERROR_STATUS[error.code]).toBe(status);
  });

  it("maps a code the table does not know to 500 instead of crashing", async () => {
    const future = Object.assign(new StoreError("held elsewhere"), { code: "store_locked_forever" });
    const res = errorResponse(future);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ status: 500, code: "store_locked_forever" });
  });

  it("answers 500 internal without the message of an error that is not ours", async () => {
    const h = await startHarness();
    try {
      const authorize = () => {
        throw new Error("connection string postgres://admin:secret@db");
      };
      const app = new Hono().route(MOUNT, createReferralRoutes({ engine: h.engine, store: h.store, authorize }));
      const res = await app.request(`${MOUNT}/inbox`);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ status: 500, code: "internal", title: "Internal Server Error" });
      expect(text).not.toContain("secret");
    } finally {
      await h.stop();
    }
  });
});
