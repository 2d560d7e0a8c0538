// The shape of one command in the table: its flags, its help and a lazily loaded run().
import type { CliIo } from "./io.js";

/** One flag of a command. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** Placeholder in the help, e.g. `<seconds>`. */
  value?: string;
  description: string;
  default?: string | boolean;
}

/** What a command's run() receives. */
export interface CommandContext {
  io: CliIo;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  verbose: boolean;
}

export type CommandRun = (context: CommandContext) => Promise<number>;

/** One row of the command table. */
export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional arguments as shown in the usage line, e.g. `<referralId>`. */
  args?: readonly string[];
  /** How many positionals are allowed at least / at most. */
  minArgs?: number;
  options: Record<string, OptionSpec>;
  load(): Promise<{ run: CommandRun }>;
}

/** Flags every command accepts. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  help: { type: "boolean", short: "h", description: "Show help" },
  verbose: { type: "boolean", description: "Show stack traces and debug logs" },
};
