// Issue 9 items 1 and 15: the incremental mark is capped at the run's start plus the clock-skew
// allowance, and the early stop relies on the listing's order only while the server honours it.
import { afterEach, describe, expect, it } from "vitest";
import { NetworkError } from "../src/errors.js";
import { generateReferrals } from "../src/testing/generate-referrals.js";
import { expectedIngestedIds, newestUpdatedAt, startHarness, type Harness } from "./engine-harness.js";
import { pageSourceClient } from "./support/page-source.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const HOUR = 3_600_000;
/** A day after generateReferrals' default `now`, so every generated referral is in the past. */
const START = Date.UTC(2025, 10, 2);
const iso = (ms: number) => new Date(ms).toISOString();

/** `count` fresh referrals with ids `<prefix>-<i>`, updated `stepMs` apart from `fromMs` on. */
function freshReferrals(count: number, prefix: string, fromMs: number, seed: number, stepMs = 1000): Record<string, unknown>[] {
  return generateReferrals(count, { seed }).map((r, i) => ({ ...(r as Record<string, unknown>), id: `${prefix}-${i}`, updatedDateTime: iso(fromMs + i * stepMs) }));
}

const newestFirst = (items: readonly Record<string, unknown>[]) =>
  [...items].sort((a, b) => Date.parse(String(b.updatedDateTime)) - Date.parse(String(a.updatedDateTime)));
const oldestFirst = (items: readonly Record<string, unknown>[]) => newestFirst(items).reverse();

describe("item 1: a future timestamp never moves the incremental mark", () => {
  it.each([false, true])(
    "item 1: a referral dated 9999 is stored and reported, the mark stays at or below start + allowance, and three later runs ingest every new referral (useUpdatedSinceFilter %s)",
    async (useUpdatedSinceFilter) => {
      const base = generateReferrals(120, { seed: 11 }) as Record<string, unknown>[];
      const ingestible = expectedIngestedIds(base);
      const template = base.find((r) => ingestible.has(String(r.id))) as Record<string, unknown>;
      const future = { ...template, id: "future-1", updatedDateTime: "9999-12-31T23:59:59.9999999Z" };
      let clock = START;
      let data: unknown[] = [future, ...base];
      h = await startHarness({ referrals: data, filterComparisons: true, engine: { now: () => clock, pageSize: 20, useUpdatedSinceFilter } });

      const first = await h.engine.run({ trigger: "manual" });

      expect(first.status).toBe("succeeded");
      expect(first.counts.futureDated).toBe(1);
      expect(first.warnings).toEqual([expect.objectContaining({ code: "future_dated", count: 1 })]);
      expect(h.eventsOf("referral.future_dated", first.runId)).toEqual([
        expect.objectContaining({ referralId: "future-1", updatedAt: "9999-12-31T23:59:59.9999999Z" }),
      ]);
      expect(h.logLines.some((l) => l.level === "warn" && l.msg === "future_dated")).toBe(true);
      expect(await h.memory.getReferral("future-1")).not.toBeNull();
      expect(first.cursor.next).toBe(newestUpdatedAt(base));
      expect(Date.parse(first.cursor.next ?? "")).toBeLessThanOrEqual(START + 300_000);

      const missed: string[] = [];
      for (const round of [1, 2, 3]) {
        clock += HOUR;
        const fresh = freshReferrals(70, `round${round}`, clock - 30 * 60_000, 100 + round);
        data = [...data, ...fresh];
        h.fake.setReferrals(data);

        const report = await h.engine.run({ trigger: "schedule" });

        expect(report.status).toBe("succeeded");
        expect(report.counts.futureDated).toBe(1);
        expect(h.eventsOf("referral.ingested", report.runId).map((e) => e.referralId)).not.toContain("future-1");
        expect(Date.parse(report.cursor.next ?? "")).toBeLessThanOrEqual(clock + 300_000);
        for (const id of expectedIngestedIds(fresh)) if ((await h.memory.getReferral(id)) === null) missed.push(id);
      }
      expect(missed).toEqual([]);
    },
  );

  it("item 1: a referral dated inside the clock-skew allowance still moves the mark", async () => {
    const base = generateReferrals(30, { seed: 12 }) as Record<string, unknown>[];
    const ahead = freshReferrals(1, "ahead", START + 120_000, 13);
    h = await startHarness({ referrals: [...base, ...ahead], engine: { now: () => START } });
    const report = await h.engine.run({ trigger: "manual" });
    expect(report.counts.futureDated).toBe(0);
    expect(report.warnings).toEqual([]);
    expect(report.cursor.next).toBe(iso(START + 120_000));
  });

  it("item 1: a mark already past the cap (stored before this fix) makes the run list in full and is set back", async () => {
    const base = generateReferrals(60, { seed: 14 }) as Record<string, unknown>[];
    h = await startHarness({ referrals: base, engine: { now: () => START, pageSize: 20 } });
    await h.memory.advanceCursor("default", { updatedAt: "9999-12-31T00:00:00.000Z" });

    const report = await h.engine.run({ trigger: "schedule" });

    expect(report.counts.pages).toBe(3);
    expect(new Set(await h.storedIds())).toEqual(expectedIngestedIds(base));
    expect(report.warnings).toEqual([expect.objectContaining({ code: "cursor_in_future" })]);
    expect(report.cursor).toEqual({ previous: "9999-12-31T00:00:00.000Z", next: newestUpdatedAt(base) });
    expect((await h.memory.getCursor("default"))?.updatedAt).toBe(newestUpdatedAt(base));
  });
});

