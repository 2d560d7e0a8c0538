// Runs the README's quick start as a user would (core's test/support/readme-snippet.ts): offline,
// on in-memory PGlite, from a fresh working folder.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { firstTsBlock, runTsSnippet, snippetShape } from "../../core/test/support/readme-snippet.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const snippet = firstTsBlock(readFileSync(join(packageDir, "README.md"), "utf8"));

it("the README quick start syncs two tenants and exits", async () => {
  expect(snippet).not.toBeNull();
  expect(snippetShape(snippet ?? "").importSources).toEqual(
    new Set(["@pc-referrals/core", "@pc-referrals/core/testing", "@pc-referrals/pg-store", "@pc-referrals/worker", "pg-boss"]),
  );
  const cwd = await mkdtemp(join(tmpdir(), "pcr-worker-readme-"));
  try {
    const result = await runTsSnippet(snippet ?? "", { packageDir, cwd, timeoutMs: 60_000 });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n").sort()).toEqual(["contoso succeeded", "fabrikam succeeded"]);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});
