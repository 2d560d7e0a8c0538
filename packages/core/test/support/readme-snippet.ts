// Runs a README's quick start exactly as a user would: the first ```ts block, written to a .mts
// file inside a package so that `@pc-referrals/*` resolve by name (self-reference and the
// package's node_modules; the source condition maps them to src/*.ts, so no build is needed).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** What a snippet run produced. `code` is null when the process did not exit on its own. */
export interface SnippetResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where and how {@link runTsSnippet} runs a snippet. */
export interface RunTsSnippetOptions {
  /** The package the snippet is written into; its imports resolve from there. */
  packageDir: string;
  /** Working directory of the process. Default: `packageDir`. */
  cwd?: string;
  /** The whole environment of the process. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Killed after this long. Default 50 s. */
  timeoutMs?: number;
}

/** The body of the first fenced ```ts block of `markdown`, or null when it has none. */
export function firstTsBlock(markdown: string): string | null {
  return /^```ts\r?\n([\s\S]*?)^```[ \t]*$/m.exec(markdown)?.[1] ?? null;
}

/** What a quick start must keep small: its non-blank lines and the modules it imports. */
export function snippetShape(snippet: string): { lineCount: number; importSources: Set<string> } {
  const lineCount = snippet.split("\n").filter((line) => line.trim() !== "").length;
  const importSources = new Set([...snippet.matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1] ?? ""));
  return { lineCount, importSources };
}

// Resolved here rather than by `--import tsx`, which node resolves from the cwd (maybe a temp dir).
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/**
 * Writes `source` to a temporary `.mts` file inside `packageDir`, runs it with node, tsx and the
 * `@pc-referrals/source` condition, and deletes the file again whatever happens.
 */
export async function runTsSnippet(source: string, options: RunTsSnippetOptions): Promise<SnippetResult> {
  // A dot file, so no test glob, tsconfig include or package `files` entry picks it up.
  const file = join(options.packageDir, `.readme-quickstart-${randomBytes(6).toString("hex")}.mts`);
  const timeout = options.timeoutMs ?? 50_000;
  await writeFile(file, source, "utf8");
  try {
    return await new Promise<SnippetResult>((resolve) => {
      const args = ["--import", tsxLoader, "--conditions=@pc-referrals/source", file];
      const execOptions = { cwd: options.cwd ?? options.packageDir, env: options.env ?? process.env, timeout, maxBuffer: 4 * 1024 * 1024 };
      execFile(process.execPath, args, execOptions, (error, stdout, stderr) => {
        if (error === null) return resolve({ code: 0, stdout, stderr });
        if (typeof error.code === "number") return resolve({ code: error.code, stdout, stderr });
        // Killed (timeout) or never started: say why, since there is no exit code to show.
        const why = error.killed ? `killed by ${error.signal ?? "a signal"} after ${timeout} ms` : error.message;
        resolve({ code: null, stdout, stderr: `${stderr}\n[${why}]` });
      });
    });
  } finally {
    await rm(file, { force: true });
  }
}
