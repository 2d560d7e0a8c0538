// The `pc-referrals` executable: real process streams, env and signals around runCommand.
import { runCommand } from "./main.js";
import { processIo } from "./io.js";

process.exitCode = await runCommand(process.argv.slice(2), processIo());
