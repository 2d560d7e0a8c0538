// `serve` in-process: refuses to start without a token, then bearer, cookie sign-in, scheduler, stop.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateReferrals, startFakePartnerCenter } from "@pc-referrals/core/testing";
import type { FakePartnerCenter } from "@pc-referrals/core/testing";
import { fakeEnv } from "../src/fake-server.js";
import { EXIT } from "../src/output.js";
import { runCli, startCli, tempFolder, waitFor } from "./support/cli.js";

let fake: FakePartnerCenter;
let env: Record<string, string>;
const cwd = tempFolder();
const TOKEN = "serve-token-for-tests-0123456789";

beforeAll(async () => {
  fake = await startFakePartnerCenter({ referrals: generateReferrals(30), autoApproveDeviceCodes: true });
  env = fakeEnv(fake);
});
afterAll(async () => {
  await fake.stop();
});

describe("serve", () => {
  it("refuses to start without PARTNER_CENTER_SERVE_TOKEN (exit 2), and --unsafe-no-auth only on a loopback host", async () => {
    const none = await runCli(["serve", "--port", "0"], { cwd, env });
    expect(none.code).toBe(EXIT.config);
    expect(none.stderr).toContain("PARTNER_CENTER_SERVE_TOKEN");
    const wide = await runCli(["serve", "--port", "0", "--host", "0.0.0.0", "--unsafe-no-auth"], { cwd, env });
    expect(wide.code).toBe(EXIT.config);
    expect(wide.stderr).toContain("loopback");
  });

  it("authorizes by bearer token or by the HttpOnly cookie the sign-in form sets; the scheduler syncs; the signal stops it with 130", async () => {
    expect((await runCli(["login"], { cwd, env })).code).toBe(0);
    const run = startCli(["serve", "--port", "0"], { cwd, env: { ...env, PARTNER_CENTER_SERVE_TOKEN: TOKEN, PARTNER_CENTER_SYNC_INTERVAL: "3600" } });
    try {
      const [, pageUrl = ""] = await waitFor(run.stdout, /Inbox page: (\S+)/);
      const origin = new URL(pageUrl).origin;
      const api = `${origin}/api/referrals`;
      const anonymous = await fetch(`${api}/sync/status`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await anonymous.json()).toMatchObject({ code: "unauthorized" });
      expect((await fetch(`${api}/sync/status`, { headers: { authorization: "Bearer wrong-token" } })).status).toBe(401);
      const status = await fetch(`${api}/sync/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(status.status).toBe(200);
      // The scheduler runs: the status names its next run.
      expect(((await status.json()) as { nextRunAt: string | null }).nextRunAt).toMatch(/^\d{4}-/);

      const page = await fetch(pageUrl, { redirect: "manual" });
      expect(page.status).toBe(302);
      expect(page.headers.get("location")).toBe("/login");
      expect((await fetch(`${origin}/login`)).headers.get("content-type")).toContain("text/html");
      const refused = await fetch(`${origin}/login`, { method: "POST", body: new URLSearchParams({ token: "nope" }), redirect: "manual" });
      expect(refused.headers.get("location")).toBe("/login?failed=1");
      expect(refused.headers.get("set-cookie")).toBeNull();
      const signIn = await fetch(`${origin}/login`, { method: "POST", body: new URLSearchParams({ token: TOKEN }), redirect: "manual" });
      expect(signIn.status).toBe(303);
      const cookie = signIn.headers.get("set-cookie") ?? "";
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      expect(cookie).not.toContain(TOKEN);
      const session = cookie.split(";")[0] ?? "";
      const withCookie = await fetch(pageUrl, { headers: { cookie: session } });
      expect(withCookie.status).toBe(200);
      expect(await withCookie.text()).toContain("<!doctype html>");

      // The scheduler waits one interval before its first run; a sync through the API runs now.
      const sync = await fetch(`${api}/sync?wait=true`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: "{}" });
      expect(sync.status).toBe(200);
      const inbox = (await (await fetch(`${api}/inbox`, { headers: { cookie: session } })).json()) as { total: number };
      expect(inbox.total).toBeGreaterThan(0);
    } finally {
      run.abort();
    }
    expect(await run.done).toBe(EXIT.interrupted);
    expect(run.stderr()).toContain('"msg":"request"');
  });

  it("--unsafe-no-auth on 127.0.0.1 serves without a token; --no-schedule leaves the scheduler off", async () => {
    const run = startCli(["serve", "--port", "0", "--unsafe-no-auth", "--no-schedule"], { cwd, env });
    try {
      const [, pageUrl = ""] = await waitFor(run.stdout, /Inbox page: (\S+)/);
      const status = await fetch(`${new URL(pageUrl).origin}/api/referrals/sync/status`);
      expect(status.status).toBe(200);
      expect(await status.json()).toMatchObject({ nextRunAt: null });
      // serve turns write-back on: the page's Accept button reaches Partner Center.
      const api = `${new URL(pageUrl).origin}/api/referrals`;
      const inbox = (await (await fetch(`${api}/inbox?status=New&pageSize=1`)).json()) as { items: Array<{ referralId: string }> };
      const id = inbox.items[0]?.referralId ?? "";
      expect(await (await fetch(`${api}/referrals/${id}`)).json()).toMatchObject({ writeBack: true, allowedActions: expect.arrayContaining(["accept"]) });
      const accepted = await fetch(`${api}/referrals/${id}/accept`, { method: "POST" });
      expect(accepted.status).toBe(200);
      expect(await accepted.json()).toMatchObject({ status: "Active", substatus: "Accepted" });
      const busy = await runCli(["serve", "--port", new URL(pageUrl).port, "--unsafe-no-auth"], { cwd: tempFolder(), env });
      expect(busy.code).toBe(EXIT.config);
      expect(busy.stderr).toContain("already in use");
    } finally {
      run.abort();
    }
    expect(await run.done).toBe(EXIT.interrupted);
  });
});
