// One configuration: flags, then the environment, then ./.env; colour only on a terminal without NO_COLOR.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakePartnerCenter } from "@pc-referrals/core/testing";
import type { FakePartnerCenter } from "@pc-referrals/core/testing";
import { fakeEnv } from "../src/fake-server.js";
import { EXIT } from "../src/output.js";
import { runCli, startCli, tempFolder, waitFor } from "./support/cli.js";

describe("configuration and output", () => {
  it("reads ./.env for variables the environment does not set; the environment wins", async () => {
    const cwd = tempFolder();
    writeFileSync(join(cwd, ".env"), "PARTNER_CENTER_SYNC_INTERVAL=not-a-number\nPARTNER_CENTER_ENABLED=true\nPARTNER_CENTER_CLIENT_ID=00000000-0000-0000-0000-000000000001\n");
    const fromFile = await runCli(["status"], { cwd });
    expect(fromFile.code).toBe(EXIT.config);
    expect(fromFile.stderr).toContain("PARTNER_CENTER_SYNC_INTERVAL");
    const overridden = await runCli(["status", "--json"], { cwd, env: { PARTNER_CENTER_SYNC_INTERVAL: "60" } });
    expect(overridden.code).toBe(EXIT.ok);
    expect(JSON.parse(overridden.stdout)).toMatchObject({ enabled: true });
  });

  it("colours errors on a terminal, never when piped or with NO_COLOR", async () => {
    const cwd = tempFolder();
    const tty = await runCli(["frobnicate"], { cwd, tty: true });
    expect(tty.stderr).toContain("\x1b[31m");
    const noColor = await runCli(["frobnicate"], { cwd, tty: true, env: { NO_COLOR: "1" } });
    const piped = await runCli(["frobnicate"], { cwd });
    for (const run of [noColor, piped]) expect(run.stderr).not.toContain("\x1b[");
  });
});

describe("login waits for the person", () => {
  let fake: FakePartnerCenter;
  beforeAll(async () => {
    fake = await startFakePartnerCenter({ autoApproveDeviceCodes: false });
  });
  afterAll(async () => {
    await fake.stop();
  });

  it("Ctrl-C while the code waits cancels the login with exit 130 and caches nothing", async () => {
    const cwd = tempFolder();
    const env = fakeEnv(fake);
    const run = startCli(["login"], { cwd, env });
    await waitFor(run.stdout, /enter the code/);
    run.abort();
    expect(await run.done).toBe(EXIT.interrupted);
    expect(run.stderr()).toContain("Login cancelled.");
    expect((await runCli(["whoami"], { cwd, env })).code).toBe(EXIT.loginRequired);
  });

  it("a declined code exits 3", async () => {
    const cwd = tempFolder();
    const run = startCli(["login"], { cwd, env: fakeEnv(fake) });
    await waitFor(run.stdout, /enter the code/);
    fake.entra.denyDeviceCodes();
    expect(await run.done).toBe(EXIT.loginRequired);
  });
});
