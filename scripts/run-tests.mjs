// Runs every vitest project once and prints the plain `N passed, N failed` line CI reads.
// Under CI=true the PostgreSQL suites are mandatory, so DATABASE_URL defaults to the machine's server.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";

if (process.env.CI === "true" && !process.env.DATABASE_URL) {
  process.env.DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";
}
mkdirSync(".vitest", { recursive: true });
const report = ".vitest/report.json";
const result = spawnSync(
  "pnpm",
  ["exec", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile=${report}`, ...process.argv.slice(2)],
  { stdio: "inherit", env: process.env },
);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
} else {
  console.log("0 passed, 1 failed");
}
process.exit(result.status ?? 1);
