// Preloaded (`--import`) into each first-run child: on exit, writes the process's peak RSS (kB,
// as the kernel counts it) to PCR_BENCH_RSS_FILE, so the figure is that of a fresh process.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  const file = process.env.PCR_BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
