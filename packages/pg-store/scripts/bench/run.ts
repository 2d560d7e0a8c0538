// `pnpm bench` in packages/pg-store: the end-to-end sync on PostgreSQL (when reachable) and on
// PGlite, each count in its own process. A backend that cannot run is skipped with a note, exit 0.
import { fileURLToPath } from "node:url";
import pg from "pg";
import { runBenches, type BenchJob } from "../../../core/scripts/bench/kit.js";
import { benchDatabaseUrl } from "./database-url.js";

const COUNTS = ["2000", "10000"];
const sync = fileURLToPath(new URL("./sync.ts", import.meta.url));
const notes: string[] = [];

// Importing the package source also catches a pg-store that is mid-edit and does not load.
async function storeAvailable(): Promise<boolean> {
  try {
    const module: Record<string, unknown> = await import("../../src/index.js");
    if (typeof module.createPgStore === "function") return true;
    notes.push("pg-store benches skipped: src/index.ts does not export createPgStore yet.");
  } catch (error) {
    notes.push(`pg-store benches skipped: src/index.ts does not load (${error instanceof Error ? error.message : String(error)}).`);
  }
  return false;
}

async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch (error) {
    notes.push(`PostgreSQL bench skipped: ${url.replace(/\/\/[^@/]*@/, "//…@")} unreachable (${error instanceof Error ? error.message : String(error)}).`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const jobs: BenchJob[] = [];
if (await storeAvailable()) {
  if (await postgresReachable(benchDatabaseUrl())) {
    jobs.push(...COUNTS.map((count) => ({ file: sync, args: ["pg", count] })));
  }
  jobs.push(...COUNTS.map((count) => ({ file: sync, args: ["pglite", count] })));
}
await runBenches("pg-store", jobs, notes);
