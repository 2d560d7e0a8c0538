// `migrate up|down [--steps]|status`: the store's schema migrations.
import type { CommandContext } from "../command.js";
import { resolveConfig } from "../config.js";
import { openStore, withStore } from "../context.js";
import { CliError, EXIT, printJson, println } from "../output.js";
import { renderTable } from "../table.js";
import { wholeFlag } from "./read.js";

export async function run({ io, values, positionals }: CommandContext): Promise<number> {
  const action = positionals[0] ?? "";
  if (!["up", "down", "status"].includes(action)) {
    throw new CliError(EXIT.config, `Unknown migrate action "${action}".`, "Use `pc-referrals migrate up`, `migrate down [--steps N]` or `migrate status`.");
  }
  const steps = wholeFlag("steps", values.steps, 1, 1000) ?? 1;
  return withStore(openStore(resolveConfig(io), { autoMigrate: false }), async (store) => {
    if (action === "status") {
      const entries = await store.status();
      if (values.json === true) printJson(io, entries);
      else println(io, renderTable([
        { header: "id", cell: (e: (typeof entries)[number]) => String(e.id), right: true },
        { header: "name", cell: (e) => e.name },
        { header: "state", cell: (e) => e.state },
        { header: "applied at", cell: (e) => e.appliedAt ?? "" },
      ], entries));
      return EXIT.ok;
    }
    const done = action === "up" ? await store.migrate() : await store.rollback(steps);
    const verb = action === "up" ? "Applied" : "Rolled back";
    println(io, done.length === 0 ? (action === "up" ? "Up to date: no pending migration." : "Nothing to roll back.") : done.map((m) => `${verb} ${m.id} ${m.name}`).join("\n"));
    return EXIT.ok;
  });
}
