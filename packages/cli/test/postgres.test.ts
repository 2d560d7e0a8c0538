// The CLI once against the machine's PostgreSQL (DATABASE_URL; mandatory under CI=true): a sync as a
// child process, and a second sync while one is in flight (exit 4 with the running run's id).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateReferrals, startFakePartnerCenter } from "@pc-referrals/core/testing";
import type { FakePartnerCenter } from "@pc-referrals/core/testing";
import { fakeEnv } from "../src/fake-server.js";
import { EXIT } from "../src/output.js";
import { dropSchemas, POSTGRES_BACKENDS } from "./support/postgres.js";
import { runCli, spawnCli, startCli, tempFolder } from "./support/cli.js";

// A schema of its own: other suites share the database (and pg-store's default schema).
const SCHEMA = "cli_postgres_test";

describe.each(POSTGRES_BACKENDS)("against PostgreSQL", (databaseUrl) => {
  let fake: FakePartnerCenter;
  let env: Record<string, string>;
  const cwd = tempFolder();

  beforeAll(async () => {
    await dropSchemas(databaseUrl, [SCHEMA]);
    // Slow pages, so that the first run is still in flight when the second one starts.
    fake = await startFakePartnerCenter({ referrals: generateReferrals(400), autoApproveDeviceCodes: true, latencyMs: 400 });
    env = { ...fakeEnv(fake), DATABASE_URL: databaseUrl, PARTNER_CENTER_DB_SCHEMA: SCHEMA };
  });
  afterAll(async () => {
    await fake.stop();
  });

  it("a bad PARTNER_CENTER_DB_SCHEMA exits 2 naming the variable", async () => {
    const { code, stderr } = await runCli(["status"], { cwd, env: { ...env, PARTNER_CENTER_DB_SCHEMA: "pg_catalog" } });
    expect(code).toBe(EXIT.config);
    expect(stderr).toContain("PARTNER_CENTER_DB_SCHEMA");
  });

  it("migrate, login into the db token store, and sync as a child process", async () => {
    expect((await runCli(["migrate", "up"], { cwd, env })).code).toBe(EXIT.ok);
    const login = await runCli(["login", "--token-store", "db"], { cwd, env });
    expect(login.code).toBe(EXIT.ok);
    expect(login.stdout).toContain("token_cache table");
    const dbEnv = { ...env, PARTNER_CENTER_TOKEN_STORE: "db" };
    expect((await runCli(["whoami"], { cwd, env: dbEnv })).code).toBe(EXIT.ok);
    const child = spawnCli(["sync", "--json"], { cwd, env: dbEnv });
    expect(await child.done).toBe(EXIT.ok);
    expect(JSON.parse(child.stdout())).toMatchObject({ status: "succeeded", counts: { fetched: 400 } });
    const status = JSON.parse((await runCli(["status", "--json"], { cwd, env })).stdout) as { referralCount: number };
    expect(status.referralCount).toBeGreaterThan(0);
  }, 120_000);

  it("a second sync while one is in flight exits 4 and names the running run", async () => {
    const dbEnv = { ...env, PARTNER_CENTER_TOKEN_STORE: "db" };
    const first = startCli(["sync", "--full"], { cwd, env: dbEnv });
    let running = "";
    for (let i = 0; i < 300 && running === ""; i += 1) {
      const s = JSON.parse((await runCli(["status", "--json"], { cwd, env })).stdout) as { running: { owner: string } | null };
      running = s.running?.owner ?? "";
      if (running === "") await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(running).not.toBe("");
    const second = await runCli(["sync"], { cwd, env: dbEnv });
    expect(second.code).toBe(EXIT.runInFlight);
    expect(second.stderr).toContain(`run ${running}`);
    expect(await first.done).toBe(EXIT.ok);
  }, 120_000);
});