describe("item 15: the stop rule trusts $orderby only while the server honours it", () => {
  /** A harness whose listing is `order(data)`, paged by 20, ignoring `$orderby`. */
  async function brokenOrderHarness(initial: Record<string, unknown>[]) {
    const source = { data: initial, order: newestFirst as (items: readonly Record<string, unknown>[]) => unknown[] };
    const pages = pageSourceClient(() => source.order(source.data));
    h = await startHarness({ referrals: [], engine: { client: pages.client, pageSize: 20, now: () => START } });
    return { source, pages, harness: h };
  }

  it("item 15: an incremental run that sees the order broken reads to the end, warns order_not_honoured and remembers it with the cursor", async () => {
    const old = freshReferrals(100, "old", START - 48 * HOUR, 21);
    const { source, pages, harness } = await brokenOrderHarness(old);
    const first = await harness.engine.run({ trigger: "manual" });
    expect(first.warnings).toEqual([]);
    expect(await harness.memory.getCursor("default")).toEqual({ updatedAt: first.cursor.next });

    const fresh = freshReferrals(30, "fresh", START - HOUR, 22);
    source.data = [...old, ...fresh];
    source.order = oldestFirst;
    const servedBefore = pages.state.served;
    const second = await harness.engine.run({ trigger: "schedule" });

    expect(second.status).toBe("succeeded");
    expect(pages.state.served - servedBefore).toBe(7);
    for (const id of expectedIngestedIds(fresh)) expect(await harness.memory.getReferral(id), id).not.toBeNull();
    expect(second.warnings).toEqual([expect.objectContaining({ code: "order_not_honoured" })]);
    expect(harness.logLines.some((l) => l.level === "warn" && l.msg === "order_not_honoured")).toBe(true);
    expect(await harness.memory.getCursor("default")).toEqual({ updatedAt: second.cursor.next, orderHonoured: false });
  });

  it("item 15: later runs list in full (no updatedSince filter either) until one sees the order honoured, then stop early again", async () => {
    const old = freshReferrals(100, "old", START - 48 * HOUR, 23);
    const { source, pages, harness } = await brokenOrderHarness(old);
    source.order = oldestFirst;
    const first = await harness.engine.run({ trigger: "manual" });
    expect(first.warnings.map((w) => w.code)).toEqual(["order_not_honoured"]);

    // Each page is in order, but a wholly old first page comes before the new ones.
    const fresh = freshReferrals(30, "fresh", START - HOUR, 24);
    source.data = [...old, ...fresh];
    source.order = (items) => [...newestFirst(items.filter((r) => String(r.id).startsWith("old"))), ...newestFirst(fresh)];
    const before = pages.state.served;
    const second = await harness.engine.run({ trigger: "schedule" });
    expect(pages.state.served - before).toBe(7);
    for (const id of expectedIngestedIds(fresh)) expect(await harness.memory.getReferral(id), id).not.toBeNull();
    expect((await harness.memory.getCursor("default"))?.orderHonoured).toBe(false);

    source.order = newestFirst;
    const third = await harness.engine.run({ trigger: "schedule" });
    expect(third.counts.pages).toBe(7);
    expect(third.warnings).toEqual([]);
    expect(await harness.memory.getCursor("default")).toEqual({ updatedAt: third.cursor.next });

    // 30 fresh referrals fill page 1 and half of page 2, which holds the first item older than mark − overlap.
    const fourth = await harness.engine.run({ trigger: "schedule" });
    expect(fourth.counts.pages).toBe(2);
  });

  it("item 15: a run that fails after seeing the order broken still remembers it, so the next run lists in full", async () => {
    const old = freshReferrals(60, "old", START - 48 * HOUR, 27, 60_000);
    const source = { failAfterFirstPage: false };
    const pages = pageSourceClient(() => (source.failAfterFirstPage ? oldestFirst(old).slice(0, 20) : newestFirst(old)));
    const client = {
      async *listReferrals(query: Parameters<typeof pages.client.listReferrals>[0]) {
        yield* pages.client.listReferrals(query);
        if (source.failAfterFirstPage) throw new NetworkError("connection reset");
      },
    };
    h = await startHarness({ referrals: [], engine: { client, pageSize: 20, now: () => START } });
    const first = await h.engine.run({ trigger: "manual" });
    source.failAfterFirstPage = true;
    const failed = await h.engine.run({ trigger: "schedule" });
    expect(failed.status).toBe("failed");
    expect(failed.warnings.map((w) => w.code)).toEqual(["order_not_honoured"]);
    expect(await h.memory.getCursor("default")).toEqual({ updatedAt: first.cursor.next, orderHonoured: false });
  });

  it("item 15: a flagged cursor sends no updatedSince filter", async () => {
    const old = freshReferrals(40, "old", START - 48 * HOUR, 25);
    const source = { order: oldestFirst };
    const pages = pageSourceClient(() => source.order(old));
    h = await startHarness({ referrals: [], engine: { client: pages.client, pageSize: 20, now: () => START, useUpdatedSinceFilter: true } });
    await h.engine.run({ trigger: "manual" });
    source.order = newestFirst;
    await h.engine.run({ trigger: "schedule" });
    await h.engine.run({ trigger: "schedule" });
    expect(pages.state.queries.map((q) => q.filter !== undefined)).toEqual([false, false, true]);
  });

  it("item 15: items out of order by less than the tolerance (1 s) count as honoured", async () => {
    const old = freshReferrals(60, "old", START - 48 * HOUR, 26, 60_000);
    // The fifth item is 500 ms newer than the fourth: out of order, but within the tolerance.
    const swapped = (items: readonly Record<string, unknown>[]) => {
      const sorted = newestFirst(items);
      const fourth = sorted[3] as Record<string, unknown>;
      sorted[4] = { ...sorted[4], updatedDateTime: iso(Date.parse(String(fourth.updatedDateTime)) + 500) };
      return sorted;
    };
    const pages = pageSourceClient(() => swapped(old));
    h = await startHarness({ referrals: [], engine: { client: pages.client, pageSize: 20, now: () => START } });
    const first = await h.engine.run({ trigger: "manual" });
    expect(first.warnings).toEqual([]);
    const second = await h.engine.run({ trigger: "schedule" });
    // Page 1 already holds items older than mark − overlap (1 min apart, 10 min overlap).
    expect(second.counts.pages).toBe(1);
  });
});

