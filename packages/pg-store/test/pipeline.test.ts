// Issue 12 items 1 and 2 on pg-store: the next page's request reaches the fake Partner Center
// while the page before is still being written, and a page prepared during the previous page's
// write ends exactly as if prepared after it (same id on consecutive pages; a company the page
// before created). The real store does every read and write; the wrappers only observe or delay.
import { createPartnerCenterClient, createStaticTokenProvider, createSyncEngine } from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter, type FakePartnerCenter } from "@pc-referrals/core/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  overlappingWrites,
  repeatedIdListing,
  runListing,
  sharedCompanyListing,
} from "../../core/test/support/pipeline-scenarios.js";
import { BACKENDS, useBackend } from "./backends.js";

const LIST = "/v1.0/engagements/referrals";
const PAGE_SIZE = 20;
const REFERRALS = generateReferrals(100, { seed: 21, invalidRatio: 0 });

describe.each(BACKENDS)("pipelined pages on pg-store (%s)", (backend) => {
  const h = useBackend(backend, import.meta.filename);
  let fake: FakePartnerCenter;
  const clients: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    fake = await startFakePartnerCenter({ referrals: REFERRALS, latencyMs: 150 });
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    await fake.stop();
  });
  afterEach(async () => {
    await h.closeStores();
    await h.reset();
  });

  it("item 1: the request for page k+1 reaches the fake before page k's write has finished, for every k", async () => {
    const store = h.store();
    // Instrumentation only: how many listing requests the fake had received when each write began and ended.
    const writes: Array<{ atStart: number; atEnd: number; referrals: number }> = [];
    const listings = () => fake.requests.filter((r) => r.path === LIST).length;
    const before = listings();
    const apply = store.applyBatch.bind(store);
    store.applyBatch = async (page) => {
      const entry = { atStart: listings() - before, atEnd: -1, referrals: page.referrals.length };
      try {
        return await apply(page);
      } finally {
        entry.atEnd = listings() - before;
        if (entry.referrals > 0) writes.push(entry);
      }
    };
    const client = createPartnerCenterClient({ tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()), baseUrl: fake.url });
    clients.push(client);
    const report = await createSyncEngine({ client, store, enabled: true, pageSize: PAGE_SIZE }).run({ trigger: "manual" });

    expect(report.status).toBe("succeeded");
    const pages = report.counts.pages;
    expect(pages).toBe(REFERRALS.length / PAGE_SIZE);
    expect(writes).toHaveLength(pages);
    // Page k is the k-th write; request k+1 must have arrived by the end of it (the last page has no next).
    writes.slice(0, -1).forEach((write, i) => expect(write.atEnd, `request ${i + 2} by the end of page ${i + 1}'s write`).toBeGreaterThanOrEqual(i + 2));
  });

  it("item 2: a referral page k wrote is decided again on page k+1 (same id on consecutive pages), as sequential", async () => {
    const listing = repeatedIdListing();
    const sequential = await runListing(h.store(), listing);
    await h.reset();
    const gate = overlappingWrites(h.store(), listing.length);
    const pipelined = await runListing(gate.store, listing);

    expect(gate.overlapped).toBe(listing.length - 1);
    expect(pipelined.report.counts).toMatchObject({ pages: 3, ingested: 5, unchanged: 1, stale: 1, failed: 0 });
    expect(pipelined.rows.find((r) => r.referralId === "rep-2")).toMatchObject({ customerName: "Fabrikam Inc", status: "New" });
    expect(pipelined.events).toEqual(sequential.events);
    expect(pipelined.rows).toEqual(sequential.rows);
  });

  it("item 2: a company page k created is a link candidate of page k+1's new referrals, by domain and by normalized name, as sequential", async () => {
    const listing = sharedCompanyListing();
    const sequential = await runListing(h.store(), listing);
    await h.reset();
    const gate = overlappingWrites(h.store(), listing.length);
    const pipelined = await runListing(gate.store, listing);

    expect(gate.overlapped).toBe(listing.length - 1);
    const link = (id: string) => pipelined.rows.find((r) => r.referralId === id);
    expect(link("co-1")).toMatchObject({ linkStatus: "unlinked", linkedTo: null });
    expect(link("co-3")).toMatchObject({ linkStatus: "auto_linked", linkedTo: "alpenblick-logistik.de" });
    expect(link("co-4")).toMatchObject({ linkStatus: "auto_linked", linkedTo: "alpenblick-logistik.de" });
    expect(pipelined.events).toEqual(sequential.events);
    expect(pipelined.rows).toEqual(sequential.rows);
  });
});
