// Issue 9 item 2: an older copy of a referral never overwrites a newer one, whether the copies
// share a page (the engine keeps the newest) or come on different pages or runs (the store refuses).
import { afterEach, describe, expect, it } from "vitest";
import { generateReferrals } from "../src/testing/generate-referrals.js";
import { expectedIngestedIds, startHarness, type Harness } from "./engine-harness.js";
import { pagesOf, pageSourceClient } from "./support/page-source.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const base = generateReferrals(40, { seed: 31 }) as Record<string, unknown>[];
const ingestible = expectedIngestedIds(base);
const [a, b] = base.filter((r) => ingestible.has(String(r.id)));
const copy = (r: Record<string, unknown> | undefined, updatedDateTime: string, notes: string, eTag = `"${notes}"`) => ({
  ...r,
  id: "ref-x",
  updatedDateTime,
  eTag,
  details: { ...(r?.details as object), notes },
});
const T0 = "2025-10-01T08:00:00.0000000Z";
const T1 = "2025-10-02T08:00:00.0000000Z";
const T2 = "2025-10-03T08:00:00.0000000Z";

async function harnessOver(pagesPerRun: unknown[][][]) {
  let run = 0;
  const source = pageSourceClient(() => pagesOf(pagesPerRun[run++] ?? []));
  h = await startHarness({ referrals: [], engine: { client: source.client } });
  return h;
}

const notesOf = async (harness: Harness, id: string) =>
  ((await harness.memory.getReferral(id))?.payload.details as { notes?: string } | undefined)?.notes;

describe("item 2: an older copy never overwrites a newer one", () => {
  it.each([
    ["newest first", [copy(a, T2, "newer"), copy(b, T1, "older")]],
    ["oldest first", [copy(b, T1, "older"), copy(a, T2, "newer")]],
  ])("item 2: within a page the copy with the newest updatedDateTime wins (%s); the other is counted stale", async (_, page) => {
    const harness = await harnessOver([[page]]);
    const report = await harness.engine.run({ trigger: "manual" });
    expect(await notesOf(harness, "ref-x")).toBe("newer");
    expect(report.counts).toMatchObject({ fetched: 2, ingested: 1, updated: 0, stale: 1, unchanged: 0 });
    expect(harness.eventsOf("referral.ingested", report.runId)).toHaveLength(1);
    expect((await harness.memory.listRawLeads()).filter((l) => l.referralId === "ref-x")).toHaveLength(1);
  });

  it("item 2: within a page equal updatedDateTime falls back to the greater eTag", async () => {
    const harness = await harnessOver([[[copy(a, T1, "first", '"0001"'), copy(a, T1, "second", '"0002"'), copy(a, T1, "third", '"0000"')]]]);
    const report = await harness.engine.run({ trigger: "manual" });
    expect(await notesOf(harness, "ref-x")).toBe("second");
    expect(report.counts).toMatchObject({ ingested: 1, stale: 2 });
  });

  it("item 2: across pages of one run an older copy never replaces the newer one, and the referral is reported updated once", async () => {
    const harness = await harnessOver([[[copy(a, T0, "original")]], [[copy(a, T2, "newer")], [copy(a, T1, "older")]]]);
    await harness.engine.run({ trigger: "manual" });
    const report = await harness.engine.run({ trigger: "manual", full: true });
    expect(await notesOf(harness, "ref-x")).toBe("newer");
    expect((await harness.memory.getReferral("ref-x"))?.updatedAt).toBe(new Date(T2).toISOString());
    expect(report.counts).toMatchObject({ pages: 2, updated: 1, stale: 1, unchanged: 0 });
    expect(harness.eventsOf("referral.ingested", report.runId).map((e) => e.outcome)).toEqual(["updated"]);
  });

  it("item 2: a later run listing an older copy keeps the stored newer one and writes no company from it", async () => {
    const harness = await harnessOver([[[copy(a, T2, "newer")]], [[{ ...copy(a, T1, "older"), customerProfile: { ...(a?.customerProfile as object), name: "Stale Name Ltd" } }]]]);
    await harness.engine.run({ trigger: "manual" });
    const companiesBefore = harness.writes.companies;
    const report = await harness.engine.run({ trigger: "manual" });
    expect(await notesOf(harness, "ref-x")).toBe("newer");
    expect(report.counts).toMatchObject({ updated: 0, stale: 1 });
    expect(harness.writes.companies).toBe(companiesBefore);
    expect(harness.eventsOf("company.upserted", report.runId)).toEqual([]);
  });
});
