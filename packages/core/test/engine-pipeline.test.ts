// Issue 12 item 2: page k+1 is prepared while page k is written, and the outcome is exactly that of
// preparing it afterwards. The store wrapper holds page k's write until page k+1 has read the
// store, so the redo path runs (the memory store's writes would otherwise finish first).
import { describe, expect, it } from "vitest";
import { StoreError } from "../src/errors.js";
import { createMemoryStore } from "../src/store/memory-store.js";
import type { Store } from "../src/store/store.js";
import { overlappingWrites, repeatedIdListing, runListing, sharedCompanyListing } from "./support/pipeline-scenarios.js";

/** The store with every applyBatch from call `from` on failing, as a store that went down. */
function downFrom<S extends Store>(store: S, from: number): S {
  let calls = 0;
  const apply = store.applyBatch.bind(store);
  return Object.assign(store, {
    applyBatch: (page: Parameters<Store["applyBatch"]>[0]) => {
      calls += 1;
      return calls >= from ? Promise.reject(new Error("connection terminated")) : apply(page);
    },
  });
}

describe("issue 12 item 2: pipelined pages", () => {
  it("item 2: a referral page k wrote is decided again on page k+1 (same id on consecutive pages): unchanged and stale, no company from the copies, events as sequential", async () => {
    const listing = repeatedIdListing();
    const sequential = await runListing(createMemoryStore(), listing);
    const gate = overlappingWrites(createMemoryStore(), listing.length);
    const pipelined = await runListing(gate.store, listing);

    expect(gate.overlapped).toBe(listing.length - 1);
    expect(pipelined.report.counts).toMatchObject({ pages: 3, ingested: 5, unchanged: 1, stale: 1, failed: 0 });
    const upserted = pipelined.events.filter((e) => e.type === "company.upserted").map((e) => e.domain);
    expect(upserted.filter((d) => d === "fabrikam.com" || d === "northwind-traders.com")).toEqual(["fabrikam.com", "northwind-traders.com"]);
    expect(pipelined.rows.find((r) => r.referralId === "rep-2")).toMatchObject({ customerName: "Fabrikam Inc", status: "New" });
    expect(pipelined.events).toEqual(sequential.events);
    expect(pipelined.rows).toEqual(sequential.rows);
  });

  it("item 2: a company page k created is a link candidate of page k+1's new referrals, by domain and by normalized name, as sequential", async () => {
    const listing = sharedCompanyListing();
    const sequential = await runListing(createMemoryStore(), listing);
    const gate = overlappingWrites(createMemoryStore(), listing.length);
    const pipelined = await runListing(gate.store, listing);

    expect(gate.overlapped).toBe(listing.length - 1);
    const link = (id: string) => pipelined.rows.find((r) => r.referralId === id);
    expect(link("co-1")).toMatchObject({ linkStatus: "unlinked", linkedTo: null });
    expect(link("co-3")).toMatchObject({ linkStatus: "auto_linked", linkedTo: "alpenblick-logistik.de" });
    expect(link("co-4")).toMatchObject({ linkStatus: "auto_linked", linkedTo: "alpenblick-logistik.de" });
    expect(pipelined.events).toEqual(sequential.events);
    expect(pipelined.rows).toEqual(sequential.rows);
  });

  it.each([1, 2])("item 2: when the write of page %i fails (store down), the page prepared meanwhile is neither written nor reported", async (failing) => {
    const listing = sharedCompanyListing();
    const memory = createMemoryStore();
    const gate = overlappingWrites(downFrom(memory, failing), listing.length);
    const run = await runListing(gate.store, listing);

    expect(run.report.status).toBe("failed");
    expect(run.report.errors.map((e) => e.code)).toEqual([new StoreError("x").code]);
    expect(run.events.filter((e) => e.type === "page.fetched").map((e) => e.page)).toEqual(Array.from({ length: failing }, (_, i) => i + 1));
    const written = new Set(run.rows.map((r) => r.referralId));
    const pageIds = (n: number) => (listing[n - 1] as Array<{ id: string }>).map((r) => r.id);
    for (let n = 1; n <= listing.length; n += 1) {
      for (const id of pageIds(n)) expect(written.has(id), `${id} of page ${n}`).toBe(n < failing);
    }
    expect(await memory.getCursor("default")).toBeNull();
  });
});