describe("issue 12 item 7: a no-change incremental run makes one request", () => {
  const LIST = "/v1.0/engagements/referrals";
  const listings = (harness: Harness) => harness.fake.requests.filter((r) => r.path === LIST).length;

  it("item 7: with nothing changed the run stops at the first page (1 listing request); after one change it still ingests that referral", async () => {
    // 100 referrals a minute apart over the fake, pages of 20: page 1 already reaches below mark − overlap (10 min).
    const data = freshReferrals(100, "item7", Date.now() - 48 * HOUR, 31, 60_000);
    h = await startHarness({ referrals: data, engine: { pageSize: 20 } });
    const first = await h.engine.run({ trigger: "manual" });
    expect(first.counts.pages).toBe(5);

    let before = listings(h);
    const unchanged = await h.engine.run({ trigger: "schedule" });
    expect(unchanged.status).toBe("succeeded");
    expect(listings(h) - before).toBe(1);
    expect(unchanged.counts).toMatchObject({ pages: 1, ingested: 0, updated: 0 });

    const stored = [...expectedIngestedIds(data)];
    const target = stored[Math.floor(stored.length / 2)] as string;
    h.fake.update(target, { details: { notes: "changed after the last run" } });
    before = listings(h);
    const changed = await h.engine.run({ trigger: "schedule" });
    expect(listings(h) - before).toBe(1);
    expect(changed.counts.updated).toBe(1);
    expect(h.eventsOf("referral.ingested", changed.runId).map((e) => e.referralId)).toEqual([target]);
    expect((await h.memory.getReferral(target))?.payload).toMatchObject({ details: { notes: "changed after the last run" } });
  });
});
