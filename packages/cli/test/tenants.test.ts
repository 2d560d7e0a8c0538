// Partner tenants in the CLI, in-process against the fakes and embedded PGlite: the registry
// commands, `--tenant` on the reading commands with two tenants' data, bad ids, per-tenant logins,
// and `worker` syncing two tenants through pg-boss until SIGTERM.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createPartnerCenterClient, createStaticTokenProvider, createSyncEngine, type InboxRow, type TenantRecord } from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter, type FakePartnerCenter } from "@pc-referrals/core/testing";
import { createPgStore } from "@pc-referrals/pg-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeEnv } from "../src/fake-server.js";
import { EXIT } from "../src/output.js";
import { runCli, startCli, tempFolder, waitFor } from "./support/cli.js";

let fakeA: FakePartnerCenter;
let fakeB: FakePartnerCenter;
let env: Record<string, string>;
const cwd = tempFolder();

beforeAll(async () => {
  fakeA = await startFakePartnerCenter({ referrals: generateReferrals(60, { seed: 41 }), autoApproveDeviceCodes: true });
  fakeB = await startFakePartnerCenter({ referrals: generateReferrals(60, { seed: 42 }) });
  env = fakeEnv(fakeA);
});
afterAll(async () => {
  await Promise.all([fakeA.stop(), fakeB.stop()]);
});

const cli = (argv: string[], extra: Record<string, string> = {}) => runCli(argv, { cwd, env: { ...env, ...extra } });
const json = async <T>(argv: string[], extra: Record<string, string> = {}): Promise<T> => {
  const run = await cli([...argv, "--json"], extra);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
};

/** Syncs tenant b from its own fake straight into the CLI's store (the CLI's env points at fake a). */
async function syncTenantB(): Promise<void> {
  const store = createPgStore({ dataDir: join(cwd, ".pc-referrals", "pgdata") });
  try {
    await store.migrate();
    const client = createPartnerCenterClient({ baseUrl: fakeB.url, tokenProvider: createStaticTokenProvider(fakeB.entra.issueAccessToken()) });
    await createSyncEngine({ client, store: store.forTenant("b"), enabled: true }).run({ trigger: "manual" });
  } finally {
    await store.close();
  }
}

