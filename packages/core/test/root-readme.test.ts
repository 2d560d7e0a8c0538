// The repository README is the first thing a new user runs: its two fresh-machine commands are
// exactly the ones CI runs, and its embedding example compiles against the packages as published
// (names, option shapes, strict settings), so copying it into a service works.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { firstTsBlock, snippetShape } from "./support/readme-snippet.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const DEMO = "npm i -g pnpm@10.34.9 && pnpm install --frozen-lockfile && pnpm demo";
const TEST = "npm i -g pnpm@10.34.9 && pnpm install --frozen-lockfile && pnpm test";

/** Bodies of the fenced ```sh blocks. */
function shBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\r?\n([\s\S]*?)^```[ \t]*$/gm)].map((m) => (m[1] ?? "").trim());
}

/** Type-checks `source` as a .mts module inside `packageDir` with the repository's strict settings. */
async function typecheck(source: string, packageDir: string): Promise<{ code: number; output: string }> {
  const id = randomBytes(6).toString("hex");
  // Dot files, so no test glob, tsconfig include or package `files` entry picks them up.
  const file = join(packageDir, `.readme-embedding-${id}.mts`);
  const project = join(packageDir, `.readme-embedding-${id}.tsconfig.json`);
  await writeFile(file, source, "utf8");
  await writeFile(project, JSON.stringify({ extends: "../../tsconfig.base.json", compilerOptions: { noEmit: true }, files: [file] }));
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  try {
    return await new Promise((resolve) => {
      execFile(process.execPath, [tsc, "-p", project], { cwd: packageDir, timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, output: `${stdout}${stderr}` });
      });
    });
  } finally {
    await rm(file, { force: true });
    await rm(project, { force: true });
  }
}

describe("docs in the repo: the root README", () => {
  it("gives the two fresh-machine commands exactly, and CI runs the test command verbatim", () => {
    expect(shBlocks(readme)).toEqual(expect.arrayContaining([DEMO, TEST]));
    expect(readFileSync(join(root, ".ci", "run"), "utf8").split("\n")).toContain(TEST);
  });

  it("has an embedding example of about 20 lines that uses only the published entry points", () => {
    const snippet = firstTsBlock(readme) ?? "";
    const { lineCount, importSources } = snippetShape(snippet);
    expect(lineCount).toBeGreaterThanOrEqual(10);
    expect(lineCount).toBeLessThanOrEqual(20);
    expect(importSources).toEqual(new Set(["@pc-referrals/core", "@pc-referrals/pg-store"]));
  });

  it("has an embedding example that compiles under the strict settings", { timeout: 150_000 }, async () => {
    // pg-store depends on core, so both names resolve from there (to src, by the source condition).
    const result = await typecheck(firstTsBlock(readme) ?? "", join(root, "packages", "pg-store"));
    expect(result).toEqual({ code: 0, output: "" });
  });
});
