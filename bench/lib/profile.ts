// CPU profiles: one in-process sample under the inspector's profiler (the warm sync), files from
// `node --cpu-prof` (the first run), and the top functions by self time of either.
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
/** The parts of a `.cpuprofile` (V8's Profiler.Profile) read here. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Where a function lives, shortened: a path inside the repository, or the package inside node_modules. */
function where(url: string, line: number): string {
  if (url === "") return "(native)";
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const inModules = path.lastIndexOf("node_modules/");
  const short = inModules >= 0 ? path.slice(inModules + "node_modules/".length).replace(/^\.pnpm\/[^/]+\/node_modules\//, "") : path.startsWith(root) ? relative(root, path) : path;
  return `${short}:${line + 1}`;
}

/** V8's pseudo-frames for "no JavaScript ran": waiting on I/O, or the engine's own bookkeeping. */
const NOT_WORK = new Set(["(idle)", "(program)"]);

/** Share of the profile spent idle (waiting on the database or the fake). */
export function idleShare(profile: CpuProfile): number {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  let idle = 0;
  let all = 0;
  (profile.samples ?? []).forEach((id, i) => {
    const ms = profile.timeDeltas?.[i + 1] ?? profile.timeDeltas?.[i] ?? 0;
    all += ms;
    if (byId.get(id)?.callFrame.functionName === "(idle)") idle += ms;
  });
  return all > 0 ? idle / all : 0;
}

/** The `count` functions with the most self time (samples × interval), largest first; idle time left out, shares of all time. */
export function topSelfTime(profile: CpuProfile, count = 10): SelfTime[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, SelfTime>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let all = 0;
  samples.forEach((id, i) => {
    const node = byId.get(id);
    const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    if (node === undefined) return;
    all += ms;
    const name = node.callFrame.functionName || "(anonymous)";
    const key = `${name}@${node.callFrame.url}:${node.callFrame.lineNumber}`;
    const entry = totals.get(key) ?? { name, where: where(node.callFrame.url, node.callFrame.lineNumber), selfMs: 0, share: 0 };
    entry.selfMs += ms;
    totals.set(key, entry);
  });
  return [...totals.values()]
    .filter((entry) => !(NOT_WORK.has(entry.name) && entry.where === "(native)"))
    .map((entry) => ({ ...entry, share: all > 0 ? entry.selfMs / all : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, count);
}

/** Runs `work` under the inspector's CPU profiler; writes the profile to `file` and returns it. */
export async function profiled<T>(file: string, work: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
    const outcome = await work().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const stopped = await session.post("Profiler.stop");
    if (!outcome.ok) throw outcome.error;
    const profile = stopped.profile as unknown as CpuProfile;
    await writeFile(file, JSON.stringify(profile));
    return { result: outcome.value, profile };
  } finally {
    session.disconnect();
  }
}

/** Markdown rows of a top list. */
export function selfTimeTable(rows: readonly SelfTime[]): string {
  const lines = ["| # | function | where | self ms | share |", "| ---: | --- | --- | ---: | ---: |"];
  rows.forEach((row, i) =>
    lines.push(`| ${i + 1} | \`${row.name}\` | \`${row.where}\` | ${row.selfMs.toFixed(1)} | ${(row.share * 100).toFixed(1)} % |`),
  );
  return lines.join("\n");
}
