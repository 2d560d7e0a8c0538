// `pnpm changeset version` on a throwaway copy: every published package of the fixed group gets
// the same new version and a CHANGELOG.md, as a release needs; the worktree is never touched.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyRepo, mustRun, readJson, workspacePackages, type WorkspacePackage } from "./_release.js";

function matchesFixedPattern(name: string, pattern: string): boolean {
  const source = pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("[^/]*");
  return new RegExp(`^${source}$`).test(name);
}

describe("release: pnpm changeset version", () => {
  let copy: string;
  let before: WorkspacePackage[];
  let pendingChangesets: string[];

  beforeAll(async () => {
    copy = mkdtempSync(join(tmpdir(), "pc-referrals-changeset-"));
    copyRepo(copy);
    before = workspacePackages(copy);
    pendingChangesets = readdirSync(join(copy, ".changeset")).filter((file) => file.endsWith(".md") && file !== "README.md");
    const inCopy = { cwd: copy, timeoutMs: 5 * 60_000 };
    await mustRun("pnpm", ["install", "--frozen-lockfile", "--prefer-offline"], inCopy);
    await mustRun("pnpm", ["changeset", "version"], inCopy);
    // Packed right after versioning (unbuilt: only the manifests matter here).
    mkdirSync(join(copy, "packs"));
    await mustRun("pnpm", ["-r", "--filter", "./packages/*", "pack", "--pack-destination", join(copy, "packs")], inCopy);
  }, 10 * 60_000);

  afterAll(() => {
    if (copy !== undefined) rmSync(copy, { recursive: true, force: true });
  });

  it("gives every published package the fixed group's one new version and a CHANGELOG.md entry", () => {
    const config = readJson(join(copy, ".changeset", "config.json")) as { fixed: string[][] };
    const published = before.filter((pkg) => !pkg.private);
    expect(published.map((pkg) => pkg.name)).toEqual(
      expect.arrayContaining(["@pc-referrals/core", "@pc-referrals/pg-store", "@pc-referrals/hono-adapter", "@pc-referrals/cli"]),
    );
    // One fixed group holds every published package, so they are always released together.
    const group = config.fixed.find((patterns) => published.some((pkg) => patterns.some((p) => matchesFixedPattern(pkg.name, p))));
    expect(group).toBeDefined();
    for (const pkg of published) {
      expect(group?.some((pattern) => matchesFixedPattern(pkg.name, pattern)), `${pkg.name} is in the fixed group`).toBe(true);
    }

    expect(pendingChangesets.length).toBeGreaterThan(0);
    const after = workspacePackages(copy);
    const versions = new Set(after.filter((pkg) => !pkg.private).map((pkg) => pkg.version));
    expect(versions.size).toBe(1);
    const [version] = [...versions];
    for (const pkg of published) {
      const now = after.find((candidate) => candidate.name === pkg.name);
      expect(now?.version, `${pkg.name} was bumped`).not.toBe(pkg.version);
      const changelog = join(pkg.dir, "CHANGELOG.md");
      expect(existsSync(changelog), `${relative(copy, changelog)} exists`).toBe(true);
      const text = readFileSync(changelog, "utf8");
      expect(text.startsWith(`# ${pkg.name}\n`)).toBe(true);
      expect(text).toContain(`\n## ${version}\n`);
    }
  });

  it("consumes every changeset and leaves private packages and workspace ranges alone", () => {
    const left = readdirSync(join(copy, ".changeset")).filter((file) => file.endsWith(".md") && file !== "README.md");
    expect(left).toEqual([]);
    for (const pkg of before.filter((candidate) => candidate.private)) {
      expect(readJson(join(pkg.dir, "package.json")).version).toBe(pkg.version);
      expect(existsSync(join(pkg.dir, "CHANGELOG.md"))).toBe(false);
    }
    // pnpm pack turns workspace:^ into the released version; changesets must not pin it earlier.
    for (const pkg of workspacePackages(copy)) {
      const manifest = readJson(join(pkg.dir, "package.json"));
      for (const field of ["dependencies", "devDependencies", "peerDependencies"]) {
        const deps = (manifest[field] ?? {}) as Record<string, string>;
        for (const [name, range] of Object.entries(deps)) {
          if (name.startsWith("@pc-referrals/")) expect(range, `${pkg.name} ${field} ${name}`).toMatch(/^workspace:/);
        }
      }
    }
  });

  it("packs the new versions with internal ranges on the new version, so the released packages install together", async () => {
    const versions = new Set(workspacePackages(copy).filter((pkg) => !pkg.private).map((pkg) => pkg.version));
    const [version] = [...versions];
    const tarballs = readdirSync(join(copy, "packs")).filter((file) => file.endsWith(".tgz"));
    expect(tarballs).toHaveLength(before.filter((pkg) => !pkg.private && pkg.dir.startsWith(join(copy, "packages"))).length);
    for (const file of tarballs) {
      const manifest = JSON.parse((await mustRun("tar", ["-xOzf", join(copy, "packs", file), "package/package.json"], { cwd: copy })).stdout) as {
        name: string;
        version: string;
        dependencies?: Record<string, string>;
      };
      expect(manifest.version, manifest.name).toBe(version);
      for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
        if (name.startsWith("@pc-referrals/")) expect(range, `${manifest.name} → ${name}`).toBe(`^${String(version)}`);
      }
    }
  }, 60_000);
});
