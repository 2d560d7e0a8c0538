// `fake-partner-center [--referrals file.json | --generate N] [--port] [--latency ms]`.
import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { generateReferrals } from "@pc-referrals/core/fakes";
import type { CommandContext } from "../command.js";
import { fakeEnv, startStandaloneFake } from "../fake-server.js";
import { CliError, EXIT, println } from "../output.js";
import { wholeFlag } from "./read.js";
import { untilInterrupted } from "../io.js";

async function readReferrals(path: string): Promise<unknown[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new CliError(EXIT.config, `Cannot read referrals from ${path}: ${(error as Error).message}`, "Pass a JSON file holding an array of referrals (or { value: [...] }).");
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { value?: unknown } | null)?.value;
  if (!Array.isArray(list)) throw new CliError(EXIT.config, `${path} holds no array of referrals.`, "Use an array, or a listing page { value: [...] }.");
  return list;
}

export async function run({ io, values }: CommandContext): Promise<number> {
  if (typeof values.referrals === "string" && typeof values.generate === "string") {
    throw new CliError(EXIT.config, "--referrals and --generate exclude each other.", "Pass one of them.");
  }
  const port = wholeFlag("port", values.port, 0, 65_535);
  const latencyMs = wholeFlag("latency", values.latency, 0, 60_000);
  const referrals =
    typeof values.referrals === "string"
      ? await readReferrals(isAbsolute(values.referrals) ? values.referrals : join(io.cwd, values.referrals))
      : generateReferrals(wholeFlag("generate", values.generate, 0, 100_000) ?? 200);
  const fake = await startStandaloneFake({
    referrals,
    ...(port === undefined ? {} : { port }),
    ...(latencyMs === undefined ? {} : { latencyMs }),
  });
  println(io, `# Fake Partner Center with ${referrals.length} referrals at ${fake.url}; device codes are approved by themselves.`);
  println(io, "# Point the CLI at it (then `pc-referrals login` and `pc-referrals sync`):");
  for (const [name, value] of Object.entries(fakeEnv(fake))) println(io, `export ${name}=${value}`);
  println(io, "# Ctrl-C stops it.");
  await untilInterrupted(io);
  await fake.stop();
  return EXIT.interrupted;
}
