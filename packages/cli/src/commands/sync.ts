// `sync [--full] [--json] [--dry-run] [--tenant <id>]`: one run.
import type { CommandContext } from "../command.js";
import { requireEnabled, resolveConfig } from "../config.js";
import { openStore, tokenProvider, withStore } from "../context.js";
import { requireLogin, runSyncOnce } from "../sync-run.js";
import { resolveTenant, tenantLogin } from "../tenant.js";

export async function run({ io, values }: CommandContext): Promise<number> {
  const config = resolveConfig(io);
  requireEnabled(config);
  const tenant = resolveTenant(io, values);
  return withStore(openStore(config), async (store) => {
    const login = await tenantLogin(store, tenant);
    const tokens = tokenProvider(config, store, { tenant: login });
    await requireLogin(tokens, tenant);
    const { exitCode } = await runSyncOnce(io, config, store.forTenant(tenant), tokens, {
      full: values.full === true,
      dryRun: values["dry-run"] === true,
      json: values.json === true,
    });
    return exitCode;
  });
}
