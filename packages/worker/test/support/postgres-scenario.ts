// The PostgreSQL half of the scenario: two worker processes (worker-process.ts) on one database,
// one SIGKILLed mid-job. Runs with DATABASE_URL, and always under CI=true (a missing server fails).
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createPgStore, type PgStore } from "@pc-referrals/pg-store";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, expectedIngested, startTenantFake, type TenantFake } from "./harness.js";

const CHILD = fileURLToPath(new URL("./worker-process.ts", import.meta.url));
const DATABASE_URL = process.env.DATABASE_URL;

interface Line {
  type: string;
  tenant?: string;
  [key: string]: unknown;
}

interface WorkerChild {
  proc: ChildProcess;
  lines: Line[];
  exited: Promise<number | null>;
}

function spawnWorker(config: object): WorkerChild {
  const proc = spawn(process.execPath, ["--conditions=@pc-referrals/source", "--import", "tsx", CHILD, JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Line[] = [];
  let buffered = "";
  proc.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Line);
  });
  proc.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return { proc, lines, exited };
}

const count = (child: WorkerChild, type: string, tenant?: string) =>
  child.lines.filter((l) => l.type === type && (tenant === undefined || l.tenant === tenant)).length;

export function describePostgresScenario(file: string, tenantIds: readonly string[], referrals: number): void {
  if (!DATABASE_URL && process.env.CI !== "true") return;
  describe("3 tenants × 500 referrals on PostgreSQL, 2 worker processes", () => {
    const schema = `pcr_w_${createHash("sha1").update(relative(process.cwd(), file)).digest("hex").slice(0, 16)}`;
    let admin: pg.Pool;
    let store: PgStore;
    let fakes: TenantFake[] = [];
    const children: WorkerChild[] = [];

    beforeAll(async () => {
      if (!DATABASE_URL) throw new Error("CI=true requires PostgreSQL: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test).");
      admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
      store = createPgStore({ connectionString: DATABASE_URL, schema });
      await store.migrate();
      for (const id of tenantIds) await store.tenants.put({ id, intervalMs: 1_500 });
      // Pages take 40 ms, so a run lasts long enough to be killed in the middle of it.
      fakes = await Promise.all(tenantIds.map((id) => startTenantFake(id, referrals, { latencyMs: 40 })));
    });
    afterAll(async () => {
      for (const child of children) if (child.proc.exitCode === null) child.proc.kill("SIGKILL");
      await Promise.all(fakes.map((f) => f.fake.stop()));
      await store?.close();
      await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
      await admin?.end();
    });

    it("a killed worker's job is finished by the other, nothing duplicated; a revoked login stays isolated", async () => {
      const config = {
        databaseUrl: DATABASE_URL,
        schema,
        bossSchema: `${schema}_boss`,
        concurrency: 2,
        expireInSeconds: 3,
        tenants: fakes.map((f) => ({ id: f.id, url: f.fake.url, token: f.token })),
      };
      const listings = () => fakes.reduce((sum, f) => sum + f.fake.requests.filter((r) => r.path.includes("/referrals")).length, 0);
      const first = spawnWorker(config);
      children.push(first);
      await eventually(() => count(first, "ready") > 0, 30_000);
      const second = spawnWorker(config);
      children.push(second);
      await eventually(() => count(second, "ready") > 0, 30_000);
      // Mid-job: the first worker has read pages but not finished a run of its tenants.
      await eventually(() => listings() >= 2, 30_000);
      first.proc.kill("SIGKILL");
      expect(await first.exited).toBe(null);

      await eventually(() => tenantIds.every((id) => count(second, "sync", id) > 0), 40_000);
      const [victim, ...others] = fakes;
      victim!.revoke();
      const before = new Map(others.map((f) => [f.id, count(second, "sync", f.id)]));
      await eventually(() => count(second, "tenant.login_required", victim!.id) > 0 && others.every((f) => count(second, "sync", f.id) > before.get(f.id)!), 40_000);
      expect((await store.tenants.get(victim!.id))?.loginRequired).not.toBeNull();
      expect((await store.tenants.claimDue(new Date(Date.now() + 86_400_000).toISOString())).map((t) => t.id)).not.toContain(victim!.id);

      second.proc.kill("SIGTERM");
      expect(await second.exited).toBe(0);
      expect(count(second, "stopped")).toBe(1);

      const expected = await expectedIngested(referrals);
      for (const id of tenantIds) {
        const view = store.forTenant(id);
        expect((await view.queryInbox({ pageSize: 1 })).total).toBe(expected);
        expect(await store.forTenant(id).listRawLeads()).toHaveLength(expected);
      }
      const { rows } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.referrals`);
      expect(Number(rows[0]?.n)).toBe(expected * tenantIds.length);
      expect(second.lines.filter((l) => l.type === "boss.error")).toEqual([]);
      // The killed worker's run was taken over: its run record says so.
      const abandoned = await admin.query(`SELECT run_id FROM ${schema}.sync_runs WHERE errors @> '[{"code":"abandoned"}]'::jsonb`);
      expect(abandoned.rows.length).toBeGreaterThan(0);
    });
  });
}
