// Preloaded (`--import`) into each first-run child: on exit, writes the process's peak RSS (kB,
// as the kernel counts it) and its CPU time (ms, user + system) to PCR_BENCH_PROBE_FILE as JSON,
// so the figures are those of a fresh process.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  const file = process.env.PCR_BENCH_PROBE_FILE;
  if (!file) return;
  const usage = process.resourceUsage();
  writeFileSync(file, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
});
