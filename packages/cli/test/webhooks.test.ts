// `webhooks register|status|test|unregister` in-process against the standalone fake that
// `pc-referrals fake-partner-center` starts (its webhooks API on the fake's own host and scope).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../src/output.js";
import { runCli, startCli, tempFolder, waitFor, type InProcessRun } from "./support/cli.js";

const cwd = tempFolder();
let fakeRun: InProcessRun;
let env: Record<string, string> = {};
const received: string[] = [];
const endpoint = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    received.push(Buffer.concat(chunks).toString("utf8"));
    res.writeHead(200).end();
  });
});
let endpointUrl = "";

beforeAll(async () => {
  fakeRun = startCli(["fake-partner-center", "--generate", "5"], { cwd });
  await waitFor(fakeRun.stdout, /Ctrl-C stops it/);
  for (const [, name, value] of fakeRun.stdout().matchAll(/^export (\w+)=(\S+)$/gm)) env[name as string] = value as string;
  await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/api/referrals/webhooks/partner-center`;
  env = { ...env };
  expect((await runCli(["login"], { cwd, env })).code).toBe(0);
});
afterAll(async () => {
  fakeRun.abort();
  await fakeRun.done;
  endpoint.closeAllConnections();
  await new Promise<void>((resolve) => endpoint.close(() => resolve()));
});

const cli = (argv: string[]) => runCli(argv, { cwd, env });

describe("pc-referrals webhooks", () => {
  it("fake-partner-center prints the webhooks API base URL and its certificate host", () => {
    expect(env.PARTNER_CENTER_WEBHOOKS_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/v1$/);
    expect(env.PARTNER_CENTER_WEBHOOKS_CERT_HOSTS).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("status says there is no registration yet", async () => {
    const status = await cli(["webhooks", "status"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("No webhook registration");
  });

  it("register needs --url, and refuses an unknown action", async () => {
    expect((await cli(["webhooks", "register"])).code).toBe(EXIT.config);
    const unknown = await cli(["webhooks", "subscribe"]);
    expect(unknown.code).toBe(EXIT.config);
    expect(unknown.stderr).toContain("webhooks register --url");
  });

  it("register refuses to replace a registration pointing elsewhere without --force, printing that URL; --force replaces it", async () => {
    const crm = await cli(["webhooks", "register", "--url", "https://crm-connector.example/hook"]);
    expect(crm.code).toBe(0);
    const refused = await cli(["webhooks", "register", "--url", endpointUrl]);
    expect(refused.code).toBe(EXIT.config);
    expect(refused.stderr).toContain("https://crm-connector.example/hook");
    expect(refused.stderr).toContain("--force");
    const status = await cli(["webhooks", "status", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ registration: { webhookUrl: "https://crm-connector.example/hook" } });
    const forced = await cli(["webhooks", "register", "--url", endpointUrl, "--force"]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("Replaced the registration of https://crm-connector.example/hook");
    expect(forced.stdout).toContain(endpointUrl);
    const after = await cli(["webhooks", "status"]);
    expect(after.stdout).toContain(`URL:    ${endpointUrl}`);
    expect(after.stdout).toContain("referral-created, referral-updated, related-referral-created, related-referral-updated, test-created");
  });

  it("test posts a validation event and reports its delivery", async () => {
    const test = await cli(["webhooks", "test", "--wait", "20"]);
    expect(test.stdout).toContain("Delivered");
    expect(test.code).toBe(0);
    expect(received.some((body) => (JSON.parse(body) as { EventName?: string }).EventName === "test-created")).toBe(true);
  });

  it("serve with PARTNER_CENTER_WEBHOOKS_RECEIVE=true mounts the signed route outside the token check; the fake's validation event gets through", async () => {
    const serve = startCli(["serve", "--port", "0", "--no-schedule"], {
      cwd,
      env: { ...env, PARTNER_CENTER_SERVE_TOKEN: "serve-token-for-webhook-tests-0123", PARTNER_CENTER_WEBHOOKS_RECEIVE: "true" },
    });
    try {
      const [, routeUrl = ""] = await waitFor(serve.stdout, /Webhook route: (\S+)/);
      const unsigned = await fetch(routeUrl, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(unsigned.status).toBe(401);
      expect(await unsigned.json()).toMatchObject({ code: "webhook_signature_invalid", reason: "signature_missing" });
      expect((await cli(["webhooks", "register", "--url", routeUrl, "--force"])).code).toBe(0);
      const test = await cli(["webhooks", "test", "--wait", "20"]);
      expect(test.stdout).toContain("Delivered");
      expect(test.code).toBe(0);
    } finally {
      serve.abort();
      expect(await serve.done).toBe(EXIT.interrupted);
    }
  });

  it("unregister removes the registration, then says there was none", async () => {
    expect((await cli(["webhooks", "unregister"])).stdout).toContain("Removed the webhook registration");
    expect((await cli(["webhooks", "unregister"])).stdout).toContain("There was no webhook registration");
    expect((await cli(["webhooks", "status"])).stdout).toContain("No webhook registration");
  });
});
