// firstRunWallMs: the CLI's `sync --full` in a fresh process per sample (module load, zod schemas,
// pool warm-up, migration check, token from the cache file), timed from spawn to exit, the way a
// cron job or a user runs it. The child's peak RSS is peakRssMb.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPgStore } from "@pc-referrals/pg-store";
import type { FakeProcess } from "../../packages/core/scripts/bench/fake-process.js";
import { databaseUrl, type BenchDatabase } from "./databases.js";

const CLI_BIN = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url));
const PROBE = new URL("./process-probe.mjs", import.meta.url).href;

export interface FirstRunSample {
  wallMs: number;
  peakRssMb: number;
  /** User + system CPU time of the child: steadier than wall time on a busy machine. */
  cpuMs: number;
  /** The `.cpuprofile` written when profiling. */
  profile: string | null;
}

interface Child {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

function runNode(args: readonly string[], env: Record<string, string>, cwd: string): Promise<Child> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr, wallMs: performance.now() - started }));
  });
}

/** Signs the CLI in against `fake` once (device code, approved by the fake); samples then reuse the token cache. */
export async function prepareFirstRuns(fake: FakeProcess, db: BenchDatabase, cliBin = CLI_BIN) {
  if (!existsSync(cliBin)) throw new Error(`${cliBin} is missing: run \`pnpm build\` first (the root \`pnpm bench\` does).`);
  const home = await mkdtemp(join(tmpdir(), "pcr-bench-cli-"));
  // Only what the CLI needs: nothing of the bench's own environment leaks into the child.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    NO_COLOR: "1",
    PARTNER_CENTER_ENABLED: "true",
    PARTNER_CENTER_CLIENT_ID: fake.clientId,
    PARTNER_CENTER_TENANT_ID: fake.tenantId,
    PARTNER_CENTER_API_URL: fake.url,
    PARTNER_CENTER_FAKE_LOGIN_URL: fake.url,
    PARTNER_CENTER_TOKEN_CACHE_PATH: join(home, "token-cache.json"),
  };
  const login = await runNode([cliBin, "login"], env, home);
  if (login.code !== 0) throw new Error(`pc-referrals login failed (${login.code}): ${login.stderr || login.stdout}`);
  let sample = 0;

  return {
    /** One `sync --full --json` of the whole listing into an empty, migrated store, in a new process. */
    async run(options: { profileDir?: string } = {}): Promise<FirstRunSample> {
      sample += 1;
      const storeEnv: Record<string, string> = {};
      let cleanup: () => Promise<void>;
      if (db.kind === "postgres") {
        const schema = "pcr_bench_first_run";
        await (await db.freshStore(schema)).close();
        Object.assign(storeEnv, { DATABASE_URL: databaseUrl(), PARTNER_CENTER_DB_SCHEMA: schema });
        cleanup = () => db.dropSchema(schema);
      } else {
        const dataDir = join(home, `pgdata-${sample}`);
        const store = createPgStore({ dataDir });
        await store.migrate();
        await store.close();
        storeEnv.PARTNER_CENTER_DATA_DIR = dataDir;
        cleanup = () => rm(dataDir, { recursive: true, force: true });
      }
      const probeFile = join(home, `probe-${sample}.json`);
      const profiling = options.profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=first-run-${db.kind}-${sample}.cpuprofile`];
      try {
        const child = await runNode(
          [...profiling, "--import", PROBE, cliBin, "sync", "--full", "--json"],
          { ...env, ...storeEnv, PCR_BENCH_PROBE_FILE: probeFile },
          home,
        );
        const report = child.code === 0 ? (JSON.parse(child.stdout) as { status?: string }) : null;
        if (report?.status !== "succeeded") throw new Error(`first-run sync failed (exit ${child.code}): ${child.stderr || child.stdout.slice(0, 500)}`);
        const probe = JSON.parse(await readFile(probeFile, "utf8")) as { maxRssKb: number; cpuMs: number };
        return {
          wallMs: child.wallMs,
          peakRssMb: probe.maxRssKb / 1024,
          cpuMs: probe.cpuMs,
          profile: options.profileDir === undefined ? null : join(options.profileDir, `first-run-${db.kind}-${sample}.cpuprofile`),
        };
      } finally {
        await cleanup();
      }
    },
    close: () => rm(home, { recursive: true, force: true }),
  };
}
