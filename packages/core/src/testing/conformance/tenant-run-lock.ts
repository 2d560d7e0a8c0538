// The run lock per tenant: two tenants sync at once, one tenant never runs twice.
import { describe, expect } from "vitest";
import type { RunLock, RunLockResult, Store } from "../../store/store.js";
import type { ConformanceContext } from "./context.js";
import { itWithTenants } from "./tenants.js";

const TTL_MS = 60 * 60 * 1000;

async function runningOwner(store: Store): Promise<string | null> {
  return (await store.getSyncStatus("scope")).running?.owner ?? null;
}

export function describeTenantRunLock<S extends Store>(ctx: ConformanceContext<S>): void {
  const itViews = itWithTenants(ctx);

  describe("tenants: run lock per tenant", () => {
    itViews("lets two tenants hold their locks at once and refuses a second holder in one tenant", async ({ store, a, b }) => {
      const held: RunLock[] = [];
      const keep = (result: RunLockResult): RunLockResult => {
        if (result.acquired) held.push(result.lock);
        return result;
      };
      try {
        const [lockA, lockB] = (await Promise.all([a.acquireRunLock({ owner: "run-a", ttlMs: TTL_MS }), b.acquireRunLock({ owner: "run-b", ttlMs: TTL_MS })])).map(keep);
        expect([lockA?.acquired, lockB?.acquired]).toEqual([true, true]);
        expect(keep(await a.acquireRunLock({ owner: "run-a2", ttlMs: TTL_MS }))).toMatchObject({ acquired: false, holder: "run-a" });
        expect(await Promise.all([a, b, store].map(runningOwner))).toEqual(["run-a", "run-b", null]);

        // The store's own tenant has a lock of its own too.
        expect(keep(await store.acquireRunLock({ owner: "run-root", ttlMs: TTL_MS })).acquired).toBe(true);

        if (lockA?.acquired) await lockA.lock.release();
        expect(await runningOwner(a)).toBeNull();
        expect(keep(await b.acquireRunLock({ owner: "run-b2", ttlMs: TTL_MS }))).toMatchObject({ acquired: false, holder: "run-b" });
        expect(await Promise.all([b, store].map(runningOwner))).toEqual(["run-b", "run-root"]);
        expect(keep(await a.acquireRunLock({ owner: "run-a2", ttlMs: TTL_MS })).acquired).toBe(true);
      } finally {
        for (const lock of held) await lock.release();
      }
    });

    itViews("renews and releases only within its own tenant", async ({ a, b }) => {
      const first = await a.acquireRunLock({ owner: "same-owner", ttlMs: TTL_MS });
      const second = await b.acquireRunLock({ owner: "same-owner", ttlMs: TTL_MS });
      try {
        expect([first.acquired, second.acquired]).toEqual([true, true]);
        if (first.acquired) await first.lock.release();
        expect(await runningOwner(b)).toBe("same-owner");
        if (second.acquired) expect(await second.lock.renew(TTL_MS)).toBe(true);
      } finally {
        if (second.acquired) await second.lock.release();
      }
    });
  });
}
