import { describe, expect, it } from "vitest";
import { pageItem } from "../../test/support/page-source.js";
import { createOrderWatch, holdsItemOlder, nextCursor, planListing } from "./cursor-policy.js";

const START = Date.parse("2025-11-02T00:00:00.000Z");
const MIN = 60_000;
const plan = (stored: Parameters<typeof planListing>[0]["stored"], full = false) =>
  planListing({ stored, full, startMs: START, overlapMs: 10 * MIN, clockSkewAllowanceMs: 5 * MIN });

describe("cursor policy", () => {
  it.each([
    ["a target past the cap is capped", null, START + 60 * MIN, "2025-11-02T00:05:00.000Z"],
    ["a target inside the allowance is kept", null, START + 2 * MIN, "2025-11-02T00:02:00.000Z"],
    ["an older target leaves the mark", "2025-11-01T23:00:00.000Z", START - 2 * 60 * MIN, null],
  ])("item 1: %s", (_, stored, target, expected) => {
    const cursor = nextCursor(plan(stored === null ? null : { updatedAt: stored }), target, true);
    expect(cursor?.updatedAt ?? null).toBe(expected);
  });

  it("item 1: a stored mark past the cap lists in full and may be set back", () => {
    const p = plan({ updatedAt: "9999-12-31T00:00:00.000Z" });
    expect(p).toMatchObject({ stopBelowMs: null, previousMs: null, warning: { code: "cursor_in_future" } });
    expect(nextCursor(p, START - MIN, true)).toEqual({ updatedAt: "2025-11-01T23:59:00.000Z" });
  });

  it.each([
    [{ updatedAt: "2025-11-01T12:00:00.000Z" }, false, Date.parse("2025-11-01T11:50:00.000Z")],
    [{ updatedAt: "2025-11-01T12:00:00.000Z" }, true, null],
    [{ updatedAt: "2025-11-01T12:00:00.000Z", orderHonoured: false }, false, null],
    [null, false, null],
  ])("item 15: %j (full %s) stops below %s", (stored, full, stopBelowMs) => {
    expect(plan(stored, full).stopBelowMs).toBe(stopBelowMs);
  });

  it("item 15: the flag alone is written when it changes and the mark does not move", () => {
    const stored = { updatedAt: "2025-11-01T12:00:00.000Z" };
    expect(nextCursor(plan(stored), null, false)).toEqual({ ...stored, orderHonoured: false });
    expect(nextCursor(plan({ ...stored, orderHonoured: false }), null, true)).toEqual(stored);
    expect(nextCursor(plan(stored), null, true)).toBeNull();
  });

  it("item 15: the order watch allows 1 s of disorder across pages and ignores undated items", () => {
    const page = (dates: Array<string | null>) => ({
      pageNumber: 1,
      rawCount: null,
      nextLink: null,
      referrals: dates.map((d, i) => pageItem({ id: `r${i}`, updatedDateTime: d })),
    });
    const watch = createOrderWatch();
    watch.observe(page(["2025-11-01T12:00:10.000Z", null, "2025-11-01T12:00:05.000Z"]));
    watch.observe(page(["2025-11-01T12:00:06.000Z"]));
    expect(watch.honoured).toBe(true);
    watch.observe(page(["2025-11-01T12:00:06.001Z"]));
    expect(watch.honoured).toBe(false);
  });

  it("issue 12 item 7: a page holding one item older than the stop ends the listing; undated and invalid items never do", () => {
    const page = (dates: Array<string | null>) => ({
      pageNumber: 1,
      rawCount: null,
      nextLink: null,
      referrals: dates.map((d, i) => pageItem({ id: `r${i}`, updatedDateTime: d })),
    });
    const stop = Date.parse("2025-11-01T12:00:00.000Z");
    expect(holdsItemOlder(page(["2025-11-01T12:30:00.000Z", "2025-11-01T11:59:59.999Z"]), stop)).toBe(true);
    expect(holdsItemOlder(page(["2025-11-01T12:30:00.000Z", "2025-11-01T12:00:00.000Z", null]), stop)).toBe(false);
    expect(holdsItemOlder(page([null, "not a date"]), stop)).toBe(false);
  });
});
