// Issue 13, write-back from the CLI against the standalone fake (`pc-referrals fake-partner-center`
// as a child process): accept, decline --reason, close --won|--lost, set-ref, set-deal-value, the
// exit codes of a refused move and of a conflict, and --json.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../src/output.js";
import { runCli, spawnCli, tempFolder, waitFor, type ChildRun } from "./support/cli.js";

let fake: ChildRun;
let env: Record<string, string>;
const cwd = tempFolder();
/** A second installation (its own folder and PGlite) on the same Partner Center account. */
const otherCwd = tempFolder();

const cli = (argv: string[], folder = cwd) => runCli(argv, { cwd: folder, env });
const json = async <T>(argv: string[], folder = cwd): Promise<T> => JSON.parse((await cli(argv, folder)).stdout) as T;

let newIds: string[] = [];

beforeAll(async () => {
  fake = spawnCli(["fake-partner-center", "--generate", "80"], { cwd });
  await waitFor(fake.stdout, /Ctrl-C stops it/);
  env = Object.fromEntries([...fake.stdout().matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1] ?? "", m[2] ?? ""]));
  for (const folder of [cwd, otherCwd]) {
    expect((await cli(["login"], folder)).code).toBe(EXIT.ok);
    expect((await cli(["sync"], folder)).code).toBe(EXIT.ok);
  }
  const page = await json<{ items: Array<{ referralId: string }> }>(["inbox", "--status", "New", "--page-size", "10", "--json"]);
  newIds = page.items.map((r) => r.referralId);
  expect(newIds.length).toBeGreaterThanOrEqual(6);
}, 60_000);

afterAll(() => fake.kill("SIGTERM"));

const stored = (id: string, folder = cwd) => json<{ status: string; substatus: string; payload: Record<string, unknown> }>(["show", id, "--json"], folder);

describe("write-back commands against the standalone fake", () => {
  it("accept moves a New referral to Active · Accepted and the store shows it; a second accept exits 6 naming the allowed moves", async () => {
    const id = newIds[0] ?? "";
    const run = await cli(["accept", id]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(new RegExp(`^Referral ${id} accepted: now Active · Accepted`));
    expect(await stored(id)).toMatchObject({ status: "Active", substatus: "Accepted" });
    const again = await cli(["accept", id]);
    expect(again.code).toBe(EXIT.invalidTransition);
    expect(again.stderr).toContain("error:");
    expect(again.stderr).toMatch(/fix: Allowed now: .*close/);
  });

  it("close --won and close --lost --reason close accepted referrals; --json prints the result", async () => {
    const [won, lost] = [newIds[0] ?? "", newIds[1] ?? ""];
    expect((await cli(["accept", lost])).code).toBe(EXIT.ok);
    const result = await cli(["close", won, "--won", "--json"]);
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout)).toMatchObject({ referralId: won, action: "close", status: "Closed", substatus: "Won" });
    expect((await cli(["close", lost, "--lost", "--reason", "Budget cut"])).code).toBe(EXIT.ok);
    expect(await stored(lost)).toMatchObject({ status: "Closed", substatus: "Lost", payload: { statusReason: "Budget cut" } });
  });

  it("close needs exactly one of --won and --lost (exit 2, nothing sent)", async () => {
    const id = newIds[2] ?? "";
    for (const flags of [[], ["--won", "--lost"]]) {
      const run = await cli(["close", id, ...flags]);
      expect(run.code).toBe(EXIT.config);
      expect(run.stderr).toContain("Pass exactly one of --won and --lost.");
    }
    expect(await stored(id)).toMatchObject({ status: "New" });
  });

  it("decline --reason closes a New referral as Declined; without --reason it exits 2; a closed one exits 6 with --json error", async () => {
    const id = newIds[2] ?? "";
    const missing = await cli(["decline", id]);
    expect(missing.code).toBe(EXIT.config);
    expect(missing.stderr).toContain("--reason");
    expect((await cli(["decline", id, "--reason", "Not a fit for our offering"])).code).toBe(EXIT.ok);
    expect(await stored(id)).toMatchObject({ status: "Closed", substatus: "Declined", payload: { statusReason: "Not a fit for our offering" } });
    const closed = await cli(["accept", id, "--json"]);
    expect(closed.code).toBe(EXIT.invalidTransition);
    expect(JSON.parse(closed.stdout)).toEqual({ error: expect.objectContaining({ code: "invalid_transition", allowed: [] }) });
  });

  it("set-ref and set-deal-value write the values; a bad deal value exits 2", async () => {
    const id = newIds[3] ?? "";
    expect((await cli(["set-ref", id, "CRM-1042"])).code).toBe(EXIT.ok);
    expect((await cli(["set-deal-value", id, "25000", "usd"])).code).toBe(EXIT.ok);
    const { payload } = await stored(id);
    expect(payload["externalReferenceId"]).toBe("CRM-1042");
    expect(payload["details"]).toMatchObject({ dealValue: 25_000, currency: "USD" });
    const bad = await cli(["set-deal-value", id, "lots", "USD"]);
    expect(bad.code).toBe(EXIT.config);
    expect(bad.stderr).toContain('not "lots"');
  });

  it("a referral changed at Partner Center since the last sync exits 7 (conflict); the current copy is stored, and a retry goes through", async () => {
    const id = newIds[4] ?? "";
    // The other installation accepts it first: this one's stored eTag is now stale.
    expect((await cli(["set-ref", id, "OTHER-7"], otherCwd)).code).toBe(EXIT.ok);
    const conflict = await cli(["accept", id, "--json"]);
    expect(conflict.code).toBe(EXIT.conflict);
    expect(JSON.parse(conflict.stdout)).toMatchObject({ error: { code: "referral_conflict", current: { status: "New" } } });
    expect(conflict.stderr).toContain("pc-referrals show");
    expect((await stored(id)).payload["externalReferenceId"]).toBe("OTHER-7");
    expect((await cli(["accept", id])).code).toBe(EXIT.ok);
  });

  it("an id that is not stored exits 2 and points at the inbox", async () => {
    const run = await cli(["accept", "no-such-referral"]);
    expect(run.code).toBe(EXIT.config);
    expect(run.stderr).toContain('No referral "no-such-referral" is stored.');
    expect(run.stderr).toContain("pc-referrals inbox");
  });
});
