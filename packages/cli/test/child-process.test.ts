// The CLI as a user runs it: child processes against the standalone fake and embedded PGlite,
// the progress line under a pseudo-terminal (`script`) and its absence when piped.
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/output.js";
import { NODE_ARGS, spawnCli, tempFolder, waitFor } from "./support/cli.js";

const shellQuote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

describe("child processes", () => {
  it("demo --no-serve logs in through the device code, syncs 2,000 referrals, prints the summary and the inbox; a second demo is incremental", async () => {
    const cwd = tempFolder();
    const first = spawnCli(["demo", "--no-serve"], { cwd });
    expect(await first.done).toBe(EXIT.ok);
    const out = first.stdout();
    expect(out).toContain("2,000 generated referrals");
    expect(out).toMatch(/enter the code [A-Z0-9]+/);
    expect(out).toMatch(/Signed in as \S+@/);
    expect(out).toMatch(/status\s+succeeded/);
    expect(out).toMatch(/fetched\s+2000/);
    expect(out).toMatch(/page 1 of \d+ · \d+ referrals/);
    const firstPages = Number(/pages\s+(\d+)/.exec(out)?.[1]);

    const second = spawnCli(["demo", "--no-serve"], { cwd });
    expect(await second.done).toBe(EXIT.ok);
    const again = second.stdout();
    expect(again).toMatch(/\(incremental\)/);
    expect(again).toMatch(/new\s+0\n/);
    expect(again).toMatch(/unchanged\s+[1-9]/);
    expect(Number(/pages\s+(\d+)/.exec(again)?.[1])).toBeLessThan(firstPages);
  }, 120_000);

  it("demo serves the inbox page on 127.0.0.1 and prints its URL until Ctrl-C (exit 130)", async () => {
    const run = spawnCli(["demo", "--port", "0"], { cwd: tempFolder() });
    const [, url = ""] = await waitFor(run.stdout, /Inbox page: (http:\/\/127\.0\.0\.1:\d+\S+)/, 90_000);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const inbox = (await (await fetch(url.replace(/\/ui$/, "/inbox"))).json()) as { total: number };
    expect(inbox.total).toBeGreaterThan(0);
    run.kill("SIGINT");
    expect(await run.done).toBe(EXIT.interrupted);
  }, 120_000);

  it("fake-partner-center prints export lines; with them, login and sync run against it unchanged", async () => {
    const cwd = tempFolder();
    const fake = spawnCli(["fake-partner-center", "--generate", "120"], { cwd });
    try {
      await waitFor(fake.stdout, /Ctrl-C stops it/);
      const env = Object.fromEntries([...fake.stdout().matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1] ?? "", m[2] ?? ""]));
      expect(Object.keys(env)).toEqual(expect.arrayContaining(["PARTNER_CENTER_API_URL", "PARTNER_CENTER_CLIENT_ID", "PARTNER_CENTER_ENABLED"]));
      const noLogin = spawnCli(["sync"], { cwd, env });
      expect(await noLogin.done).toBe(EXIT.loginRequired);
      const login = spawnCli(["login"], { cwd, env });
      expect(await login.done).toBe(EXIT.ok);
      expect(login.stdout()).toMatch(/enter the code/);
      const sync = spawnCli(["sync", "--json"], { cwd, env });
      expect(await sync.done).toBe(EXIT.ok);
      expect(JSON.parse(sync.stdout())).toMatchObject({ status: "succeeded", counts: { fetched: 120 } });
      // Piped: no progress line on stderr.
      expect(sync.stderr()).not.toContain("referrals/s");

      // Under a pseudo-terminal the progress line is drawn on stderr, redrawn in place.
      const command = [process.execPath, ...NODE_ARGS, "sync", "--full"].map(shellQuote).join(" ");
      const tty = spawnCli([], { cwd, env, command: "script", args: ["-q", "-e", "-c", command, "/dev/null"] });
      expect(await tty.done).toBe(EXIT.ok);
      const screen = tty.stdout();
      expect(screen).toMatch(/\r\x1b\[2Kpages \d+ · \d+ referrals\/s · new \d+ · updated \d+ · unchanged \d+ · skipped \d+ · failed \d+ · \d+\.\ds/);
      expect(screen).toMatch(/status\s+succeeded/);
    } finally {
      fake.kill("SIGTERM");
    }
    expect(await fake.done).toBe(EXIT.interrupted);
  }, 120_000);
});
