// The engine under failure: throttling, API errors, store outages, a bad referral, a broken
// host hook, a lost login, a lock held elsewhere. Every run ends with a report, nothing is lost.
import { afterEach, describe, expect, it } from "vitest";
import { AuthRequiredError, PcReferralsError, StoreError, SyncInProgressError } from "../src/errors.js";
import { generateReferrals } from "../src/testing/generate-referrals.js";
import { expectedIngestedIds, newestUpdatedAt, startHarness, type Harness } from "./engine-harness.js";

const LIST = "/v1.0/engagements/referrals";
const referrals = generateReferrals(600, { seed: 3, invalidRatio: 0 });
const expected = expectedIngestedIds(referrals);

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Routes the `n`th renewal of every lock the store hands out through `decide`. */
/** For a store that renews only through `RunLock.renew`: the memory store is told no lease with its pages. */
function replaceRenew(harness: Harness, decide: (renew: () => Promise<boolean>, n: number) => Promise<boolean>): void {
  const apply = harness.memory.applyBatch.bind(harness.memory);
  harness.memory.applyBatch = (page) => {
    const withoutLease = { ...page };
    delete withoutLease.lease;
    return apply(withoutLease);
  };
  const acquire = harness.memory.acquireRunLock.bind(harness.memory);
  let renewals = 0;
  harness.memory.acquireRunLock = async (request) => {
    const result = await acquire(request);
    if (!result.acquired) return result;
    const lock = result.lock;
    const renew = (ttl: number) => decide(() => lock.renew(ttl), ++renewals);
    return { acquired: true, lock: { owner: lock.owner, expiresAt: lock.expiresAt, release: () => lock.release(), renew } };
  };
}

