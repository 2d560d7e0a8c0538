// `tsx compare-first-run.ts <before bin.js> <after bin.js> [runs]`: first runs (2,000 referrals,
// 0 ms, PostgreSQL) of two builds of the CLI, interleaved so that both meet the same machine;
// prints wall and CPU time of each, and the paired difference. How item 5's cuts were measured:
// copy the packages' dist folders aside before a change, rebuild, then compare.
import { startFakeProcess } from "../packages/core/scripts/bench/fake-process.js";
import { openPostgres } from "./lib/databases.js";
import { prepareFirstRuns } from "./lib/first-run.js";
import { spread, type Spread } from "./lib/report.js";

const [before, after, runsArg] = process.argv.slice(2);
if (before === undefined || after === undefined) throw new Error("usage: compare-first-run.ts <before bin.js> <after bin.js> [runs]");
const runs = Number(runsArg ?? 8);
const fmt = (s: Spread) => `${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;

const fake = await startFakeProcess(2_000, 42, { latencyMs: 0 });
const db = await openPostgres();
const builds = [await prepareFirstRuns(fake, db, before), await prepareFirstRuns(fake, db, after)] as const;
const wall: [number[], number[]] = [[], []];
const cpu: [number[], number[]] = [[], []];
try {
  for (let i = 0; i < runs; i++) {
    for (const side of [0, 1] as const) {
      const sample = await builds[side].run();
      wall[side].push(sample.wallMs);
      cpu[side].push(sample.cpuMs);
    }
  }
  console.log(`wall ms: before ${fmt(spread(wall[0]))}, after ${fmt(spread(wall[1]))}`);
  console.log(`CPU ms:  before ${fmt(spread(cpu[0]))}, after ${fmt(spread(cpu[1]))}`);
  console.log(`paired after − before, CPU ms: ${fmt(spread(cpu[1].map((ms, i) => ms - (cpu[0][i] ?? 0))))}`);
} finally {
  for (const build of builds) await build.close();
  await db.close();
  await fake.stop();
}
