// Shared by the release tests: a throwaway copy of the repository (so building, packing and
// `changeset version` never touch the worktree, its dist/ or its changesets) and a bounded runner.
import { spawn } from "node:child_process";
import { cpSync, readFileSync, readdirSync, existsSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

// Build output, installs and local state: a fresh clone has none of them.
const NOT_COPIED = new Set(["node_modules", "dist", ".git", ".vitest", ".pc-referrals", "coverage"]);

/** Copies the working tree (tracked and new files alike) without installs, builds or local data. */
export function copyRepo(destination: string): void {
  cpSync(REPO_ROOT, destination, {
    recursive: true,
    filter: (source) => !NOT_COPIED.has(basename(source)) && !source.endsWith(".tgz"),
  });
}

export interface WorkspacePackage {
  dir: string;
  name: string;
  version: string;
  private: boolean;
}

/** The workspace's packages under packages/* and examples/* (the globs of pnpm-workspace.yaml). */
export function workspacePackages(root: string): WorkspacePackage[] {
  return ["packages", "examples"].flatMap((parent) => {
    const parentDir = join(root, parent);
    if (!existsSync(parentDir)) return [];
    return readdirSync(parentDir)
      .map((name) => join(parentDir, name))
      .filter((dir) => existsSync(join(dir, "package.json")))
      .map((dir) => {
        const manifest = readJson(join(dir, "package.json"));
        return {
          dir,
          name: String(manifest.name),
          version: String(manifest.version),
          private: manifest.private === true,
        };
      });
  });
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

/**
 * The environment a user's shell would have: nothing inherited from the pnpm/vitest process that
 * runs the tests (npm_config_* would steer npm; VITEST/NODE_ENV would change the CLI), and no
 * pc-referrals configuration, so the demo uses its own fakes and embedded PGlite.
 */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|vitest|partner_center_)/i.test(key)) continue;
    if (["NODE_ENV", "NODE_OPTIONS", "INIT_CWD", "DATABASE_URL", "FORCE_COLOR"].includes(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: "1", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (stdin closed), killing it after `timeoutMs`. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? userEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 5 * 60_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** {@link run}, failing with the command and the end of its output unless it exits 0. */
export async function mustRun(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.slice(-4_000);
    throw new Error(`${command} ${args.join(" ")} exited ${result.code ?? result.signal} in ${options.cwd}:\n${tail}`);
  }
  return result;
}
