// The run lock across connections: what the conformance suite cannot show with one store.
import { PcReferralsError, type RunLock, type RunLockResult } from "@pc-referrals/core";
import { afterEach, describe, expect, it } from "vitest";
import { advisoryKey, LockPurpose, runLockKey } from "../src/schema.js";
import { BACKENDS, itPostgresOnly, useBackend } from "./backends.js";

const HOUR = 60 * 60 * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function held(result: RunLockResult): RunLock {
  if (!result.acquired) throw new Error(`lock not acquired (holder ${String(result.holder)})`);
  return result.lock;
}

describe.each(BACKENDS)("run lock on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename);
  afterEach(async () => {
    await h.closeStores();
    await h.reset();
  });

  it("lets exactly one of many concurrent acquirers in", async () => {
    const stores = backend === "postgres" ? [1, 2, 3, 4].map(() => h.separateStore().store) : [1, 2, 3, 4].map(() => h.store());
    const results = await Promise.all(stores.map((s, i) => s.acquireRunLock({ owner: `w${i}`, ttlMs: HOUR })));
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    const winner = results.findIndex((r) => r.acquired);
    for (const r of results) if (!r.acquired) expect(r.holder).toBe(`w${winner}`);
  });

  it("is shared by stores of one schema and separate between schemas", async () => {
    const a = h.store();
    const b = h.store();
    const otherSchema = h.schemaNamed("other");
    const other = h.store({ schema: otherSchema });
    await other.migrate();
    const lock = held(await a.acquireRunLock({ owner: "a", ttlMs: HOUR }));
    expect(await b.acquireRunLock({ owner: "b", ttlMs: HOUR })).toMatchObject({ acquired: false, holder: "a" });
    expect((await other.acquireRunLock({ owner: "c", ttlMs: HOUR })).acquired).toBe(true);
    await lock.release();
    expect((await b.acquireRunLock({ owner: "b", ttlMs: HOUR })).acquired).toBe(true);
  });

  it("is released when the holding store closes", async () => {
    const a = h.store();
    held(await a.acquireRunLock({ owner: "a", ttlMs: HOUR }));
    await a.close();
    expect((await h.store().acquireRunLock({ owner: "b", ttlMs: HOUR })).acquired).toBe(true);
  });

  itPostgresOnly(backend)("frees a crashed holder's lease at once, long before it expires", async () => {
    const crashed = h.separateStore();
    held(await crashed.store.acquireRunLock({ owner: "crashed", ttlMs: HOUR }));
    const survivor = h.separateStore().store;
    expect(await survivor.acquireRunLock({ owner: "survivor", ttlMs: HOUR })).toMatchObject({ acquired: false, holder: "crashed" });

    // The process dies: its connections go, and PostgreSQL frees their session locks.
    const [row] = await h.sql<{ pid: number }>(`SELECT holder_pid AS pid FROM "${h.schema}".run_lock`);
    await h.sql("SELECT pg_terminate_backend($1)", [row?.pid]);
    await waitFor(async () => (await h.sql(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, [row?.pid])).length === 0);

    expect((await survivor.getSyncStatus("default")).running).toBeNull();
    expect(held(await survivor.acquireRunLock({ owner: "survivor", ttlMs: HOUR })).owner).toBe("survivor");
  });

  itPostgresOnly(backend)("item 6: renew after the lock's own connection died rejects with store_error (lock lost), not a lost race", async () => {
    const { store } = h.separateStore();
    const lock = held(await store.acquireRunLock({ owner: "a", ttlMs: HOUR }));
    const [row] = await h.sql<{ pid: number }>(`SELECT holder_pid AS pid FROM "${h.schema}".run_lock`);
    await h.sql("SELECT pg_terminate_backend($1)", [row?.pid]);
    await sleep(100);
    const error = await lock.renew(HOUR).then(
      () => null,
      (e: unknown) => e,
    );
    expect(PcReferralsError.hasCode(error, "store_error")).toBe(true);
    expect((error as Error).message).toMatch(/run lock was lost: its database connection closed/);
    expect((await store.getSyncStatus("default")).running).toBeNull();
    expect((await store.acquireRunLock({ owner: "b", ttlMs: HOUR })).acquired).toBe(true);
  });

  it("item 4: a lease left by a process that died is free at once, and getSyncStatus agrees with acquireRunLock", async () => {
    // What a SIGKILLed holder leaves: its lease row, long unexpired. On PGlite every process's
    // backend pid is 42; on PostgreSQL the dead backend's pid holds no advisory lock any more.
    const deadPid = backend === "pglite" ? 42 : 2_000_000_000;
    await h.sql(
      `INSERT INTO "${h.schema}".run_lock (name, owner, token, holder_pid, acquired_at, expires_at)
       VALUES ('sync', 'crashed-run', gen_random_uuid(), $1, now(), now() + interval '1 hour')`,
      [deadPid],
    );
    const store = h.store();
    expect((await store.getSyncStatus("default")).running).toBeNull();
    const lock = held(await store.acquireRunLock({ owner: "rerun", ttlMs: HOUR }));
    expect((await store.getSyncStatus("default")).running?.owner).toBe("rerun");
    // And while held, another store on the same database is refused, as the status says.
    expect(await h.store().acquireRunLock({ owner: "third", ttlMs: HOUR })).toMatchObject({ acquired: false, holder: "rerun" });
    await lock.release();
    expect((await store.getSyncStatus("default")).running).toBeNull();
  });

  itPostgresOnly(backend)("lets a live but expired holder be replaced, and never frees the newer lease", async () => {
    const slow = h.separateStore().store;
    const stale = held(await slow.acquireRunLock({ owner: "slow", ttlMs: 50 }));
    await sleep(200);
    const fresh = h.separateStore().store;
    const lock = held(await fresh.acquireRunLock({ owner: "fresh", ttlMs: HOUR }));
    expect(await stale.renew(HOUR)).toBe(false);
    await stale.release();
    expect((await fresh.getSyncStatus("default")).running?.owner).toBe("fresh");
    expect(await slow.acquireRunLock({ owner: "slow-2", ttlMs: HOUR })).toMatchObject({ acquired: false, holder: "fresh" });
    // Once the stale holder let go of its connection lock, the fresh one's renew records crash detection.
    expect(await lock.renew(HOUR)).toBe(true);
    const [row] = await h.sql<{ pid: number | null }>(`SELECT holder_pid AS pid FROM "${h.schema}".run_lock`);
    expect(row?.pid).not.toBeNull();
  });

  itPostgresOnly(backend)("holds the advisory lock only while holding the lease", async () => {
    const holders = () =>
      h.sql(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objid = 1 AND objsubid = 2`, [
        advisoryKey(h.schema),
      ]);
    const { store } = h.separateStore();
    const lock = held(await store.acquireRunLock({ owner: "a", ttlMs: HOUR }));
    expect(await holders()).toHaveLength(1);
    await lock.release();
    expect(await holders()).toEqual([]);
    expect(await store.acquireRunLock({ owner: "b", ttlMs: HOUR })).toMatchObject({ acquired: true });
    await store.close();
    expect(await holders()).toEqual([]);
  });

  it("tenants: two tenants hold their locks at once on one store, each its own advisory key; one tenant never twice", async () => {
    const store = h.store();
    const [contoso, fabrikam] = [store.forTenant("contoso"), store.forTenant("fabrikam")];
    const a = held(await contoso.acquireRunLock({ owner: "run-c", ttlMs: HOUR }));
    const b = held(await fabrikam.acquireRunLock({ owner: "run-f", ttlMs: HOUR }));
    const d = held(await store.acquireRunLock({ owner: "run-d", ttlMs: HOUR }));
    // Another "process" on the same schema: each tenant's lock is taken, by its own holder.
    const other = backend === "postgres" ? h.separateStore().store : h.store();
    expect(await other.forTenant("contoso").acquireRunLock({ owner: "run-x", ttlMs: HOUR })).toMatchObject({ acquired: false, holder: "run-c" });
    expect(await other.forTenant("fabrikam").acquireRunLock({ owner: "run-x", ttlMs: HOUR })).toMatchObject({ acquired: false, holder: "run-f" });
    expect((await other.forTenant("northwind").getSyncStatus("default")).running).toBeNull();
    expect((await other.forTenant("fabrikam").getSyncStatus("default")).running).toMatchObject({ owner: "run-f" });
    if (backend === "postgres") {
      const keys = await h.sql<{ objid: string }>(
        `SELECT objid::text FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objsubid = 2 ORDER BY objid`,
        [advisoryKey(h.schema)],
      );
      expect(keys.map((k) => Number(k.objid)).sort((x, y) => x - y)).toEqual(["default", "contoso", "fabrikam"].map(runLockKey).sort((x, y) => x - y));
    }
    await a.release();
    expect(await other.forTenant("fabrikam").acquireRunLock({ owner: "run-x", ttlMs: HOUR })).toMatchObject({ acquired: false, holder: "run-f" });
    expect((await other.forTenant("contoso").acquireRunLock({ owner: "run-x", ttlMs: HOUR })).acquired).toBe(true);
    await Promise.all([b.release(), d.release()]);
  });

  it("tenants: the advisory keys of tenants never equal the migrations lock's and are stable", () => {
    expect(runLockKey("default")).toBe(LockPurpose.runLock);
    for (const tenant of ["contoso", "fabrikam", "a", "0", "x".repeat(63)]) {
      expect(runLockKey(tenant)).toBeGreaterThanOrEqual(3);
      expect(runLockKey(tenant)).toBeLessThanOrEqual(0x7fffffff);
      expect(runLockKey(tenant)).toBe(runLockKey(tenant));
    }
    expect(runLockKey("contoso")).not.toBe(runLockKey("fabrikam"));
  });

  itPostgresOnly(backend)("tenants: a crashed holder's lease of one tenant is free at once; the other tenant's holder keeps its lock", async () => {
    const crashed = h.separateStore();
    held(await crashed.store.forTenant("contoso").acquireRunLock({ owner: "crashed", ttlMs: HOUR }));
    const alive = h.separateStore().store;
    held(await alive.forTenant("fabrikam").acquireRunLock({ owner: "alive", ttlMs: HOUR }));
    const survivor = h.separateStore().store.forTenant("contoso");
    expect(await survivor.acquireRunLock({ owner: "survivor", ttlMs: HOUR })).toMatchObject({ acquired: false, holder: "crashed" });

    const [row] = await h.sql<{ pid: number }>(`SELECT holder_pid AS pid FROM "${h.schema}".run_lock WHERE tenant = 'contoso'`);
    await h.sql("SELECT pg_terminate_backend($1)", [row?.pid]);
    await waitFor(async () => (await h.sql(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, [row?.pid])).length === 0);

    expect((await survivor.getSyncStatus("default")).running).toBeNull();
    expect(held(await survivor.acquireRunLock({ owner: "survivor", ttlMs: HOUR })).owner).toBe("survivor");
    expect(await survivor.forTenant("fabrikam").acquireRunLock({ owner: "survivor", ttlMs: HOUR })).toMatchObject({
      acquired: false,
      holder: "alive",
    });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await sleep(20);
  }
}
