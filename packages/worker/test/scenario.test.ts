// The done-means scenario. On embedded PGlite: one process by design, two workers in it on one
// store and one pg-boss (both on the same PGlite through createPgBossDb). On PostgreSQL (with
// DATABASE_URL; required under CI=true): two worker processes, one SIGKILLed mid-job. 3 tenants ×
// 500 referrals with the same ids, every referral stored once per tenant; a revoked login marks its
// tenant "login required" while the others keep syncing.
import type { SyncReport } from "@pc-referrals/core";
import { createPgStore } from "@pc-referrals/pg-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenantWorker, type TenantWorker } from "../src/index.js";
import { eventually, expectedIngested, startBossOnPGlite, startTenantFakeWithLogin, type BossOnPGlite, type TenantFake } from "./support/harness.js";
import { describePostgresScenario } from "./support/postgres-scenario.js";

const TENANTS = ["alpha", "beta", "gamma"];
const COUNT = 500;

let bench: BossOnPGlite;
let fakes: TenantFake[];

beforeAll(async () => {
  const store = createPgStore({ dataDir: "memory://" });
  await store.migrate();
  bench = await startBossOnPGlite({ store });
  fakes = await Promise.all(TENANTS.map((id) => startTenantFakeWithLogin(id, COUNT)));
});
afterAll(async () => {
  await bench?.stop();
  await Promise.all(fakes.map((f) => f.fake.stop()));
  await bench?.store.close();
});

describe("3 tenants × 500 referrals on PGlite, 2 workers in one process", () => {
  it("stores every referral once per tenant and isolates a revoked login", async () => {
    // pg-store's own registry (the tenants table), on the same PGlite.
    const tenants = bench.store.tenants;
    for (const id of TENANTS) await tenants.put({ id, intervalMs: 1_500 });
    const byId = new Map(fakes.map((f) => [f.id, f]));
    const reports = new Map<string, SyncReport[]>(TENANTS.map((id) => [id, []]));
    const loginRequired: string[] = [];
    const workers: TenantWorker[] = [0, 1].map(() =>
      createTenantWorker({
        store: bench.store,
        boss: bench.boss,
        tenants,
        concurrency: 2,
        scheduleEveryMs: 300,
        pollingIntervalSeconds: 0.5,
        engineOptions: (tenant) => ({ client: byId.get(tenant.id)!.client }),
      }),
    );
    for (const worker of workers) {
      worker.on("job.completed", (e) => {
        if (e.kind === "sync") reports.get(e.tenant)?.push(e.report);
      });
      worker.on("tenant.login_required", (e) => loginRequired.push(e.tenant));
    }
    try {
      await Promise.all(workers.map((w) => w.start()));
      await eventually(() => TENANTS.every((id) => (reports.get(id)?.length ?? 0) >= 1), 40_000);

      byId.get("gamma")!.revoke();
      const before = new Map(TENANTS.map((id) => [id, reports.get(id)!.length]));
      await eventually(() => loginRequired.includes("gamma") && ["alpha", "beta"].every((id) => reports.get(id)!.length > before.get(id)!), 40_000);
      expect((await tenants.get("gamma"))?.loginRequired).not.toBeNull();
      expect(reports.get("gamma")).toHaveLength(before.get("gamma")!);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }

    const expected = await expectedIngested(COUNT);
    for (const id of TENANTS) {
      const view = bench.store.forTenant(id);
      expect((await view.queryInbox({ pageSize: 1 })).total).toBe(expected);
      // Inserted once: every later run found them unchanged.
      const inserted = reports.get(id)!.reduce((sum, r) => sum + r.counts.ingested, 0);
      expect(inserted).toBe(expected);
    }
    expect((await bench.store.queryInbox({ pageSize: 1 })).total).toBe(0);
    expect(loginRequired).toEqual(["gamma"]);
  });
});

describePostgresScenario(import.meta.filename, TENANTS, COUNT);
