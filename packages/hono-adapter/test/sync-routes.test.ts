// POST /sync, GET /sync/status and the run routes, over the memory store and the fake Partner Center.
import {
  AuthRequiredError,
  createPartnerCenterClient,
  createScheduler,
  createStaticTokenProvider,
  createSyncEngine,
  type SyncRunRecord,
} from "@pc-referrals/core";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, syncThroughRoute, type Harness } from "./route-harness.js";

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

/** Resolves when the engine reports the run finished. */
const finished = (harness: Harness) =>
  new Promise<void>((resolve) => {
    const off = harness.engine.onAny((e) => {
      if (e.type === "sync.completed" || e.type === "sync.failed") {
        off();
        resolve();
      }
    });
  });

describe("POST /sync", () => {
  it("answers 202 with the run id while the run continues, and the run is recorded", async () => {
    h = await startHarness({ latencyMs: 50 });
    const done = finished(h);
    const res = await h.request("/sync", { method: "POST" });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { runId: string; status: string };
    expect(body.status).toBe("running");
    expect(body.runId).toMatch(/^[0-9a-f-]{36}$/);
    await done;
    const run = (await (await h.request(`/sync/runs/${body.runId}`)).json()) as SyncRunRecord;
    expect(run).toMatchObject({ runId: body.runId, trigger: "api", full: false, status: "succeeded" });
  });

  it("with ?wait=true answers 200 with the whole report, and { full: true } runs a full sync", async () => {
    h = await startHarness();
    await syncThroughRoute(h);
    const res = await h.request("/sync?wait=true", { method: "POST", json: { full: true } });
    expect(res.status).toBe(200);
    const report = (await res.json()) as Record<string, unknown> & { counts: { fetched: number; unchanged: number } };
    expect(report).toMatchObject({ status: "succeeded", full: true, trigger: "api" });
    expect(Object.keys(report)).toEqual(expect.arrayContaining(["runId", "startedAt", "finishedAt", "durationMs", "cursor", "errors"]));
    expect(report.counts.fetched).toBe(60);
    expect(report.counts.unchanged).toBeGreaterThan(0);
  });

  it("answers 409 sync_in_progress with the running run's id while a run of this process is in flight", async () => {
    h = await startHarness({ latencyMs: 200 });
    const done = finished(h);
    const first = (await (await h.request("/sync", { method: "POST" })).json()) as { runId: string };
    const res = await h.request("/sync", { method: "POST" });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 409, code: "sync_in_progress", runningRunId: first.runId });
    const waited = await h.request("/sync?wait=true", { method: "POST" });
    expect(waited.status).toBe(409);
    await done;
  });

  it("answers 409 with the other replica's run id when another engine on the same store holds the lock", async () => {
    h = await startHarness({ latencyMs: 200 });
    const replica = createSyncEngine({
      client: createPartnerCenterClient({ baseUrl: h.fake.url, tokenProvider: createStaticTokenProvider(h.fake.entra.issueAccessToken()) }),
      store: h.store,
      enabled: true,
    });
    let replicaRunId = "";
    const started = new Promise<void>((resolve) => replica.on("sync.started", (e) => ((replicaRunId = e.runId), resolve())));
    const replicaRun = replica.run({ trigger: "schedule" });
    await started;
    const res = await h.request("/sync", { method: "POST" });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "sync_in_progress", runningRunId: replicaRunId });
    const status = (await (await h.request("/sync/status")).json()) as { running: { runId: string } | null };
    expect(status.running?.runId).toBe(replicaRunId);
    await replicaRun;
  });

  it("answers 400 feature_disabled when the engine's flag is off", async () => {
    h = await startHarness({ enabled: false });
    for (const path of ["/sync", "/sync?wait=true"]) {
      const res = await h.request(path, { method: "POST" });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ status: 400, code: "feature_disabled", type: "urn:pc-referrals:error:feature_disabled" });
    }
    const status = (await (await h.request("/sync/status")).json()) as { enabled: boolean };
    expect(status.enabled).toBe(false);
  });

  it.each([
    ["a non-boolean full", "/sync", { full: "yes" }, ["body.full"]],
    ["an unknown body field", "/sync", { full: true, force: 1 }, ["body.force"]],
    ["a wait that is not true/false", "/sync?wait=maybe", {}, ["query.wait"]],
  ])("rejects %s with 400 invalid_input naming the field", async (_name, path, json, paths) => {
    h = await startHarness();
    const res = await h.request(path, { method: "POST", json });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; errors: Array<{ path: string; message: string }> };
    expect(problem.code).toBe("invalid_input");
    expect(problem.errors.map((e) => e.path)).toEqual(paths);
    expect(problem.errors.every((e) => e.message.length > 0)).toBe(true);
  });

  it("rejects a body that is not JSON with 415 unsupported_media_type", async () => {
    h = await startHarness();
    const res = await h.request("/sync", { method: "POST", body: "full=true", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(415);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 415, code: "unsupported_media_type" });
  });

  it("rejects a malformed JSON body with 400 invalid_input", async () => {
    h = await startHarness();
    const res = await h.request("/sync", { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "invalid_input" });
  });
});

