// Item 7 at the engine level: a listing cut by the client's maxPages fails the run with its own
// code, and the pages written before the cap stay (fake Partner Center → real client → memory store).
import { afterEach, describe, expect, it } from "vitest";
import { createPartnerCenterClient } from "../src/client/partner-center-client.js";
import { createMemoryStore } from "../src/store/memory-store.js";
import { createSyncEngine } from "../src/sync/engine.js";
import { startFakePartnerCenter, type FakePartnerCenter } from "../src/testing/fake-partner-center.js";
import { generateReferrals } from "../src/testing/generate-referrals.js";

let fake: FakePartnerCenter | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

describe("item 7: the page cap at the engine level", () => {
  it("item 7: reaching maxPages fails the run with page_limit_exceeded and keeps the pages written before it", async () => {
    const referrals = generateReferrals(600, { seed: 3, invalidRatio: 0 });
    fake = await startFakePartnerCenter({ referrals });
    const server = fake;
    const client = createPartnerCenterClient({
      baseUrl: server.url,
      tokenProvider: { getAccessToken: async () => server.entra.issueAccessToken() },
      maxPages: 3,
    });
    const store = createMemoryStore();
    const engine = createSyncEngine({ client, store, enabled: true });
    try {
      const report = await engine.run({ trigger: "manual" });

      expect(report.status).toBe("failed");
      expect(report.errors).toContainEqual(expect.objectContaining({ referralId: null, code: "page_limit_exceeded" }));
      expect(report.counts.pages).toBe(3);
      expect(report.counts.fetched).toBe(300);
      // Only three pages were asked for, and what they held stays in the store.
      expect(server.requests).toHaveLength(3);
      expect(report.counts.ingested).toBeGreaterThan(0);
      const inbox = await store.queryInbox({ page: 1, pageSize: 500 });
      expect(inbox.total).toBe(report.counts.ingested);
      // A cut listing saw only part of the tenant, so the cursor does not move.
      expect(await store.getCursor("default")).toBeNull();
    } finally {
      await client.close();
    }
  });
});
