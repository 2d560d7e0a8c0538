import { describe, expect, it } from "vitest";
import { PcReferralsError, SyncInProgressError } from "../errors.js";
import { createSingleFlight } from "./single-flight.js";

describe("createSingleFlight", () => {
  it("admits one run and names it to the next caller", () => {
    const flight = createSingleFlight();
    const leave = flight.enter("run-1");
    expect(flight.current).toBe("run-1");
    try {
      flight.enter("run-2");
      expect.fail("second enter must throw");
    } catch (error) {
      expect(PcReferralsError.hasCode(error, "sync_in_progress")).toBe(true);
      expect((error as SyncInProgressError).runningRunId).toBe("run-1");
    }
    leave();
    expect(flight.current).toBeNull();
    expect(() => flight.enter("run-3")).not.toThrow();
  });

  it("ignores a stale release from an earlier run", () => {
    const flight = createSingleFlight();
    const leaveFirst = flight.enter("run-1");
    leaveFirst();
    flight.enter("run-2");
    leaveFirst();
    expect(flight.current).toBe("run-2");
  });
});
