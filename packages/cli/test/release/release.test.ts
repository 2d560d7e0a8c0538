// The release as a user gets it: build a throwaway copy of the repository, `pnpm pack` every
// package, `npm install` the tarballs together into an empty npm project (no workspace), then run
// the bin with npx and import each library through its ESM and its CommonJS entry point.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_DATA_DIR, DEMO_REFERRALS } from "../../src/commands/demo.js";
import { copyRepo, mustRun, readJson, REPO_ROOT, userEnv, workspacePackages } from "./_release.js";

const LIBRARIES = ["@pc-referrals/core", "@pc-referrals/pg-store", "@pc-referrals/hono-adapter"];
const CLI = "@pc-referrals/cli";
// Every command of the CLI, as the issue names them.
const COMMANDS = ["login", "logout", "whoami", "sync", "watch", "status", "runs", "inbox", "show", "link", "unlink", "accept", "decline", "close", "set-ref", "set-deal-value", "migrate", "serve", "fake-partner-center", "demo", "webhooks", "tenants", "worker"];
const STEP_TIMEOUT_MS = 5 * 60_000;

interface Packed {
  file: string;
  manifest: Record<string, unknown>;
  entries: string[];
}

interface ConsumerReport {
  format: string;
  resolved: Record<string, string>;
  domain: string | null;
  migrations: string[];
  migrationCount: number;
  statusCode: number;
  status: { referralCount: number; enabled: boolean; running: unknown; lastRun: unknown };
}

interface DemoStatus {
  referralCount: number;
  lastRun: { runId: string; status: string; counts: { fetched: number; ingested: number; failed: number } } | null;
}

const published = workspacePackages(REPO_ROOT).filter((pkg) => !pkg.private && pkg.dir.startsWith(join(REPO_ROOT, "packages")));

