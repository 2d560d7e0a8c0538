import { describe, expect, it } from "vitest";
import { PcReferralsError } from "../errors.js";
import { describeStoreConformance } from "../testing/store-conformance.js";
import { makeCompanyUpsert, makeProcessedPage, makeProcessedReferral } from "../testing/processed-fixtures.js";
import { createMemoryStore, type MemoryStore } from "./memory-store.js";

const memoryInspector = { rawLeads: (store: MemoryStore) => store.listRawLeads(), domainScans: (store: MemoryStore) => store.listDomainScans() };
describeStoreConformance("memory", () => createMemoryStore(), { inspect: memoryInspector });
// A tenant view is a whole store of its own.
describeStoreConformance("memory, tenant view", () => createMemoryStore().forTenant("contoso"), { inspect: memoryInspector });

function manualClock(start = Date.parse("2025-03-04T10:00:00.000Z")) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), iso: () => new Date(t).toISOString() };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("createMemoryStore", () => {
  it("is the default tenant, and gives the same view of a tenant each time", () => {
    const store = createMemoryStore();
    expect([store.tenant, store.forTenant("default")]).toEqual(["default", store]);
    expect(store.forTenant("contoso")).toBe(store.forTenant("contoso").forTenant("contoso"));
  });

  it("expires a lease exactly at its end on the injected clock", async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    const first = await store.acquireRunLock({ owner: "a", ttlMs: 1000 });
    expect(first.acquired && first.lock.expiresAt).toBe(new Date(clock.now() + 1000).toISOString());
    clock.advance(999);
    expect(await store.acquireRunLock({ owner: "b", ttlMs: 1000 })).toMatchObject({ acquired: false, holder: "a" });
    clock.advance(1);
    expect((await store.getSyncStatus("default")).running).toBeNull();
    expect(await store.acquireRunLock({ owner: "b", ttlMs: 1000 })).toMatchObject({ acquired: true });
  });

  it("moves a renewed lock's expiresAt", async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    const result = await store.acquireRunLock({ owner: "a", ttlMs: 1000 });
    if (!result.acquired) throw new Error("not acquired");
    clock.advance(500);
    expect(await result.lock.renew(1000)).toBe(true);
    expect(result.lock.expiresAt).toBe("2025-03-04T10:00:01.500Z");
  });

  it("stamps companies and raw leads with the injected clock", async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    await store.applyBatch(makeProcessedPage([makeProcessedReferral()], { companies: [makeCompanyUpsert()] }));
    const created = clock.iso();
    clock.advance(60_000);
    await store.applyBatch(makeProcessedPage([], { companies: [makeCompanyUpsert({ score: 5 })] }));
    const [company] = await store.findCompanies({ domains: ["contoso.com"], normalizedNames: [] });
    expect([company?.createdAt, company?.updatedAt]).toEqual([created, clock.iso()]);
    expect((await store.listRawLeads()).map((lead) => lead.createdAt)).toEqual([created]);
  });

  it("returns timestamps in one ISO-8601 UTC form", async () => {
    const store = createMemoryStore();
    await store.applyBatch(
      makeProcessedPage([makeProcessedReferral({ remoteUpdatedAt: "2025-03-04T09:12:44.1234567Z" })], {
        syncedAt: "2025-03-04T12:00:00+02:00",
      }),
    );
    await store.advanceCursor("t", { updatedAt: "2025-03-04T09:12:44Z" });
    const [row] = (await store.queryInbox({})).items;
    expect([row?.updatedAt, row?.syncedAt]).toEqual(["2025-03-04T09:12:44.123Z", "2025-03-04T10:00:00.000Z"]);
    expect(await store.getCursor("t")).toEqual({ updatedAt: "2025-03-04T09:12:44.000Z" });
  });

  it.each([
    { name: "a timestamp that does not parse", page: makeProcessedPage([makeProcessedReferral({ remoteUpdatedAt: "yesterday" })]) },
    { name: "a company without a domain", page: makeProcessedPage([], { companies: [makeCompanyUpsert({ domain: "" })] }) },
    {
      name: "a payload with a BigInt",
      page: makeProcessedPage([makeProcessedReferral({ payload: { email: "secret.person@contoso.com", n: 1n } })]),
    },
  ])("rejects $name with invalid_input, naming the path but no value", async ({ page }) => {
    const store = createMemoryStore();
    const error = await rejection(store.applyBatch(page));
    expect(PcReferralsError.hasCode(error, "invalid_input")).toBe(true);
    expect(String((error as Error).message)).toMatch(/^page\./);
    expect(String((error as Error).message)).not.toContain("secret.person");
    expect(await store.listRawLeads()).toEqual([]);
  });

  it("rejects a cursor that is not a timestamp", async () => {
    const store = createMemoryStore();
    expect(PcReferralsError.hasCode(await rejection(store.advanceCursor("t", { updatedAt: "soon" })), "invalid_input")).toBe(true);
    expect(await store.getCursor("t")).toBeNull();
  });

  it("rejects options that are not what they claim with config_invalid", () => {
    expect(() => createMemoryStore({ now: 5 as unknown as () => number })).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
  });

  it("keeps separate stores apart", async () => {
    const a = createMemoryStore();
    const b = createMemoryStore();
    await a.applyBatch(makeProcessedPage([makeProcessedReferral()]));
    expect(a.kind).toBe("memory");
    expect((await b.queryInbox({})).total).toBe(0);
    expect(await b.claimDomainScans(["contoso.com"])).toEqual(["contoso.com"]);
  });
});
