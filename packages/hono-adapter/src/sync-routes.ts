// POST /sync, GET /sync/status, GET /sync/runs and GET /sync/runs/:id.
import { FeatureDisabledError, InvalidInputError, NotFoundError, SyncInProgressError, maskPii, type SyncEngine, type SyncReport, type SyncRunRecord } from "@pc-referrals/core";
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
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
  SyncQueuedSchema,
  SyncStatusSchema,
} from "./schemas.js";
import { requireEngine, scopeOf, type RequestScope } from "./tenant-scope.js";

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
    202: jsonContent(
      z.union([SyncStartedSchema, SyncQueuedSchema]),
      "The run started and continues in the background; with tenants, the tenant's sync job was queued.",
    ),
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

/** The feature flag and "login required" of the status route: the engine's, else the registry's record of the tenant. */
async function tenantState(scope: RequestScope, lastRunNeedsLogin: boolean): Promise<{ enabled: boolean; loginRequired: boolean }> {
  if (scope.engine !== null) return { enabled: scope.engine.enabled, loginRequired: lastRunNeedsLogin };
  const registry = scope.tenants?.registry;
  // Without a registry the worker decides.
  if (registry === undefined || scope.tenant === null) return { enabled: true, loginRequired: lastRunNeedsLogin };
  // A tenant the registry does not hold is not synced; a new login clears the record's mark before any run.
  const record = await registry.get(scope.tenant);
  return { enabled: record?.enabled ?? false, loginRequired: record !== null && record.loginRequired !== null };
}

/** Adds the sync routes to `app`. */
export function registerSyncRoutes(app: OpenAPIHono, settings: RouteSettings): void {
  const { scheduler } = settings;

  app.openapi(startSync, async (c) => {
    const { wait } = c.req.valid("query");
    const body = c.req.valid("json") as { full?: boolean } | undefined;
    const scope = scopeOf(c, settings);
    if (scope.tenants !== null && scope.tenant !== null) return queueSync(c, scope.tenant, scope.tenants, wait, body?.full ?? false);
    const { runId, settled, report } = await startRun(requireEngine(scope, "POST /sync"), body?.full ?? false);
    if (wait === "true") return c.json(publicRun(report ?? (await settled)) as never, 200);
    if (report !== null) return c.json({ runId: report.runId, status: report.status }, 202);
    return c.json({ runId, status: "running" }, 202);
  });

  app.openapi(syncStatus, async (c) => {
    const scope = scopeOf(c, settings);
    const status = await scope.store.getSyncStatus(settings.scope);
    const nextRunAt = scope.engine !== null && scheduler?.running ? scheduler.nextRunAt : null;
    const lastRun = status.lastRun;
    const lastRunNeedsLogin = lastRun?.status === "failed" && lastRun.errors.some((e) => e.referralId === null && e.code === "auth_required");
    const { enabled, loginRequired } = await tenantState(scope, lastRunNeedsLogin);
    // Keys in the order they had before tenants, so single-tenant answers stay byte for byte.
    const body = {
      ...status,
      enabled,
      // The engine takes the store lock with its run id as owner.
      running: status.running === null ? null : { runId: status.running.owner, ...status.running },
      nextRunAt,
      loginRequired,
      // The receiver's counters belong to the engine's tenant.
      webhooks: scope.engine === null ? null : (settings.webhooks?.receiver?.status() ?? null),
    };
    return c.json(maskPii(body) as never, 200);
  });

  app.openapi(listRuns, async (c) => {
    const { limit } = c.req.valid("query");
    const items = await scopeOf(c, settings).store.listRuns(limit === undefined ? {} : { limit });
    return c.json({ items: items.map(publicRun) } as never, 200);
  });

  app.openapi(getRun, async (c) => {
    const { id } = c.req.valid("param");
    // Stores list runs newest first; a run older than the last 500 is not served.
    const run = (await scopeOf(c, settings).store.listRuns({ limit: 500 })).find((r) => r.runId === id);
    if (run === undefined) throw new NotFoundError(`No sync run ${id}.`);
    return c.json(publicRun(run) as never, 200);
  });
}

/** POST /sync for a tenant: its job goes to the workers' queue, so there is no run to wait for here. */
async function queueSync(c: Context, tenant: string, tenants: NonNullable<RequestScope["tenants"]>, wait: string | undefined, full: boolean) {
  if (wait === "true") {
    throw new InvalidInputError("wait=true is not available for a tenant: its sync is queued for a worker; follow it in GET /sync/status.");
  }
  const job = await tenants.enqueueSync(tenant, { full });
  return c.json({ queued: job.queued, jobId: job.jobId }, 202);
}