describe("sync engine resilience", () => {
  it("surfaces throttling as rate_limited events of the run and still succeeds", async () => {
    h = await startHarness({ referrals, faults: [{ kind: "rate_limit", path: LIST, onRequest: [2, 4], retryAfter: "7" }] });
    const report = await h.engine.run({ trigger: "schedule" });

    expect(report.status).toBe("succeeded");
    expect(report.counts.ingested).toBe(expected.size);
    const throttled = h.eventsOf("rate_limited");
    expect(throttled).toHaveLength(2);
    expect(throttled[0]).toMatchObject({ runId: report.runId, status: 429, delayMs: 7000, attempt: 1 });
    expect(h.engine.metrics().rateLimited).toBe(2);
  });

  it("logs a 5xx retry without calling it rate_limited", async () => {
    h = await startHarness({ referrals, faults: [{ kind: "server_error", path: LIST, onRequest: 2 }] });
    const report = await h.engine.run({ trigger: "schedule" });

    expect(report.status).toBe("succeeded");
    expect(h.eventsOf("rate_limited")).toEqual([]);
    expect(h.logLines).toContainEqual(expect.objectContaining({ msg: "request_retry" }));
  });

  it("fails the run on a persistent API error, keeps the pages already written, and the next run completes", async () => {
    h = await startHarness({ referrals, faults: [{ kind: "server_error", path: LIST, onRequest: [4, 5, 6] }] });
    const failed = await h.engine.run({ trigger: "schedule" });

    expect(failed.status).toBe("failed");
    expect(failed.errors).toContainEqual(expect.objectContaining({ referralId: null, code: "api_error" }));
    expect(failed.counts.pages).toBe(3);
    expect(failed.cursor.next).toBeNull();
    expect(await h.memory.getCursor("default")).toBeNull();
    expect(await h.storedIds()).toHaveLength(failed.counts.ingested);
    expect(h.eventsOf("sync.failed")).toEqual([expect.objectContaining({ runId: failed.runId, error: expect.objectContaining({ code: "api_error" }) })]);

    const next = await h.engine.run({ trigger: "schedule" });
    expect(next.status).toBe("succeeded");
    expect(new Set(await h.storedIds())).toEqual(expected);
    expect(next.counts.unchanged).toBe(failed.counts.ingested);
  });

  it("writes nothing when the signal is already aborted as the run starts, and releases the lock", async () => {
    h = await startHarness({ referrals });
    const report = await h.engine.run({ trigger: "manual", signal: AbortSignal.abort() });

    expect(report.status).toBe("failed");
    expect(report.errors).toContainEqual(expect.objectContaining({ referralId: null, code: "aborted" }));
    expect(report.counts.pages).toBe(0);
    expect(h.writes.applyBatchCalls).toBe(0);
    expect(await h.storedIds()).toEqual([]);
    expect((await h.engine.run({ trigger: "manual" })).status).toBe("succeeded");
  });

  it("fails the run as store_error when the store goes down mid-run, without logging what it was writing", async () => {
    h = await startHarness({ referrals });
    h.failures.applyBatch = (_page, call) => (call >= 3 ? new Error("connection terminated unexpectedly") : null);

    const failed = await h.engine.run({ trigger: "manual" });

    expect(failed.status).toBe("failed");
    expect(failed.errors).toContainEqual(expect.objectContaining({ referralId: null, code: "store_error" }));
    expect(failed.counts.pages).toBe(3);
    expect(await h.storedIds()).toHaveLength(failed.counts.ingested);
    expect(await h.memory.getCursor("default")).toBeNull();
    const logged = JSON.stringify(h.logLines);
    expect(logged).toContain("connection terminated unexpectedly");
    expect(logged).not.toMatch(/"payload"|customerProfile/);

    delete h.failures.applyBatch;
    const next = await h.engine.run({ trigger: "manual" });
    expect(next.status).toBe("succeeded");
    expect(new Set(await h.storedIds())).toEqual(expected);
  });

  it("isolates one referral the store rejects: the rest of its page lands, the run is partial, the next run retries it", async () => {
    h = await startHarness({ referrals });
    // The 38th newest: the retry then re-reads only the pages down to it.
    const newestFirst = referrals.filter((r) => expected.has(String(r.id))).sort((a, b) => Date.parse(String(b.updatedDateTime)) - Date.parse(String(a.updatedDateTime)));
    const badId = String(newestFirst[37]?.id);
    const badPayload = referrals.find((r) => r.id === badId) as { updatedDateTime: string };
    h.failures.applyBatch = (page) =>
      page.referrals.some((r) => r.referralId === badId) ? new StoreError("value too long for column") : null;

    const partial = await h.engine.run({ trigger: "manual" });

    expect(partial.status).toBe("partial");
    expect(partial.counts.failed).toBe(1);
    expect(partial.counts.ingested).toBe(expected.size - 1);
    expect(partial.errors).toEqual([expect.objectContaining({ referralId: badId, code: "store_error" })]);
    expect(h.eventsOf("referral.failed")).toEqual([expect.objectContaining({ referralId: badId })]);
    expect(await h.memory.getReferral(badId)).toBeNull();
    // The mark stops at the failure, so an incremental run reads it again.
    expect(Date.parse(partial.cursor.next ?? "")).toBeLessThanOrEqual(Date.parse(badPayload.updatedDateTime));
    expect(Date.parse(partial.cursor.next ?? "")).toBeGreaterThan(Date.parse(badPayload.updatedDateTime) - 1);

    delete h.failures.applyBatch;
    const retry = await h.engine.run({ trigger: "manual" });
    expect(retry.status).toBe("succeeded");
    expect(retry.counts.ingested).toBe(1);
    expect(retry.counts.fetched).toBeLessThan(600);
    expect(new Set(await h.storedIds())).toEqual(expected);
    expect(retry.cursor.next).toBe(newestUpdatedAt(referrals));
  });

  it("fails only the referrals whose host hook throws; the rest of each page lands", async () => {
    const doomed = new Set([...expected].filter((_, i) => i % 50 === 0));
    h = await startHarness({
      referrals,
      engine: {
        matchLead: async ({ referralId }) => {
          if (doomed.has(referralId)) throw new Error(`CRM lookup failed for owner jana@contoso.com`);
          return null;
        },
      },
    });
    const report = await h.engine.run({ trigger: "manual" });

    expect(report.status).toBe("partial");
    expect(report.counts.failed).toBe(doomed.size);
    expect(new Set(report.errors.map((e) => e.referralId))).toEqual(doomed);
    expect(JSON.stringify(report.errors)).not.toContain("jana@contoso.com");
    expect(JSON.stringify(h.logLines)).not.toContain("jana@contoso.com");
    expect((await h.storedIds()).length).toBe(expected.size - doomed.size);
  });

  it("ends with auth.required and a failed report when the login is gone, and runs again once it is back", async () => {
    let loggedIn = false;
    h = await startHarness({
      referrals: referrals.slice(0, 50),
      tokenProvider: (fake) => ({
        getAccessToken: async () => {
          if (!loggedIn) throw new AuthRequiredError("The refresh token was revoked.");
          return fake.entra.issueAccessToken();
        },
      }),
    });
    const failed = await h.engine.run({ trigger: "schedule" });

    expect(failed.status).toBe("failed");
    expect(failed.errors).toEqual([expect.objectContaining({ referralId: null, code: "auth_required" })]);
    expect(h.eventsOf("auth.required")).toEqual([expect.objectContaining({ runId: failed.runId })]);
    expect(h.engine.metrics()).toMatchObject({ authRequired: 1, runs: { started: 1, failed: 1 } });

    loggedIn = true;
    expect((await h.engine.run({ trigger: "schedule" })).status).toBe("succeeded");
  });

  it("rejects with SyncInProgressError naming the holder when another process holds the store lock", async () => {
    h = await startHarness({ referrals: referrals.slice(0, 20) });
    const held = await h.memory.acquireRunLock({ owner: "replica-2-run", ttlMs: 60_000 });
    const error = await h.engine.run({ trigger: "schedule" }).catch((e: unknown) => e);

    expect(PcReferralsError.hasCode(error, "sync_in_progress")).toBe(true);
    expect((error as SyncInProgressError).runningRunId).toBe("replica-2-run");
    expect(h.eventsOf("sync.started")).toHaveLength(0);

    if (held.acquired) await held.lock.release();
    expect((await h.engine.run({ trigger: "schedule" })).status).toBe("succeeded");
    expect((await h.memory.getSyncStatus("default")).running).toBeNull();
  });

  it("stops with sync_in_progress when the lease is lost mid-run, keeping the pages written", async () => {
    h = await startHarness({ referrals });
    // The lease is taken over after the second page: renew() then reports it lost.
    replaceRenew(h, (renew, n) => (n <= 2 ? renew() : Promise.resolve(false)));
    const report = await h.engine.run({ trigger: "schedule" });

    expect(report.status).toBe("failed");
    expect(report.errors).toContainEqual(expect.objectContaining({ referralId: null, code: "sync_in_progress" }));
    expect(report.counts.pages).toBe(3);
    expect(await h.memory.getCursor("default")).toBeNull();
    expect(h.logLines.map((l) => l.msg)).toContain("run_lock_lost");
  });

  it("issue 12: a lease another run took, reported by applyBatch, stops the run at that page, which stays written, with no renew call", async () => {
    h = await startHarness({ referrals });
    const harness = h;
    const acquire = harness.memory.acquireRunLock.bind(harness.memory);
    let renewals = 0;
    let release: (() => Promise<void>) | null = null;
    harness.memory.acquireRunLock = async (request) => {
      const result = await acquire(request);
      if (!result.acquired) return result;
      const { lock } = result;
      release = () => lock.release();
      const renew = (ttl: number) => {
        renewals += 1;
        return lock.renew(ttl);
      };
      return { acquired: true, lock: { owner: lock.owner, expiresAt: lock.expiresAt, release: () => lock.release(), renew } };
    };
    // Before the third page is written the lease lapses and another replica takes it.
    let third: string[] = [];
    const apply = harness.memory.applyBatch.bind(harness.memory);
    harness.memory.applyBatch = async (page) => {
      if (page.lease !== undefined && third.length === 0 && harness.writes.applyBatchCalls === 3) {
        await release?.();
        await acquire({ owner: "replica-2-run", ttlMs: 60_000 });
        third = page.referrals.map((r) => r.referralId);
      }
      return apply(page);
    };
    const report = await h.engine.run({ trigger: "schedule" });

    expect(report.status).toBe("failed");
    expect(report.errors).toContainEqual(expect.objectContaining({ referralId: null, code: "sync_in_progress" }));
    expect(report.counts.pages).toBe(3);
    expect(renewals).toBe(0);
    expect(third.length).toBeGreaterThan(0);
    for (const id of third) expect(await h.memory.getReferral(id)).not.toBeNull();
    expect(await h.memory.getCursor("default")).toBeNull();
    expect((await h.memory.getSyncStatus("default")).running?.owner).toBe("replica-2-run");
  });

  it("item 6: a renewal that fails (the lock's connection died) stops the run with store_error naming the lost run lock, not sync_in_progress", async () => {
    h = await startHarness({ referrals });
    // The lock's connection resets after the second page: the store's renew() then fails.
    replaceRenew(h, (renew, n) => (n <= 2 ? renew() : Promise.reject(new Error("connection reset by peer"))));
    const report = await h.engine.run({ trigger: "schedule" });

    expect(report.status).toBe("failed");
    expect(report.errors.map((e) => e.code)).toEqual(["store_error"]);
    expect(report.errors[0]?.message).toMatch(/run lock could not be renewed.*connection reset by peer/);
    expect(report.errors[0]?.message).not.toMatch(/already running/);
    expect(report.counts.pages).toBe(3);
    expect(h.logLines.map((l) => l.msg)).toContain("run_lock_lost");
    // Nothing holds the lock afterwards: the next run goes ahead.
    expect((await h.memory.getSyncStatus("default")).running).toBeNull();
  });

  it("logs a throwing listener as listener_failed and keeps syncing", async () => {
    h = await startHarness({ referrals: referrals.slice(0, 120) });
    h.engine.on("referral.ingested", () => {
      throw new Error("listener bug");
    });
    const report = await h.engine.run({ trigger: "manual" });

    expect(report.status).toBe("succeeded");
    expect(report.counts.ingested).toBe(expectedIngestedIds(referrals.slice(0, 120)).size);
    expect(h.logLines.filter((l) => l.msg === "listener_failed")).toHaveLength(report.counts.ingested);
  });
});
