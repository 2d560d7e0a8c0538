// createTenantWorker on real pg-boss (on PGlite) with the memory store: options, stately, retries,
// login required, pacing, graceful stop and webhook throttling.
import { ConfigError, createMemoryStore, createMemoryTenantRegistry, type TenantRegistry } from "@pc-referrals/core";
import { generateReferrals } from "@pc-referrals/core/testing";
import { createPgBossDb } from "@pc-referrals/pg-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenantWorker, type EnqueueResult, type TenantWorkerOptions } from "../src/index.js";
import { addTenants, eventually, expectedIngested, recordEvents, startBossOnPGlite, startTenantFake, startTenantFakeWithLogin, type BossOnPGlite, type TenantFake } from "./support/harness.js";

let bench: BossOnPGlite;
const cleanups: Array<() => Promise<unknown>> = [];
let queueSeq = 0;

beforeAll(async () => {
  bench = await startBossOnPGlite();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await bench.stop();
});

async function setup(fakes: TenantFake[], extra: Partial<TenantWorkerOptions> = {}) {
  const store = createMemoryStore();
  const tenants: TenantRegistry = createMemoryTenantRegistry();
  await addTenants(tenants, fakes.map((f) => f.id));
  const byId = new Map(fakes.map((f) => [f.id, f]));
  const worker = createTenantWorker({
    store,
    boss: bench.boss,
    tenants,
    queue: `q${(queueSeq += 1)}`,
    scheduleEveryMs: 3_600_000,
    pollingIntervalSeconds: 0.5,
    retry: { limit: 3, delaySeconds: 1, backoff: false },
    engineOptions: (tenant) => ({ client: byId.get(tenant.id)?.client ?? fakes[0]!.client, pageSize: 100 }),
    ...extra,
  });
  cleanups.push(() => worker.stop());
  for (const f of fakes) cleanups.push(() => f.fake.stop());
  return { store, tenants, worker };
}

const inboxCount = async (store: ReturnType<typeof createMemoryStore>, tenant: string) =>
  (await store.forTenant(tenant).queryInbox({ pageSize: 1 })).total;

