// Runs the README's quick start as a user would (see core's test/support/readme-snippet.ts): on
// embedded PGlite with DATABASE_URL unset, and with DATABASE_URL (always under CI) on PostgreSQL.
// Each run gets a fresh working folder, where PGlite's ./.pc-referrals/pgdata lands. The PostgreSQL
// run uses a scratch database on the same server, not the default schema `partner_center` of the
// given database: that schema may hold someone's real data, and runs in parallel would share it.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { firstTsBlock, runTsSnippet, snippetShape, type SnippetResult } from "../../core/test/support/readme-snippet.js";
import { BACKENDS, databaseUrl, type BackendName } from "./backends.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const readme = readFileSync(join(packageDir, "README.md"), "utf8");
const snippet = firstTsBlock(readme);

function envWithout(name: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env[name];
  return env;
}

/** Creates a database on the DATABASE_URL server, hands its URL to `use`, and drops it afterwards. */
async function withScratchDatabase(use: (url: string) => Promise<void>): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl() });
  await admin.connect();
  const name = `pcr_t_readme_${randomBytes(6).toString("hex")}`;
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    try {
      const url = new URL(databaseUrl());
      url.pathname = `/${name}`;
      await use(url.href);
    } finally {
      const [row] = (await admin.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v")).rows;
      // FORCE (PostgreSQL 13+) also ends a connection the finished snippet's server side still holds.
      await admin.query(`DROP DATABASE IF EXISTS "${name}"${(row?.v ?? 0) >= 130_000 ? " WITH (FORCE)" : ""}`);
    }
  } finally {
    await admin.end();
  }
}

async function countReferrals(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const [row] = (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM partner_center.referrals")).rows;
    return row?.n ?? 0;
  } finally {
    await client.end();
  }
}

async function runIn(cwd: string, env: NodeJS.ProcessEnv): Promise<SnippetResult> {
  return runTsSnippet(snippet ?? "", { packageDir, cwd, env, timeoutMs: 100_000 });
}

function expectDocumentedOutput({ code, stdout, stderr }: SnippetResult): void {
  expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
  // `succeeded` then the inbox page's items: an array of three rows.
  expect(stdout).toMatch(/^succeeded \[/);
  expect(stdout.match(/\breferralId: '/g)).toHaveLength(3);
  for (const key of ["referralType", "customerName", "domain", "linkStatus"]) expect(stdout).toContain(`${key}: `);
}

describe("README quick start", () => {
  it("is the first ts block, at most 10 lines, importing only the published entry points", () => {
    expect(snippet).not.toBeNull();
    const { lineCount, importSources } = snippetShape(snippet ?? "");
    expect(lineCount).toBeGreaterThan(3);
    expect(lineCount).toBeLessThanOrEqual(10);
    expect(importSources).toEqual(new Set(["@pc-referrals/core", "@pc-referrals/core/testing", "@pc-referrals/pg-store"]));
  });

  it.each(BACKENDS)(
    "runs as-is on %s and prints the run status and inbox rows",
    async (backend: BackendName) => {
      const cwd = await mkdtemp(join(tmpdir(), "pcr-readme-"));
      const pgdata = join(cwd, ".pc-referrals", "pgdata");
      try {
        if (backend === "pglite") {
          expectDocumentedOutput(await runIn(cwd, envWithout("DATABASE_URL")));
          expect(existsSync(pgdata)).toBe(true);
        } else {
          await withScratchDatabase(async (url) => {
            expectDocumentedOutput(await runIn(cwd, { ...process.env, DATABASE_URL: url }));
            expect(await countReferrals(url)).toBeGreaterThan(0);
          });
          expect(existsSync(pgdata)).toBe(false);
        }
      } finally {
        await rm(cwd, { recursive: true, force: true });
      }
    },
    120_000,
  );
});

describe("README Tenants section", () => {
  const section = readme.slice(readme.indexOf("## Tenants"));
  const tenantsSnippet = firstTsBlock(section);

  it("runs as-is on pglite: each tenant syncs the same referrals into its own rows, the default tenant sees none", async () => {
    expect(section.startsWith("## Tenants")).toBe(true);
    expect(tenantsSnippet).toContain('store.forTenant(tenant.id)');
    const cwd = await mkdtemp(join(tmpdir(), "pcr-readme-tenants-"));
    try {
      const { code, stdout, stderr } = await runTsSnippet(tenantsSnippet ?? "", { packageDir, cwd, env: envWithout("DATABASE_URL"), timeoutMs: 100_000 });
      expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout.trim().split("\n")).toEqual(["contoso succeeded 7", "fabrikam succeeded 7", "default 0"]);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }, 120_000);
});
