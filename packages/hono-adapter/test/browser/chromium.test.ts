// Issue 10: the browser tests never skip. Without Chromium their set-up fails, which vitest
// reports as skipped tests in a failed file; this test turns that into a counted failure.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_MISSING } from "./harness.js";

describe("issue 10: browser tests", () => {
  it("find Chromium where they launch it (CI installs it; a missing browser is a failure, never a skip)", () => {
    expect(existsSync(CHROMIUM), CHROMIUM_MISSING).toBe(true);
  });
});
