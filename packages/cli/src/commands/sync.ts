// `sync [--full] [--json] [--dry-run]`: one run.
import type { CommandContext } from "../command.js";
import { requireEnabled, resolveConfig } from "../config.js";
import { openStore, tokenProvider, withStore } from "../context.js";
import { requireLogin, runSyncOnce } from "../sync-run.js";

export async function run({ io, values }: CommandContext): Promise<number> {
  const config = resolveConfig(io);
  requireEnabled(config);
  return withStore(openStore(config), async (store) => {
    const tokens = tokenProvider(config, store);
    await requireLogin(tokens);
    const { exitCode } = await runSyncOnce(io, config, store, tokens, {
      full: values.full === true,
      dryRun: values["dry-run"] === true,
      json: values.json === true,
    });
    return exitCode;
  });
}
