// Item 16: a full run is the safety net of the incremental mark. It counts `missedByIncremental`:
// referrals new or changed at or below the mark the run started with, which no incremental run wrote.
import { afterEach, describe, expect, it } from "vitest";
import { parseReferral } from "../src/referral.js";
import { generateReferrals } from "../src/testing/generate-referrals.js";
import { expectedIngestedIds, newestUpdatedAt, startHarness, type Harness } from "./engine-harness.js";

const referrals = generateReferrals(150, { seed: 16, invalidRatio: 0 });
const expected = expectedIngestedIds(referrals);
const updatedMs = (payload: unknown) => {
  const parsed = parseReferral(payload);
  return parsed.ok ? Date.parse(parsed.referral.updatedDateTime ?? "") : NaN;
};
// The two oldest ingestible referrals: far below the mark, on the last pages of the listing.
const [oldest, secondOldest] = referrals
  .filter((r) => expected.has(r.id as string))
  .sort((a, b) => updatedMs(a) - updatedMs(b)) as [Record<string, unknown>, Record<string, unknown>];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("item 16: the reconcile safety net", () => {
  it("item 16: a full run counts referrals the incremental runs missed, and warns in the log, the report and status", async () => {
    h = await startHarness({ referrals, engine: { pageSize: 10 } });
    const first = await h.engine.run({ trigger: "manual" });
    expect(first.counts.missedByIncremental).toBeNull();
    expect(first.cursor.next).toBe(newestUpdatedAt(referrals));

    // Behind the incremental run's back: a change and a new referral that keep old timestamps.
    const changedBehind = { ...oldest, eTag: "changed-behind-the-mark" };
    const newBehind = { ...secondOldest, id: "11111111-2222-4333-8444-555555555555" };
    const rest = referrals.filter((r) => r.id !== oldest.id);
    h.fake.setReferrals([...rest, changedBehind, newBehind]);
    const visible = rest.find((r) => expected.has(r.id as string))?.id as string;
    h.fake.update(visible, { substatus: "Accepted" }); // an ordinary change above the mark

    const incremental = await h.engine.run({ trigger: "manual" });
    expect(incremental.counts.updated).toBe(1);
    expect(incremental.counts.missedByIncremental).toBeNull();
    expect(incremental.warnings).toEqual([]);

    const full = await h.engine.run({ trigger: "manual", full: true });

    expect(full.status).toBe("succeeded");
    expect(full.counts).toMatchObject({ ingested: 1, updated: 1, missedByIncremental: 2 });
    expect(full.warnings).toEqual([expect.objectContaining({ code: "missed_by_incremental", count: 2 })]);
    expect(h.logLines).toContainEqual(expect.objectContaining({ level: "warn", msg: "missed_by_incremental", obj: expect.objectContaining({ runId: full.runId, count: 2 }) }));
    const status = await h.memory.getSyncStatus("default");
    expect(status.lastReconcile?.runId).toBe(full.runId);
    expect(status.lastReconcile?.counts.missedByIncremental).toBe(2);
    expect(status.warnings).toContainEqual(expect.objectContaining({ code: "missed_by_incremental", count: 2 }));
    expect(await h.memory.getReferral(newBehind.id as string)).not.toBeNull();
  });

  it("item 16: a full run that finds nothing missed reports 0 and no warning; the engine knows when it ran", async () => {
    h = await startHarness({ referrals, engine: { pageSize: 50 } });
    expect(await h.engine.lastFullRunAt()).toBeNull();
    await h.engine.run({ trigger: "manual" });
    h.fake.update([...expected][0] as string, { substatus: "Accepted" });
    expect(await h.engine.lastFullRunAt()).toBeNull();

    const full = await h.engine.run({ trigger: "schedule", full: true });

    expect(full.counts.updated).toBe(1); // newer than the mark: not a miss
    expect(full.counts.missedByIncremental).toBe(0);
    expect(full.warnings).toEqual([]);
    expect(h.logLines.map((l) => l.msg)).not.toContain("missed_by_incremental");
    expect(await h.engine.lastFullRunAt()).toBe(full.startedAt);
    expect((await h.memory.getSyncStatus("default")).warnings).toEqual([]);
  });
});
