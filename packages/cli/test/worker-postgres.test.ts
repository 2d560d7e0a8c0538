// `worker` as a child process on the machine's PostgreSQL (DATABASE_URL; mandatory under CI=true):
// two tenants signed in to the db token store, both synced through pg-boss, then a real SIGTERM
// stops it gracefully with exit 0.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateReferrals, startFakePartnerCenter } from "@pc-referrals/core/testing";
import type { FakePartnerCenter } from "@pc-referrals/core/testing";
import { fakeEnv } from "../src/fake-server.js";
import { EXIT } from "../src/output.js";
import { dropSchemas, POSTGRES_BACKENDS } from "./support/postgres.js";
import { runCli, spawnCli, tempFolder, waitFor } from "./support/cli.js";

// Schemas of their own (the store's and pg-boss's): other suites share the database.
const SCHEMA = "cli_worker_test";

describe.each(POSTGRES_BACKENDS)("worker against PostgreSQL", (databaseUrl) => {
  let fake: FakePartnerCenter;
  let env: Record<string, string>;
  const cwd = tempFolder();

  beforeAll(async () => {
    await dropSchemas(databaseUrl, [SCHEMA, `${SCHEMA}_pgboss`]);
    fake = await startFakePartnerCenter({ referrals: generateReferrals(120, { seed: 43 }), autoApproveDeviceCodes: true });
    env = { ...fakeEnv(fake), DATABASE_URL: databaseUrl, PARTNER_CENTER_DB_SCHEMA: SCHEMA, PARTNER_CENTER_TOKEN_STORE: "db" };
  });
  afterAll(async () => {
    await fake.stop();
  });

  it("syncs both tenants, each with its own login in the db token store, and stops on SIGTERM with exit 0", async () => {
    for (const argv of [["migrate", "up"], ["tenants", "add", "north"], ["tenants", "add", "south"], ["tenants", "login", "north"], ["tenants", "login", "south"]]) {
      const run = await runCli(argv, { cwd, env });
      expect(run.code, `${argv.join(" ")}: ${run.stderr}`).toBe(EXIT.ok);
    }
    const worker = spawnCli(["worker", "--concurrency", "2"], { cwd, env });
    for (const tenant of ["north", "south"]) {
      await waitFor(worker.stderr, new RegExp(`"tenant":"${tenant}"[^\\n]*"msg":"sync finished"|"msg":"sync finished"[^\\n]*"tenant":"${tenant}"`), 90_000);
    }
    worker.kill("SIGTERM");
    expect(await worker.done).toBe(EXIT.ok);
    expect(worker.stderr()).toContain("worker stopped");
    for (const tenant of ["north", "south"]) {
      const status = JSON.parse((await runCli(["status", "--tenant", tenant, "--json"], { cwd, env })).stdout) as { referralCount: number; lastRun: { status: string } };
      expect(status.referralCount).toBeGreaterThan(0);
      expect(status.lastRun.status).toBe("succeeded");
    }
    expect((JSON.parse((await runCli(["inbox", "--json"], { cwd, env })).stdout) as { total: number }).total).toBe(0);
  }, 150_000);
});
