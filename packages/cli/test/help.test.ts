import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/commands/index.js";
import { EXIT } from "../src/output.js";
import { runCli, tempFolder } from "./support/cli.js";

const cwd = tempFolder();

describe("help, version and argument errors", () => {
  it("--help lists every command and exits 0", async () => {
    const { code, stdout } = await runCli(["--help"], { cwd });
    expect(code).toBe(EXIT.ok);
    for (const command of COMMANDS) expect(stdout).toContain(`  ${command.name} `);
  });

  it("--help lists the write-back commands of issue 13 with their arguments", async () => {
    const { stdout } = await runCli(["--help"], { cwd });
    for (const name of ["accept", "decline", "close", "set-ref", "set-deal-value"]) expect(stdout).toMatch(new RegExp(`^  ${name}\\s`, "m"));
    expect(COMMANDS).toHaveLength(23);
    const close = await runCli(["help", "close"], { cwd });
    expect(close.stdout).toContain("Usage: pc-referrals close <referralId> [options]");
    for (const flag of ["--won", "--lost", "--reason", "--json"]) expect(close.stdout).toContain(flag);
    expect((await runCli(["help", "set-deal-value"], { cwd })).stdout).toContain("Usage: pc-referrals set-deal-value <referralId> <value> <currency>");
  });

  it("--version prints the package version", async () => {
    const { code, stdout } = await runCli(["--version"], { cwd });
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("every command answers --help and `help <command>` with its flags", async () => {
    for (const command of COMMANDS) {
      const viaFlag = await runCli([command.name, "--help"], { cwd });
      const viaHelp = await runCli(["help", command.name], { cwd });
      expect(viaFlag.code).toBe(0);
      expect(viaFlag.stdout).toBe(viaHelp.stdout);
      expect(viaFlag.stdout).toContain(`Usage: pc-referrals ${command.name}`);
      for (const flag of Object.keys(command.options)) expect(viaFlag.stdout).toContain(`--${flag}`);
    }
  });

  it("an unknown command, an unknown flag and a missing argument exit 2 with the fix, and no stack trace", async () => {
    const unknown = await runCli(["frobnicate"], { cwd });
    expect(unknown.code).toBe(EXIT.config);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect(unknown.stderr).toContain("pc-referrals --help");
    const badFlag = await runCli(["sync", "--fast"], { cwd });
    expect(badFlag.code).toBe(EXIT.config);
    expect(badFlag.stderr).toContain("--fast");
    const missing = await runCli(["show"], { cwd });
    expect(missing.code).toBe(EXIT.config);
    expect(missing.stderr).toContain("Usage: pc-referrals show <referralId>");
    for (const run of [unknown, badFlag, missing]) expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("--verbose adds the stack trace", async () => {
    const { stderr } = await runCli(["frobnicate", "--verbose"], { cwd });
    expect(stderr).toMatch(/\n\s+at /);
  });
});
