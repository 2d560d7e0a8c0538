// POST /sync, GET /sync/status, GET /sync/runs and GET /sync/runs/:id.
import { FeatureDisabledError, NotFoundError, SyncInProgressError, maskPii, type SyncEngine, type SyncReport, type SyncRunRecord } from "@pc-referrals/core";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { RouteSettings } from "./route-options.js";
import { jsonContent, problems } from "./route-kit.js";
import {
  RunParamsSchema,
  RunsQuerySchema,
  SyncBodySchema,
  SyncQuerySchema,
  SyncReportSchema,
  SyncRunListSchema,
  SyncRunRecordSchema,
  SyncStartedSchema,
  SyncStatusSchema,
} from "./schemas.js";

const tags = ["sync"];

const startSync = createRoute({
  method: "post",
  path: "/sync",
  tags,
  summary: "Start a sync run",
  request: {
    query: SyncQuerySchema,
    body: { required: false, content: { "application/json": { schema: SyncBodySchema } } },
  },
  responses: {
    200: jsonContent(SyncReportSchema, "With ?wait=true: the finished run's report."),
    202: jsonContent(SyncStartedSchema, "The run started and continues in the background."),
    ...problems(400, 401, 403, 409, 415),
  },
});

const syncStatus = createRoute({
  method: "get",
  path: "/sync/status",
  tags,
  summary: "Feature flag, run in flight, last runs, next scheduled run",
  responses: { 200: jsonContent(SyncStatusSchema, "The sync status."), ...problems(401, 403) },
});

const listRuns = createRoute({
  method: "get",
  path: "/sync/runs",
  tags,
  summary: "Recent runs, newest first",
  request: { query: RunsQuerySchema },
  responses: { 200: jsonContent(SyncRunListSchema, "Runs, newest first."), ...problems(400, 401, 403) },
});

const getRun = createRoute({
  method: "get",
  path: "/sync/runs/{id}",
  tags,
  summary: "One run",
  request: { params: RunParamsSchema },
  responses: { 200: jsonContent(SyncRunRecordSchema, "The run."), ...problems(400, 401, 403, 404) },
});

/**
 * Starts a run and resolves once it holds the lock (`sync.started`) or has already settled, so a
 * refused lock is a 409 and not a 202 for a run that never ran.
 */
async function startRun(engine: SyncEngine, full: boolean): Promise<{ runId: string; settled: Promise<SyncReport>; report: SyncReport | null }> {
  if (!engine.enabled) throw new FeatureDisabledError();
  const before = engine.currentRunId;
  let started!: () => void;
  const startedSignal = new Promise<void>((resolve) => (started = resolve));
  let runId: string | null = null;
  const off = engine.on("sync.started", (e) => {
    if (e.runId === runId) started();
  });
  try {
    const settled = engine.run({ trigger: "api", full });
    settled.catch(() => {}); // The caller awaits it, or the run goes on in the background.
    // run() admits a run synchronously, so a changed id is ours; an unchanged one means it was refused.
    runId = engine.currentRunId !== before ? engine.currentRunId : null;
    if (runId === null) {
      await settled; // Rejects with the reason: sync_in_progress naming the run in flight.
      throw new SyncInProgressError(before);
    }
    const ours = runId;
    const first = await Promise.race([startedSignal.then(() => null), settled]);
    return { runId: ours, settled, report: first };
  } finally {
    off();
  }
}

const publicRun = <T extends SyncRunRecord>(run: T): T => maskPii(run);

/** Adds the sync routes to `app`. */
export function registerSyncRoutes(app: OpenAPIHono, settings: RouteSettings): void {
  const { engine, store, scheduler } = settings;

  app.openapi(startSync, async (c) => {
    const { wait } = c.req.valid("query");
    const body = c.req.valid("json") as { full?: boolean } | undefined;
    const { runId, settled, report } = await startRun(engine, body?.full ?? false);
    if (wait === "true") return c.json(publicRun(report ?? (await settled)) as never, 200);
    if (report !== null) return c.json({ runId: report.runId, status: report.status }, 202);
    return c.json({ runId, status: "running" }, 202);
  });

  app.openapi(syncStatus, async (c) => {
    const status = await store.getSyncStatus(settings.scope);
    const nextRunAt = scheduler?.running ? scheduler.nextRunAt : null;
    const lastRun = status.lastRun;
    const loginRequired = lastRun?.status === "failed" && lastRun.errors.some((e) => e.referralId === null && e.code === "auth_required");
    const body = {
      ...status,
      enabled: engine.enabled,
      // The engine takes the store lock with its run id as owner.
      running: status.running === null ? null : { runId: status.running.owner, ...status.running },
      nextRunAt,
      loginRequired,
      webhooks: settings.webhooks?.receiver.status() ?? null,
    };
    return c.json(maskPii(body) as never, 200);
  });

  app.openapi(listRuns, async (c) => {
    const { limit } = c.req.valid("query");
    const items = await store.listRuns(limit === undefined ? {} : { limit });
    return c.json({ items: items.map(publicRun) } as never, 200);
  });

  app.openapi(getRun, async (c) => {
    const { id } = c.req.valid("param");
    // Stores list runs newest first; a run older than the last 500 is not served.
    const run = (await store.listRuns({ limit: 500 })).find((r) => r.runId === id);
    if (run === undefined) throw new NotFoundError(`No sync run ${id}.`);
    return c.json(publicRun(run) as never, 200);
  });
}