describe("createTenantWorker options", () => {
  it("lists every bad or unknown key in one ConfigError", () => {
    let thrown: unknown;
    try {
      createTenantWorker({
        store: {} as never,
        boss: bench.boss,
        tenants: createMemoryTenantRegistry(),
        engineOptions: () => ({ client: { listReferrals: async () => ({ items: [], nextLink: null }) } as never }),
        concurrency: 0,
        queu: "x",
      } as unknown as TenantWorkerOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const paths = (thrown as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["createTenantWorker.store", "createTenantWorker.concurrency", "createTenantWorker.queu"]));
    expect((thrown as ConfigError).code).toBe("config_invalid");
  });

  it("refuses to start when bossSchema does not hold pg-boss's tables", async () => {
    const { worker } = await setup([], { bossSchema: "not_pgboss" });
    await expect(worker.start()).rejects.toMatchObject({ code: "config_invalid", issues: [{ path: "createTenantWorker.bossSchema" }] });
  });

  it("refuses a bad tenant id with invalid_input", async () => {
    const { worker } = await setup([]);
    await expect(worker.enqueueSync("Not A Tenant!")).rejects.toMatchObject({ code: "invalid_input" });
  });
});

describe("createPgBossDb", () => {
  it("runs statements with values, plain multi-statement text, and refuses what is not a pg-store", async () => {
    const db = createPgBossDb(bench.store);
    expect((await db.executeSql("SELECT $1::int + 1 AS n", [41])).rows).toEqual([{ n: 42 }]);
    expect((await db.executeSql("SELECT 1 AS a; SELECT 2 AS b")).rows).toEqual([{ b: 2 }]);
    expect(() => createPgBossDb(bench.store.forTenant("acme"))).toThrow(ConfigError);
    expect(() => createPgBossDb(createMemoryStore())).toThrow(/createPgStore/);
  });
});

describe("sync jobs", () => {
  it("queues one waiting job per tenant (stately): a second enqueue while one waits is refused", async () => {
    const a = await startTenantFake("acme", 5);
    const { worker } = await setup([a]);
    // Not started: nothing fetches, so the first job stays waiting.
    const first = await worker.enqueueSync("acme");
    const second = await worker.enqueueSync("acme");
    const other = await worker.enqueueSync("globex");
    expect(first.queued).toBe(true);
    expect(first.jobId).toEqual(expect.any(String));
    expect(second).toEqual({ queued: false, jobId: null });
    expect(other.queued).toBe(true);
  });

  it("syncs every due tenant once and keeps their referrals apart", async () => {
    const fakes = await Promise.all(["acme", "globex"].map((id) => startTenantFake(id, 120)));
    const { worker, store } = await setup(fakes);
    const events = recordEvents(worker, ["job.completed"]);
    await worker.start();
    await eventually(() => events.length >= 2);
    expect(events.map((e) => e.payload.tenant).sort()).toEqual(["acme", "globex"]);
    expect(await inboxCount(store, "acme")).toBe(await expectedIngested(120));
    expect(await inboxCount(store, "globex")).toBe(await expectedIngested(120));
    expect(await inboxCount(store, "default")).toBe(0);
    expect(await worker.tick()).toEqual([]);
  });

  it("retries a run that failed on the network and then succeeds", async () => {
    const flaky = await startTenantFake("flaky", 30, { faults: [{ kind: "reset", onRequest: [1, 2, 3] }] });
    const { worker, store } = await setup([flaky]);
    const events = recordEvents(worker, ["job.failed", "job.completed"]);
    await worker.start();
    await eventually(() => events.some((e) => e.type === "job.completed"));
    const failed = events.find((e) => e.type === "job.failed");
    expect(failed?.payload).toMatchObject({ tenant: "flaky", willRetry: true, error: { code: "network_error" } });
    expect(await inboxCount(store, "flaky")).toBe(await expectedIngested(30));
  });

  it("marks a tenant whose login was revoked as login required, without retry, while others sync", async () => {
    const good = await startTenantFake("good", 20);
    const gone = await startTenantFakeWithLogin("gone", 20);
    gone.revoke();
    const { worker, store, tenants } = await setup([good, gone]);
    const events = recordEvents(worker, ["job.failed", "job.completed", "tenant.login_required", "job.skipped"]);
    await worker.start();
    await eventually(() => events.some((e) => e.type === "tenant.login_required") && events.some((e) => e.type === "job.completed"));
    expect(events.find((e) => e.type === "job.failed")?.payload).toMatchObject({ tenant: "gone", willRetry: false, error: { code: "auth_required" } });
    expect((await tenants.get("gone"))?.loginRequired).toMatchObject({ since: expect.any(String), reason: expect.any(String) });
    expect(await inboxCount(store, "good")).toBe(await expectedIngested(20));
    expect(await inboxCount(store, "gone")).toBe(0);
    // Skipped from now on: never scheduled, and a job queued by hand completes without a run.
    expect(await worker.tick()).toEqual([]);
    await worker.enqueueSync("gone");
    await eventually(() => events.some((e) => e.type === "job.skipped"));
    expect(events.filter((e) => e.type === "job.failed")).toHaveLength(1);
    expect(events.find((e) => e.type === "job.skipped")?.payload).toMatchObject({ tenant: "gone", reason: "login_required" });
  });

  it("pauses a throttled tenant until its Retry-After while the others keep syncing", async () => {
    const calm = await startTenantFake("calm", 20);
    const busy = await startTenantFake("busy", 20, { faults: [{ kind: "rate_limit", retryAfter: "2", times: 2 }] });
    const { worker, store } = await setup([calm, busy]);
    const events = recordEvents(worker, ["tenant.rate_limited", "job.completed"]);
    await worker.start();
    await eventually(() => events.some((e) => e.type === "tenant.rate_limited"));
    const paused = events.find((e) => e.type === "tenant.rate_limited")?.payload as { tenant: string; until: string };
    expect(paused.tenant).toBe("busy");
    expect(Date.parse(paused.until)).toBeGreaterThan(Date.now());
    await eventually(() => events.filter((e) => e.type === "job.completed").length >= 2);
    expect(await inboxCount(store, "calm")).toBe(await expectedIngested(20));
    expect(await inboxCount(store, "busy")).toBe(await expectedIngested(20));
  });
});

describe("graceful stop", () => {
  it("ends a run after the page in flight and queues its tenant again for another worker", async () => {
    const slow = await startTenantFake("slow", 500, { latencyMs: 150 });
    const first = await setup([slow]);
    const released = recordEvents(first.worker, ["job.completed", "job.failed"]);
    await first.worker.start();
    await eventually(() => slow.fake.requests.filter((r) => r.path.includes("referrals")).length >= 2);
    await first.worker.stop();
    await first.worker.stop(); // idempotent
    const partial = await inboxCount(first.store, "slow");
    const all = await expectedIngested(500);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(all);
    expect(released).toEqual([]);
    // The tenant's job is back in the queue: a second enqueue finds it waiting.
    expect(await first.worker.enqueueSync("slow")).toEqual({ queued: false, jobId: null });

    const second = createTenantWorker({
      store: first.store,
      boss: bench.boss,
      tenants: first.tenants,
      queue: `q${queueSeq}`,
      scheduleEveryMs: 3_600_000,
      pollingIntervalSeconds: 0.5,
      engineOptions: () => ({ client: slow.client }),
    });
    cleanups.push(() => second.stop());
    const done = recordEvents(second, ["job.completed"]);
    await second.start();
    await eventually(() => done.length > 0);
    expect(await inboxCount(first.store, "slow")).toBe(all);
  });
});

describe("schedule", () => {
  it("does not queue a tenant again while its run is still going", async () => {
    const slow = await startTenantFake("steady", 500, { latencyMs: 400 });
    const { worker, tenants } = await setup([slow]);
    await tenants.put({ id: "steady", intervalMs: 1_000 });
    const done = recordEvents(worker, ["job.completed"]);
    await worker.start();
    await eventually(() => slow.fake.requests.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // due again, still running
    expect(await worker.tick()).toEqual([]);
    await eventually(() => done.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await worker.tick()).toEqual(["steady"]);
  });
});

describe("one tenant's open job never holds up the queue", () => {
  it("sends no job to a tenant waiting for its retry, while the other tenants' jobs run", async () => {
    const broken = await startTenantFake("broken", 10, { faults: [{ kind: "reset" }] });
    const fine = await startTenantFake("fine", 10);
    const { worker, tenants } = await setup([broken, fine], { retry: { limit: 3, delaySeconds: 60, backoff: false } });
    const events = recordEvents(worker, ["job.failed", "job.completed"]);
    await worker.enqueueSync("broken");
    await worker.start();
    await eventually(() => events.some((e) => e.type === "job.failed"));
    expect(events[0]?.payload).toMatchObject({ tenant: "broken", willRetry: true, error: { code: "network_error" } });

    // Its job now waits a minute for the retry: neither a hand-queued job nor the schedule adds one,
    // which pg-boss 10 would fetch first and stall on.
    expect(await worker.enqueueSync("broken")).toEqual({ queued: false, jobId: null });
    await tenants.put({ id: "broken", intervalMs: 1_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await worker.tick()).not.toContain("broken");

    // Every other tenant's job still runs at once.
    expect((await worker.enqueueSync("fine")).queued).toBe(true);
    await eventually(() => events.some((e) => e.type === "job.completed" && e.payload.tenant === "fine"));
  });
});

describe("expiry", () => {
  it("ends a run that outlives expireInSeconds, and pg-boss runs the job again", async () => {
    const slow = await startTenantFake("slowpoke", 500, { latencyMs: 400 });
    const { worker, store } = await setup([slow], { expireInSeconds: 1 });
    const failed = recordEvents(worker, ["job.failed"]);
    await worker.start();
    await eventually(() => failed.length >= 2);
    await worker.stop();
    expect(failed[0]?.payload).toMatchObject({ tenant: "slowpoke", kind: "sync", error: { code: "aborted" }, willRetry: true });
    expect(failed[1]?.payload.jobId).toBe(failed[0]?.payload.jobId);
    expect(await inboxCount(store, "slowpoke")).toBeGreaterThan(0);
  });
});

describe("webhook jobs", () => {
  it("throttles a burst for one referral into one job now and one in the next window", async () => {
    const hooks = await startTenantFake("hooks", 5);
    const { worker, store } = await setup([hooks], { referralThrottleSeconds: 1 });
    const [referral] = generateReferrals(5, { seed: 14 }) as Array<{ id: string }>;
    const id = referral!.id;
    const burst: EnqueueResult[] = [];
    for (let i = 0; i < 4; i += 1) burst.push(await worker.enqueueReferral("hooks", id));
    expect(burst[0]?.queued).toBe(true);
    expect(burst.filter((r) => r.queued).length).toBeLessThanOrEqual(2);
    expect(burst.at(-1)).toEqual({ queued: false, jobId: null });
    const other = await worker.enqueueReferral("other", id);
    expect(other.queued).toBe(true);
    const done = recordEvents(worker, ["job.completed", "job.skipped"]);
    await worker.start();
    await eventually(() => done.filter((e) => e.type === "job.completed").length === burst.filter((r) => r.queued).length && done.length >= 3);
    expect(done.find((e) => e.type === "job.skipped")?.payload).toMatchObject({ tenant: "other", kind: "referral", reason: "tenant_missing" });
    expect(done.find((e) => e.type === "job.completed")?.payload).toMatchObject({ tenant: "hooks", kind: "referral", referralId: id });
    const results = done.flatMap((e) => {
      const payload = e.payload;
      return "result" in payload ? [payload.result.outcome] : [];
    });
    expect(results[0]).toMatch(/^(inserted|skipped)$/);
    const stored = await store.forTenant("hooks").getReferral(id);
    expect(stored?.referralId ?? null).toBe(results[0] === "inserted" ? id : null);
    await expect(worker.enqueueReferral("hooks", "")).rejects.toMatchObject({ code: "invalid_input" });
  });
});
