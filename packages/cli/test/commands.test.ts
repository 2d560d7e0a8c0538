// Every store-facing command in-process, against the fake Partner Center and embedded PGlite.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SyncReport } from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter } from "@pc-referrals/core/testing";
import type { FakePartnerCenter } from "@pc-referrals/core/testing";
import { createPgStore } from "@pc-referrals/pg-store";
import { fakeEnv } from "../src/fake-server.js";
import { EXIT } from "../src/output.js";
import { runCli, startCli, tempFolder, waitFor } from "./support/cli.js";

let fake: FakePartnerCenter;
let env: Record<string, string>;
const cwd = tempFolder();

beforeAll(async () => {
  fake = await startFakePartnerCenter({ referrals: generateReferrals(150), autoApproveDeviceCodes: true });
  env = fakeEnv(fake);
});
afterAll(async () => {
  await fake.stop();
});

const cli = (argv: string[], extra: Record<string, string> = {}) => runCli(argv, { cwd, env: { ...env, ...extra } });

describe("commands against the fake and PGlite", () => {
  it("sync is refused with exit 2 while the feature flag is off, and names the variable", async () => {
    const { code, stderr } = await cli(["sync"], { PARTNER_CENTER_ENABLED: "false" });
    expect(code).toBe(EXIT.config);
    expect(stderr).toContain("PARTNER_CENTER_ENABLED=true");
  });

  it("a bad variable exits 2 naming it, never repeating its value", async () => {
    const { code, stderr } = await cli(["status"], { PARTNER_CENTER_SYNC_INTERVAL: "soon-ish" });
    expect(code).toBe(EXIT.config);
    expect(stderr).toContain("PARTNER_CENTER_SYNC_INTERVAL");
    expect(stderr).not.toContain("soon-ish");
  });

  it("sync and whoami before any login exit 3 and point at `pc-referrals login`", async () => {
    for (const argv of [["sync"], ["whoami"]]) {
      const { code, stderr } = await cli(argv);
      expect(code).toBe(EXIT.loginRequired);
      expect(stderr).toContain("pc-referrals login");
    }
  });

  it("login prints the verification URL and code, caches the tokens in a 0600 file; whoami shows account and tenant, never the token", async () => {
    const login = await cli(["login"]);
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/open https:\/\/\S+ and enter the code [A-Z0-9]+/);
    const cacheFile = join(cwd, ".pc-referrals", "token-cache.json");
    expect(existsSync(cacheFile)).toBe(true);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    const who = await cli(["whoami"]);
    expect(who.code).toBe(0);
    expect(who.stdout).toContain(fake.entra.tenantId);
    expect(who.stdout).toMatch(/account\s+\S+@/);
    expect(who.stdout).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
  });

  it("sync --dry-run reports what it would write and writes nothing", async () => {
    const dry = await cli(["sync", "--dry-run", "--json"]);
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout) as SyncReport;
    expect(report.counts.ingested).toBeGreaterThan(0);
    const status = JSON.parse((await cli(["status", "--json"])).stdout) as { referralCount: number; lastRun: unknown; cursor: unknown };
    expect(status).toMatchObject({ referralCount: 0, lastRun: null, cursor: null });
  });

  it("sync writes, prints the summary with skip reasons, no progress line when piped; --json prints only the SyncReport", async () => {
    const first = await cli(["sync"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/status\s+succeeded/);
    expect(first.stdout).toMatch(/new\s+[1-9]\d*/);
    expect(first.stdout).toMatch(/skipped\s+\d+\n\s+\w+/);
    expect(first.stderr).not.toContain("referrals/s");
    const again = await cli(["sync", "--json"]);
    const report = JSON.parse(again.stdout) as SyncReport;
    expect(report).toMatchObject({ status: "succeeded", full: false, counts: { ingested: 0 } });
  });

  it("status, runs and inbox show what the sync stored; inbox filters and pages", async () => {
    const status = await cli(["status"]);
    expect(status.stdout).toMatch(/referrals\s+[1-9]/);
    const runs = JSON.parse((await cli(["runs", "--limit", "5", "--json"])).stdout) as unknown[];
    expect(runs).toHaveLength(2);
    const page = JSON.parse((await cli(["inbox", "--type", "co-sell", "--page-size", "3", "--json"])).stdout) as { items: Array<{ referralType: string }>; total: number };
    expect(page.items).toHaveLength(3);
    expect(page.items.every((r) => r.referralType === "co-sell")).toBe(true);
    const table = await cli(["inbox", "--page-size", "5"]);
    expect(table.stdout).toMatch(/^referral\s+type\s+status/);
    expect(table.stdout).toMatch(/page 1 of \d+ · \d+ referrals/);
    const bad = await cli(["inbox", "--page-size", "0"]);
    expect(bad.code).toBe(EXIT.config);
    expect(bad.stderr).toContain("--page-size");
  });

  it("expiry: inbox --expiring 3 lists only referrals due within 3 days (past deadlines too), soonest first, with a days left column; --json has expiresAt", async () => {
    type Row = { referralId: string; status: string | null; expiresAt: string | null };
    const all = JSON.parse((await cli(["inbox", "--page-size", "200", "--json"])).stdout) as { items: Row[] };
    const horizon = Date.now() + 3 * 24 * 60 * 60_000;
    const due = all.items.filter((r) => r.expiresAt !== null && Date.parse(r.expiresAt) <= horizon);
    expect(due.length).toBeGreaterThan(0);
    expect(all.items.filter((r) => r.expiresAt !== null).every((r) => r.status === "New")).toBe(true);

    const expiring = JSON.parse((await cli(["inbox", "--expiring", "3", "--page-size", "200", "--json"])).stdout) as { items: Row[]; total: number };
    expect(expiring.total).toBe(due.length);
    const deadlines = expiring.items.map((r) => Date.parse(r.expiresAt ?? ""));
    expect(deadlines).toEqual([...deadlines].sort((a, b) => a - b));
    expect(new Set(expiring.items.map((r) => r.referralId))).toEqual(new Set(due.map((r) => r.referralId)));

    const table = await cli(["inbox", "--expiring", "3", "--page-size", "3"]);
    expect(table.stdout).toMatch(/^referral\s+type\s+status\s+customer\s+domain\s+days left/);
    expect(table.stdout.split("\n")[1]).toMatch(/\s(expired|\d+)\s/);
  });

  it.each([["soon"], ["-1"], ["1e3"]])("expiry: inbox --expiring %s exits 2 naming the flag", async (value) => {
    const bad = await cli(["inbox", "--expiring", value]);
    expect(bad.code).toBe(EXIT.config);
    expect(bad.stderr).toContain("--expiring");
  });

  it("the inbox table fits the terminal's width", async () => {
    const run = await runCli(["inbox"], { cwd, env, tty: true });
    for (const line of run.stdout.trimEnd().split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  });

  it("show, link and unlink: the manual link sticks through the next sync", async () => {
    const page = JSON.parse((await cli(["inbox", "--page-size", "2", "--json"])).stdout) as { items: Array<{ referralId: string; domain: string }> };
    const [first, second] = page.items;
    const id = first?.referralId ?? "";
    const shown = await cli(["show", id]);
    expect(shown.stdout).toContain(id);
    // Link it to the company of the other referral (ids are the store's; no command lists companies).
    const store = createPgStore({ dataDir: join(cwd, ".pc-referrals", "pgdata") });
    const [company] = await store.findCompanies({ domains: [second?.domain ?? ""], normalizedNames: [] });
    await store.close();
    const companyId = company?.id ?? "";
    const unknown = await cli(["link", id, "no-such-company"]);
    expect(unknown.code).toBe(EXIT.config);
    expect(unknown.stderr).toContain("companyId");
    expect((await cli(["link", id, companyId])).code).toBe(0);
    await cli(["sync", "--full"]);
    const linked = JSON.parse((await cli(["show", id, "--json"])).stdout) as { linkStatus: string; linkedCompanyId: string };
    expect(linked).toMatchObject({ linkStatus: "manual_linked", linkedCompanyId: companyId });
    expect((await cli(["unlink", id])).code).toBe(0);
    expect(JSON.parse((await cli(["show", id, "--json"])).stdout)).toMatchObject({ linkStatus: "manual_unlinked" });
    const missing = await cli(["show", "no-such-referral"]);
    expect(missing.code).toBe(EXIT.config);
  });

  it("migrate status lists applied migrations; down then up round-trips", async () => {
    const before = JSON.parse((await cli(["migrate", "status", "--json"])).stdout) as Array<{ state: string }>;
    expect(before.every((m) => m.state === "applied")).toBe(true);
    const down = await cli(["migrate", "down", "--steps", "1"]);
    expect(down.stdout).toMatch(/^Rolled back \d+ /);
    const pending = JSON.parse((await cli(["migrate", "status", "--json"])).stdout) as Array<{ state: string }>;
    expect(pending.filter((m) => m.state === "pending")).toHaveLength(1);
    expect((await cli(["migrate", "up"])).stdout).toMatch(/^Applied \d+ /);
    expect((await cli(["migrate", "up"])).stdout).toContain("Up to date");
    expect((await cli(["migrate", "sideways"])).code).toBe(EXIT.config);
  });

  it("watch runs at once, logs one JSON line per run when piped, and stops on the signal with exit 130", async () => {
    const run = startCli(["watch", "--interval", "3600"], { cwd, env });
    await waitFor(run.stderr, /"msg":"sync finished"/);
    run.abort();
    expect(await run.done).toBe(EXIT.interrupted);
    const lines = run.stderr().trim().split("\n").map((l) => JSON.parse(l) as { msg: string });
    expect(lines.filter((l) => l.msg === "sync finished")).toHaveLength(1);
    expect((await cli(["watch", "--interval", "0"])).code).toBe(EXIT.config);
  });

  it("watch on a terminal logs one readable line per entry instead of JSON", async () => {
    const run = startCli(["watch", "--interval", "3600"], { cwd, env: { ...env, NO_COLOR: "1" }, tty: true });
    await waitFor(run.stderr, /info  sync finished/);
    run.abort();
    expect(await run.done).toBe(EXIT.interrupted);
    expect(run.stderr()).toMatch(/^\d\d:\d\d:\d\d info  watching; Ctrl-C/m);
    expect(run.stderr()).toMatch(/sync finished {2}runId=\S+ status=succeeded/);
    expect(run.stderr()).not.toContain('"msg"');
  });

  it("logout removes the login: whoami exits 3 again", async () => {
    expect((await cli(["logout"])).code).toBe(0);
    expect((await cli(["whoami"])).code).toBe(EXIT.loginRequired);
  });

  it("a store that cannot be reached exits 5 with the variable to check", async () => {
    const { code, stderr } = await cli(["status"], { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" });
    expect(code).toBe(EXIT.storeUnreachable);
    expect(stderr).toContain("DATABASE_URL");
  });
});
