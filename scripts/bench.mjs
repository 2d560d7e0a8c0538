// `pnpm bench [options]`: builds the packages (the bench measures what users run), then the
// end-to-end bench (bench/run.ts) with the options, then core's micro-benches (not with --quick)
// and the webhook latency (a referral created in the fake until its row is stored, median of 20).
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const run = (command, commandArgs) => {
  const result = spawnSync(command, commandArgs, { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
if (!args.includes("--help")) run("pnpm", ["build"]);
run("pnpm", ["--filter", "./bench", "bench", ...args]);
if (!args.includes("--help")) run("pnpm", ["--filter", "@pc-referrals/hono-adapter", "bench"]);
if (!args.includes("--quick") && !args.includes("--help")) run("pnpm", ["--filter", "@pc-referrals/core", "bench"]);
