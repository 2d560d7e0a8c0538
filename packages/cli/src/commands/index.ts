// The command table: names, summaries, flags; each command's code loads only when it runs.
import type { CommandSpec } from "../command.js";

export const COMMANDS: readonly CommandSpec[] = [];
