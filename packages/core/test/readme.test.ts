// Runs the README's quick start exactly as a user would (see support/readme-snippet.ts) and checks
// that it prints what the README says.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { firstTsBlock, runTsSnippet, snippetShape } from "./support/readme-snippet.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const readme = readFileSync(join(packageDir, "README.md"), "utf8");

/** The `key: number` pairs of the counts the README says the quick start prints. */
function documentedCounts(markdown: string): string[] {
  const sentence = /The output ends with `([^`]+)`/.exec(markdown)?.[1] ?? "";
  return [...sentence.matchAll(/(\w+): (\d+)/g)].map(([pair]) => pair);
}

describe("README quick start", () => {
  const snippet = firstTsBlock(readme);

  it("is the first ts block, at most 10 lines, importing only the published entry points", () => {
    expect(snippet).not.toBeNull();
    const { lineCount, importSources } = snippetShape(snippet ?? "");
    expect(lineCount).toBeGreaterThan(3);
    expect(lineCount).toBeLessThanOrEqual(10);
    expect(importSources).toEqual(new Set(["@pc-referrals/core", "@pc-referrals/core/testing"]));
  });

  it("runs as-is against the fake Partner Center and prints what the README says", { timeout: 60_000 }, async () => {
    const { code, stdout, stderr } = await runTsSnippet(snippet ?? "", { packageDir });
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

describe("README write-back", () => {
  const section = readme.slice(readme.indexOf("## Write-back"));
  const snippet = firstTsBlock(section);

  it("write-back: the README's snippet runs as-is against the fake and prints what the README says", { timeout: 60_000 }, async () => {
    expect(snippet).toContain("createReferralActions");
    const { code, stdout, stderr } = await runTsSnippet(snippet ?? "", { packageDir });
    expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
    const printed = /It prints `([^`]+)`/.exec(section)?.[1];
    expect(printed).toBe("Active Accepted succeeded");
    expect(stdout.trim()).toBe(printed);
  });
});
