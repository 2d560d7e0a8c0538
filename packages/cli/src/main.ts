// Entry of the CLI: one command table, node:util parseArgs, generated help, exit codes.
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { COMMANDS } from "./commands/index.js";
import { GLOBAL_OPTIONS } from "./command.js";
import type { CommandSpec, OptionSpec } from "./command.js";
import type { CliIo } from "./io.js";
import { CliError, EXIT, println, reportError } from "./output.js";

/** The CLI's version, from its package.json (one folder above both src/ and dist/). */
export const VERSION: string = (createRequire(import.meta.url)("../package.json") as { version: string }).version;

/** Runs one command line (without `node` and the script) and returns the exit code; never calls process.exit. */
export async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const verbose = argv.includes("--verbose");
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === "--help" || first === "-h") {
      println(io, mainHelp());
      return first === undefined ? EXIT.config : EXIT.ok;
    }
    if (first === "--version" || first === "-V") {
      println(io, VERSION);
      return EXIT.ok;
    }
    if (first === "help") {
      const topic = rest[0];
      if (topic === undefined) {
        println(io, mainHelp());
        return EXIT.ok;
      }
      println(io, commandHelp(findCommand(topic)));
      return EXIT.ok;
    }
    const command = findCommand(first);
    const options = { ...GLOBAL_OPTIONS, ...command.options };
    let parsed;
    try {
      parsed = parseArgs({
        args: [...rest],
        options: Object.fromEntries(
          Object.entries(options).map(([name, o]) => [name, o.short === undefined ? { type: o.type } : { type: o.type, short: o.short }]),
        ),
        allowPositionals: true,
        allowNegative: true,
        strict: true,
      });
    } catch (error) {
      throw new CliError(EXIT.config, (error as Error).message.split("\n")[0] ?? "Bad arguments.", `See \`pc-referrals help ${command.name}\`.`);
    }
    if (parsed.values.help === true) {
      println(io, commandHelp(command));
      return EXIT.ok;
    }
    const maxArgs = command.args?.length ?? 0;
    const minArgs = command.minArgs ?? maxArgs;
    if (parsed.positionals.length < minArgs || parsed.positionals.length > maxArgs) {
      throw new CliError(EXIT.config, `Usage: ${usage(command)}`, `See \`pc-referrals help ${command.name}\`.`);
    }
    const values: Record<string, string | boolean | undefined> = {};
    for (const [name, spec] of Object.entries(options)) {
      const value = (parsed.values as Record<string, string | boolean | undefined>)[name];
      values[name] = value ?? spec.default;
    }
    const { run } = await command.load();
    return await run({ io, values, positionals: parsed.positionals, verbose });
  } catch (error) {
    return reportError(io, error, verbose);
  }
}

function findCommand(name: string): CommandSpec {
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    throw new CliError(EXIT.config, `Unknown command "${name}".`, "Run `pc-referrals --help` for the list of commands.");
  }
  return command;
}

function usage(command: CommandSpec): string {
  const args = (command.args ?? []).join(" ");
  return `pc-referrals ${command.name}${args === "" ? "" : ` ${args}`} [options]`;
}

function optionLine(name: string, spec: OptionSpec): string {
  const flag = `${spec.short === undefined ? "    " : `-${spec.short}, `}--${name}${spec.value === undefined ? "" : ` ${spec.value}`}`;
  const fallback = spec.default === undefined || spec.default === false ? "" : ` (default ${String(spec.default)})`;
  return `  ${flag.padEnd(30)} ${spec.description}${fallback}`;
}

/** The help of one command: usage, summary, every flag. */
export function commandHelp(command: CommandSpec): string {
  const lines = [`Usage: ${usage(command)}`, "", command.summary, "", "Options:"];
  for (const [name, spec] of Object.entries({ ...command.options, ...GLOBAL_OPTIONS })) lines.push(optionLine(name, spec));
  return lines.join("\n");
}

/** The top-level help: every command with its summary. */
export function mainHelp(): string {
  const width = Math.max(0, ...COMMANDS.map((c) => c.name.length));
  return [
    `pc-referrals ${VERSION}: Microsoft Partner Center referrals into your own lead system.`,
    "",
    "Usage: pc-referrals <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `pc-referrals help <command>` for the flags of one command. `pc-referrals demo` tries everything without an account.",
    "Global flags: --help, --version, --verbose.",
  ].join("\n");
}
