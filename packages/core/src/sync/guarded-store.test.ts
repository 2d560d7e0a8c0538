import { describe, expect, it } from "vitest";
import { InvalidInputError, PcReferralsError, StoreError } from "../errors.js";
import { createMemoryStore } from "../store/memory-store.js";
import { ENGINE_STORE_METHODS, guardStore, missingStoreMethods, toStoreError } from "./guarded-store.js";

describe("guardStore", () => {
  it("turns a foreign failure into a StoreError naming the call, with contact data masked", async () => {
    const memory = createMemoryStore();
    const broken = { ...memory, getCursor: async () => Promise.reject(new Error("lookup for jana@contoso.com failed")) };
    const error = await guardStore(broken).getCursor("default").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain("getCursor");
    expect((error as StoreError).message).not.toContain("jana@contoso.com");
    expect((error as StoreError).cause).toBeInstanceOf(Error);
  });

  it("lets library errors through unchanged", async () => {
    const invalid = new InvalidInputError("bad page");
    expect(toStoreError(invalid, "applyBatch")).toBe(invalid);
    const store = guardStore({ ...createMemoryStore(), recordRun: async () => Promise.reject(invalid) });
    await expect(store.recordRun({} as never)).rejects.toBe(invalid);
  });

  it("wraps the methods of the run lock it hands out", async () => {
    const memory = createMemoryStore();
    const store = guardStore({
      ...memory,
      acquireRunLock: async (request) => {
        const result = await memory.acquireRunLock(request);
        if (!result.acquired) return result;
        return { acquired: true, lock: { ...result.lock, renew: async () => Promise.reject(new Error("conn reset")) } };
      },
    });
    const result = await store.acquireRunLock({ owner: "run-1", ttlMs: 1000 });
    expect(result.acquired).toBe(true);
    if (!result.acquired) return;
    expect(result.lock.owner).toBe("run-1");
    const error = await result.lock.renew(1000).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "store_error")).toBe(true);
  });
});

describe("missingStoreMethods", () => {
  it.each([
    [createMemoryStore(), []],
    [{ ...createMemoryStore(), findCompanies: undefined, recordRun: "no" }, ["findCompanies", "recordRun"]],
    [null, [...ENGINE_STORE_METHODS]],
  ])("lists what the engine cannot call (%#)", (store, missing) => {
    expect(missingStoreMethods(store)).toEqual(missing);
  });
});