describe("GET /sync/status", () => {
  it("shows the run in flight, then the last run, the counts and the cursor", async () => {
    h = await startHarness({ latencyMs: 100 });
    const done = finished(h);
    const { runId } = (await (await h.request("/sync", { method: "POST" })).json()) as { runId: string };
    const during = (await (await h.request("/sync/status")).json()) as Record<string, unknown>;
    expect(during).toMatchObject({ enabled: true, running: { runId, owner: runId }, loginRequired: false, nextRunAt: null });
    await done;
    const after = (await (await h.request("/sync/status")).json()) as Record<string, unknown> & { referralCount: number };
    expect(after).toMatchObject({ running: null, lastRun: { runId, status: "succeeded" }, lastSucceededRun: { runId }, loginRequired: false });
    expect(after.referralCount).toBeGreaterThan(0);
    expect(after.cursor).toMatchObject({ updatedAt: expect.any(String) });
  });

  it("says a login is required when the last run ended with auth_required", async () => {
    const tokenProvider = {
      getAccessToken: () => Promise.reject(new AuthRequiredError("The refresh token expired.")),
    };
    h = await startHarness({ tokenProvider });
    const report = await syncThroughRoute(h);
    expect(report.status).toBe("failed");
    const status = (await (await h.request("/sync/status")).json()) as { loginRequired: boolean; lastRun: { status: string } };
    expect(status).toMatchObject({ loginRequired: true, lastRun: { status: "failed" } });
  });

  it("shows nextRunAt of an attached, started scheduler, and null once it stops", async () => {
    const other = await startHarness();
    const scheduler = createScheduler(other.engine, { intervalMs: 3_600_000 });
    await other.stop();
    h = await startHarness({ routes: { scheduler } });
    expect(await (await h.request("/sync/status")).json()).toMatchObject({ nextRunAt: null });
    scheduler.start();
    const nextRunAt = scheduler.nextRunAt;
    expect(nextRunAt).toEqual(expect.any(String));
    expect(await (await h.request("/sync/status")).json()).toMatchObject({ nextRunAt });
    await scheduler.stop();
    expect(await (await h.request("/sync/status")).json()).toMatchObject({ nextRunAt: null });
  });
});

describe("GET /sync/runs and /sync/runs/:id", () => {
  it("lists runs newest first, honours limit, and serves one run by id", async () => {
    h = await startHarness();
    const first = (await syncThroughRoute(h)) as { runId: string };
    const second = (await syncThroughRoute(h)) as { runId: string };
    const all = (await (await h.request("/sync/runs")).json()) as { items: SyncRunRecord[] };
    expect(all.items.map((r) => r.runId)).toEqual([second.runId, first.runId]);
    const one = (await (await h.request("/sync/runs?limit=1")).json()) as { items: SyncRunRecord[] };
    expect(one.items.map((r) => r.runId)).toEqual([second.runId]);
    const run = await h.request(`/sync/runs/${first.runId}`);
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ runId: first.runId, status: "succeeded" });
  });

  it("answers 404 not_found for an unknown run", async () => {
    h = await startHarness();
    const res = await h.request("/sync/runs/no-such-run");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 404, code: "not_found", title: "Not Found" });
  });

  it.each([
    ["/sync/runs?limit=0", "query.limit"],
    ["/sync/runs?limit=501", "query.limit"],
    ["/sync/runs?limit=ten", "query.limit"],
    [`/sync/runs/${"x".repeat(201)}`, "path.id"],
  ])("rejects %s with 400 invalid_input at %s", async (path, field) => {
    h = await startHarness();
    const res = await h.request(path);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; errors: Array<{ path: string }> };
    expect(problem).toMatchObject({ code: "invalid_input" });
    expect(problem.errors.map((e) => e.path)).toEqual([field]);
  });
});
