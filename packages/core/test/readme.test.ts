// Runs the README's quick start exactly as a user would: a .mts file inside the package that
// imports `@pc-referrals/core` by name (self-reference through the exports map; the source
// condition maps it to src/*.ts, so no build is needed).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const readme = readFileSync(join(packageDir, "README.md"), "utf8");
// Inside the package (not the OS temp dir) so that the self-reference resolves; a dot file, so
// no test glob, tsconfig include or package `files` entry picks it up.
const snippetPath = join(packageDir, `.readme-quickstart-${randomBytes(6).toString("hex")}.mts`);

afterAll(() => rm(snippetPath, { force: true }));

function firstTsBlock(markdown: string): string | null {
  return /^```ts\r?\n([\s\S]*?)^```[ \t]*$/m.exec(markdown)?.[1] ?? null;
}

/** The `key: number` pairs of the counts the README says the quick start prints. */
function documentedCounts(markdown: string): string[] {
  const sentence = /The output ends with `([^`]+)`/.exec(markdown)?.[1] ?? "";
  return [...sentence.matchAll(/(\w+): (\d+)/g)].map(([pair]) => pair);
}

function runNode(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: packageDir, timeout: 50_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("README quick start", () => {
  const snippet = firstTsBlock(readme);

  it("is the first ts block, at most 10 lines, importing only the published entry points", () => {
    expect(snippet).not.toBeNull();
    const lines = (snippet ?? "").split("\n").filter((line) => line.trim() !== "");
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.length).toBeLessThanOrEqual(10);
    const sources = [...(snippet ?? "").matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1]);
    expect(new Set(sources)).toEqual(new Set(["@pc-referrals/core", "@pc-referrals/core/testing"]));
  });

  it("runs as-is against the fake Partner Center and prints what the README says", { timeout: 60_000 }, async () => {
    await writeFile(snippetPath, snippet ?? "", "utf8");
    let result: Awaited<ReturnType<typeof runNode>>;
    try {
      result = await runNode(["--import", "tsx", "--conditions=@pc-referrals/source", snippetPath]);
    } finally {
      await rm(snippetPath, { force: true });
    }
    const { code, stdout, stderr } = result;
    expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });

    const counts = documentedCounts(readme);
    expect(counts).toContain("fetched: 250");
    expect(counts.length).toBeGreaterThanOrEqual(5);
    for (const pair of counts) expect(stdout).toMatch(new RegExp(`\\b${pair}\\b`));

    // One line per `referral.ingested` event: "<type> <domain> <score>".
    const ingestedLines = stdout.split("\n").filter((line) => /^(co-sell|marketplace|solution-provider) \S+ (\d+|null)$/.test(line));
    const ingested = Number(/\bingested: (\d+)/.exec(stdout)?.[1]);
    expect(ingested).toBeGreaterThan(0);
    expect(ingestedLines).toHaveLength(ingested);
    // Co-sell referrals get the built-in +15, so their score is never null.
    expect(ingestedLines.filter((line) => line.startsWith("co-sell ")).length).toBeGreaterThan(0);
    expect(ingestedLines.filter((line) => /^co-sell \S+ null$/.test(line))).toEqual([]);
  });
});