describe("release: the packed packages installed with plain npm into a project with no workspace", () => {
  let work: string | undefined;
  let project = "";
  const packed = new Map<string, Packed>();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "pc-referrals-release-"));
    const repo = join(work, "repo");
    const packs = join(work, "packs");
    project = join(work, "project");
    mkdirSync(packs);
    mkdirSync(project);
    copyRepo(repo);
    const inRepo = { cwd: repo, timeoutMs: STEP_TIMEOUT_MS };
    await mustRun("pnpm", ["install", "--frozen-lockfile", "--prefer-offline"], inRepo);
    await mustRun("pnpm", ["build"], inRepo);
    await mustRun("pnpm", ["-r", "--filter", "./packages/*", "pack", "--pack-destination", packs], inRepo);

    for (const file of readdirSync(packs).filter((name) => name.endsWith(".tgz"))) {
      const path = join(packs, file);
      const listing = await mustRun("tar", ["-tzf", path], { cwd: packs });
      const manifest = await mustRun("tar", ["-xOzf", path, "package/package.json"], { cwd: packs });
      const parsed = JSON.parse(manifest.stdout) as Record<string, unknown>;
      packed.set(String(parsed.name), { file: path, manifest: parsed, entries: listing.stdout.split("\n").filter(Boolean) });
    }

    // pglite is pg-store's optional peer: a user who wants the embedded database installs it.
    const pglite = (readJson(join(REPO_ROOT, "packages/pg-store/package.json")).devDependencies as Record<string, string>)[
      "@electric-sql/pglite"
    ];
    await mustRun("npm", ["init", "-y"], { cwd: project });
    await mustRun("npm", ["install", ...[...packed.values()].map((p) => p.file), `@electric-sql/pglite@${pglite}`], {
      cwd: project,
      timeoutMs: STEP_TIMEOUT_MS,
    });
    for (const fixture of ["consumer.mjs", "consumer.cjs", "exercise.cjs"]) {
      copyFileSync(join(import.meta.dirname, "fixtures", fixture), join(project, fixture));
    }
  }, 2 * STEP_TIMEOUT_MS);

  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it("packs every published package, with workspace:^ rewritten to the packed versions", () => {
    expect([...packed.keys()].sort()).toEqual(published.map((pkg) => pkg.name).sort());
    expect([...packed.keys()]).toEqual(expect.arrayContaining([...LIBRARIES, CLI]));
    for (const [name, { manifest }] of packed) {
      for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
        const deps = (manifest[field] ?? {}) as Record<string, string>;
        for (const [dep, range] of Object.entries(deps)) {
          expect(range, `${name} ${field} ${dep}`).not.toMatch(/^workspace:/);
          const target = packed.get(dep);
          if (target !== undefined) expect(range, `${name} ${field} ${dep}`).toBe(`^${String(target.manifest.version)}`);
        }
      }
    }
  });

  it("ships the built entry points, the README and the LICENSE, never the tests", () => {
    for (const [name, { entries }] of packed) {
      expect(entries, name).toEqual(expect.arrayContaining(["package/package.json", "package/README.md", "package/LICENSE"]));
      expect(entries.filter((entry) => /\.test\.ts$|^package\/test\//.test(entry)), name).toEqual([]);
    }
    for (const name of LIBRARIES) {
      expect(packed.get(name)?.entries, name).toEqual(
        expect.arrayContaining(["package/dist/index.js", "package/dist/index.cjs", "package/dist/index.d.ts", "package/dist/index.d.cts"]),
      );
    }
    expect(packed.get(CLI)?.entries).toContain("package/dist/bin.js");
  });

  it("publint (strict) and attw find no problem in the tarballs themselves", async () => {
    for (const [name, { file }] of packed) {
      const bytes = readFileSync(file);
      const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      const { messages, pkg } = await publint({ pack: { tarball }, strict: true, level: "suggestion" });
      expect(messages.map((message) => formatMessage(message, pkg) ?? message.code), name).toEqual([]);
    }
    // The CLI exports no types, so attw has nothing to resolve there; the libraries must be clean.
    const attw = join(REPO_ROOT, "node_modules", ".bin", "attw");
    for (const name of LIBRARIES) {
      await mustRun(attw, [String(packed.get(name)?.file), "--profile", "node16", "--format", "ascii"], { cwd: REPO_ROOT, timeoutMs: 120_000 });
    }
  }, STEP_TIMEOUT_MS);

  it("installs the tarballs as one tree: one copy of each package, every peer satisfied", async () => {
    // npm ls exits non-zero on a missing or invalid (peer) dependency anywhere in the tree.
    await mustRun("npm", ["ls", "--all"], { cwd: project });
    for (const [name, { manifest }] of packed) {
      expect(readJson(join(project, "node_modules", name, "package.json")).version, name).toBe(manifest.version);
      // A nested copy of core would give pg-store or the CLI a second, different core.
      expect(existsSync(join(project, "node_modules", name, "node_modules", "@pc-referrals")), `${name} nests a copy`).toBe(false);
    }
  }, 120_000);

  it("npx pc-referrals --help and --version run the installed bin", async () => {
    // npx runs the project's own bin when it is there; it would otherwise fetch a package by that name.
    expect(existsSync(join(project, "node_modules", ".bin", "pc-referrals"))).toBe(true);
    const help = await mustRun("npx", ["pc-referrals", "--help"], { cwd: project });
    for (const command of COMMANDS) {
      expect(help.stdout, `--help lists ${command}`).toMatch(new RegExp(`^\\s+${command}\\s`, "m"));
    }
    const version = await mustRun("npx", ["pc-referrals", "--version"], { cwd: project });
    expect(version.stdout.trim()).toContain(String(packed.get(CLI)?.manifest.version));
  }, 120_000);

  it("npx pc-referrals demo --no-serve signs in, syncs the fake's referrals into embedded PGlite and stops; a second demo is incremental", async () => {
    const demo = await mustRun("npx", ["pc-referrals", "demo", "--no-serve"], { cwd: project, timeoutMs: STEP_TIMEOUT_MS });
    expect(demo.stdout).toContain(DEMO_REFERRALS.toLocaleString("en-US"));
    expect(existsSync(join(project, DEMO_DATA_DIR))).toBe(true);

    // Read back by the installed CLI itself, pointed at the demo's database.
    const env = { ...userEnv(), PARTNER_CENTER_DATA_DIR: DEMO_DATA_DIR };
    const readJsonOutput = async (args: string[]): Promise<unknown> =>
      JSON.parse((await mustRun("npx", ["pc-referrals", ...args, "--json"], { cwd: project, env })).stdout);
    const first = (await readJsonOutput(["status"])) as DemoStatus;
    expect(first.lastRun).toMatchObject({ status: "succeeded", counts: { fetched: DEMO_REFERRALS, failed: 0 } });
    expect(first.referralCount).toBeGreaterThan(0);
    expect(first.referralCount).toBe(first.lastRun?.counts.ingested);

    await mustRun("npx", ["pc-referrals", "demo", "--no-serve"], { cwd: project, timeoutMs: STEP_TIMEOUT_MS });
    const second = (await readJsonOutput(["status"])) as DemoStatus;
    expect(second.lastRun?.runId).not.toBe(first.lastRun?.runId);
    expect(second.lastRun).toMatchObject({ status: "succeeded", counts: { ingested: 0, failed: 0 } });
    expect(second.referralCount).toBe(first.referralCount);
    expect(await readJsonOutput(["runs"])).toHaveLength(2);
  }, 2 * STEP_TIMEOUT_MS);

  for (const format of ["mjs", "cjs"] as const) {
    it(`imports core, pg-store and hono-adapter from a .${format} file and calls each`, async () => {
      const result = await mustRun(process.execPath, [`consumer.${format}`], { cwd: project, timeoutMs: 60_000 });
      const report = JSON.parse(result.stdout) as ConsumerReport;
      const entry = format === "mjs" ? "index.js" : "index.cjs";
      for (const name of LIBRARIES) {
        expect(report.resolved[name], name).toMatch(new RegExp(`/node_modules/${name}/dist/${entry.replace(".", "\\.")}$`));
      }
      expect(report.domain).toBe("contoso.com");
      expect(report.migrationCount).toBeGreaterThan(0);
      expect(report.migrations).toEqual(Array.from({ length: report.migrationCount }, () => "applied"));
      expect(report.statusCode).toBe(200);
      expect(report.status).toMatchObject({ referralCount: 0, enabled: true, running: null, lastRun: null });
    }, 120_000);
  }
});