describe("tenants add | list | remove", () => {
  it("adds tenants with their settings, lists them (table and JSON), removes one and says its referrals stay", async () => {
    const added = await cli(["tenants", "add", "a", "--name", "Partner A", "--interval", "120", "--entra-tenant", "partner-a.example"]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain("Added tenant a");
    expect((await cli(["tenants", "add", "b"])).code).toBe(0);
    expect((await cli(["tenants", "add", "gone", "--disabled"])).stdout).toContain("(disabled)");

    const list = await json<TenantRecord[]>(["tenants", "list"]);
    expect(list.map((t) => t.id)).toEqual(["a", "b", "gone"]);
    expect(list[0]).toMatchObject({ id: "a", displayName: "Partner A", intervalMs: 120_000, entraTenantId: "partner-a.example", enabled: true, loginRequired: null });
    expect(list[2]).toMatchObject({ id: "gone", enabled: false });
    const table = await cli(["tenants", "list"]);
    expect(table.stdout).toMatch(/tenant\s+name\s+enabled/);
    expect(table.stdout).toMatch(/gone\s+—\s+no/);

    const updated = await cli(["tenants", "add", "a", "--name", "Partner A Ltd"]);
    expect(updated.stdout).toContain("Updated tenant a");
    expect((await json<TenantRecord[]>(["tenants", "list"]))[0]).toMatchObject({ displayName: "Partner A Ltd", intervalMs: 120_000 });

    const removed = await cli(["tenants", "remove", "gone"]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain("stored referrals stay");
    expect((await json<TenantRecord[]>(["tenants", "list"])).map((t) => t.id)).toEqual(["a", "b"]);
    const again = await cli(["tenants", "remove", "gone"]);
    expect(again.code).toBe(EXIT.config);
    expect(again.stderr).toContain('No tenant "gone"');
  });

  it.each([
    [["tenants", "add", "Not A Tenant"], "Tenant id"],
    [["tenants", "login", "_bad"], "Tenant id"],
    [["status", "--tenant", "UPPER"], "--tenant"],
    [["inbox", "--tenant", "a/b"], "--tenant"],
  ])("%j exits 2 with the tenant id rule", async (argv, what) => {
    const run = await cli(argv);
    expect(run.code).toBe(EXIT.config);
    expect(run.stderr).toContain(`${what} `);
    expect(run.stderr).toContain("1 to 63 characters of a-z, 0-9, - and _");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("a bad PARTNER_CENTER_TENANT, an unknown action and a bad interval exit 2", async () => {
    const fromEnv = await cli(["inbox"], { PARTNER_CENTER_TENANT: "Bad Tenant" });
    expect(fromEnv.code).toBe(EXIT.config);
    expect(fromEnv.stderr).toContain("PARTNER_CENTER_TENANT");
    const unknown = await cli(["tenants", "rename", "a"]);
    expect(unknown.code).toBe(EXIT.config);
    expect(unknown.stderr).toContain("add, list, remove, login");
    const interval = await cli(["tenants", "add", "c", "--interval", "0"]);
    expect(interval.code).toBe(EXIT.config);
    expect(interval.stderr).toContain("--interval");
  });
});

describe("--tenant on the reading commands, with two tenants' data", () => {
  let idsA: string[];
  let idsB: string[];

  beforeAll(async () => {
    await syncTenantB();
  }, 60_000);

  it("tenants login a signs a in with its own token cache; sync --tenant a writes a's rows only", async () => {
    const before = await cli(["sync", "--tenant", "a"]);
    expect(before.code).toBe(EXIT.loginRequired);
    expect(before.stderr).toContain("pc-referrals tenants login a");
    const login = await cli(["tenants", "login", "a"]);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain("for tenant a");
    expect(existsSync(join(cwd, ".pc-referrals", "token-cache.a.json"))).toBe(true);
    expect(existsSync(join(cwd, ".pc-referrals", "token-cache.json"))).toBe(false);
    expect((await cli(["whoami", "--tenant", "a"])).code).toBe(0);
    const whoB = await cli(["whoami", "--tenant", "b"]);
    expect(whoB.code).toBe(EXIT.loginRequired);
    expect(whoB.stderr).toContain("tenants login b");
    const sync = await cli(["sync", "--tenant", "a"]);
    expect(sync.code, sync.stderr).toBe(0);
  });

  it("inbox --tenant shows each tenant its own rows; the default tenant has none", async () => {
    const a = await json<{ items: InboxRow[]; total: number }>(["inbox", "--tenant", "a", "--page-size", "200"]);
    const b = await json<{ items: InboxRow[]; total: number }>(["inbox", "--page-size", "200"], { PARTNER_CENTER_TENANT: "b" });
    idsA = a.items.map((r) => r.referralId);
    idsB = b.items.map((r) => r.referralId);
    expect(a.total).toBeGreaterThan(0);
    expect(b.total).toBeGreaterThan(0);
    expect(new Set(a.items.map((r) => r.tenant))).toEqual(new Set(["a"]));
    expect(new Set(b.items.map((r) => r.tenant))).toEqual(new Set(["b"]));
    expect(idsA.filter((id) => idsB.includes(id))).toEqual([]);
    expect((await json<{ total: number }>(["inbox"])).total).toBe(0);
  });

  it("status, runs and show --tenant read that tenant only", async () => {
    const status = await json<{ tenant: string; referralCount: number; lastRun: { runId: string } }>(["status", "--tenant", "a"]);
    expect(status).toMatchObject({ tenant: "a", referralCount: idsA.length });
    expect((await json<{ referralCount: number }>(["status", "--tenant", "b"])).referralCount).toBe(idsB.length);
    const text = await cli(["status", "--tenant", "b"]);
    expect(text.stdout).toMatch(/tenant\s+b/);
    const runsA = await json<Array<{ runId: string }>>(["runs", "--tenant", "a"]);
    expect(runsA.map((r) => r.runId)).toEqual([status.lastRun.runId]);
    const idB = idsB[0] ?? "";
    expect((await cli(["show", idB, "--tenant", "a"])).code).toBe(EXIT.config);
    expect((await json<{ referralId: string; tenant: string }>(["show", idB, "--tenant", "b"])).tenant).toBe("b");
  });
});

describe("worker", () => {
  it("syncs every registered tenant through pg-boss, one log line per job, and stops with exit 0 on SIGTERM", { timeout: 120_000 }, async () => {
    // Tenant b signs in too (against fake a: the CLI's one API URL); both are then due at once.
    expect((await cli(["tenants", "login", "b"])).code).toBe(0);
    const worker = startCli(["worker", "--concurrency", "2"], { cwd, env });
    await waitFor(worker.stderr, /"tenant":"a"[^\n]*"msg":"sync finished"|"msg":"sync finished"[^\n]*"tenant":"a"/, 90_000);
    await waitFor(worker.stderr, /"tenant":"b"[^\n]*"msg":"sync finished"|"msg":"sync finished"[^\n]*"tenant":"b"/, 90_000);
    worker.abort();
    expect(await worker.done).toBe(EXIT.ok);
    expect(worker.stderr()).toContain("worker stopped");
    expect(worker.stderr()).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
    const b = await json<{ referralCount: number; lastRun: { trigger: string; status: string } }>(["status", "--tenant", "b"]);
    expect(b.lastRun.status).toBe("succeeded");
    expect(b.referralCount).toBeGreaterThan(0);
  });
});
