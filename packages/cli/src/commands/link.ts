// `link <referralId> <companyId>`, `unlink <referralId>`: manual links that later syncs keep.
import type { CommandContext } from "../command.js";
import { resolveConfig } from "../config.js";
import { openStore, withStore } from "../context.js";
import { CliError, EXIT, println } from "../output.js";
import { resolveTenant } from "../tenant.js";

async function setLink({ io, values }: CommandContext, referralId: string, companyId: string | null): Promise<number> {
  const tenant = resolveTenant(io, values);
  return withStore(openStore(resolveConfig(io)), async (store) => {
    const row = await store.forTenant(tenant).setManualLink({ referralId, companyId });
    if (row === null) throw new CliError(EXIT.config, `No referral "${referralId}" is stored.`, "See `pc-referrals inbox` for the ids.");
    println(io, companyId === null ? `Referral ${referralId} is unlinked (manual_unlinked).` : `Referral ${referralId} is linked to company ${companyId} (manual_linked).`);
    return EXIT.ok;
  });
}

export const link = (context: CommandContext): Promise<number> =>
  setLink(context, context.positionals[0] ?? "", context.positionals[1] ?? "");

export const unlink = (context: CommandContext): Promise<number> => setLink(context, context.positionals[0] ?? "", null);
