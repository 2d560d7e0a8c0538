// `tenants add|list|remove|login`: the partner tenants the workers sync, kept in the store's registry.
import type { TenantInput, TenantRecord } from "@pc-referrals/core";
import type { CommandContext } from "../command.js";
import { resolveConfig } from "../config.js";
import { openStore, tokenProvider, withStore } from "../context.js";
import { CliError, EXIT, printJson, println, terminalWidth } from "../output.js";
import { renderTable } from "../table.js";
import { requireTenant, tenantLogin } from "../tenant.js";
import { deviceCodeLogin, tokenCacheWhere } from "./auth.js";
import { wholeFlag } from "./read.js";

const ACTIONS = ["add", "list", "remove", "login"] as const;
type Action = (typeof ACTIONS)[number];

/** Longest schedule interval `--interval` takes: one week. */
const MAX_INTERVAL_SECONDS = 7 * 24 * 3600;

const tenantsTable = (tenants: readonly TenantRecord[], max: number): string =>
  tenants.length === 0
    ? "No tenants yet. Add one with `pc-referrals tenants add <id>`."
    : renderTable(
        [
          { header: "tenant", cell: (t: TenantRecord) => t.id },
          { header: "name", cell: (t) => t.displayName ?? "—" },
          { header: "enabled", cell: (t) => (t.enabled ? "yes" : "no") },
          { header: "every", cell: (t) => `${Math.round(t.intervalMs / 1000)} s`, right: true },
          { header: "entra tenant", cell: (t) => t.entraTenantId ?? "(configured)" },
          { header: "login", cell: (t) => (t.loginRequired === null ? "ok" : `required since ${t.loginRequired.since.slice(0, 19).replace("T", " ")}`) },
        ],
        tenants,
        max,
      );

function tenantInput(id: string, values: CommandContext["values"]): TenantInput {
  const input: TenantInput = { id, enabled: values.disabled !== true };
  if (typeof values.name === "string") input.displayName = values.name.trim() === "" ? null : values.name;
  if (typeof values["entra-tenant"] === "string") input.entraTenantId = values["entra-tenant"].trim() === "" ? null : values["entra-tenant"].trim();
  const interval = wholeFlag("interval", values.interval, 1, MAX_INTERVAL_SECONDS);
  if (interval !== undefined) input.intervalMs = interval * 1000;
  return input;
}

export async function run(context: CommandContext): Promise<number> {
  const { io, values, positionals } = context;
  const action = positionals[0] as Action;
  if (!ACTIONS.includes(action)) {
    throw new CliError(EXIT.config, `Unknown tenants action "${String(positionals[0])}".`, `Use one of: ${ACTIONS.join(", ")}.`);
  }
  if (action === "list") {
    if (positionals.length > 1) throw new CliError(EXIT.config, "Usage: pc-referrals tenants list [--json]", null);
    return withStore(openStore(resolveConfig(io)), async (store) => {
      const tenants = await store.tenants.list();
      if (values.json === true) printJson(io, tenants);
      else println(io, tenantsTable(tenants, terminalWidth(io.stdout)));
      return EXIT.ok;
    });
  }
  const raw = positionals[1];
  if (raw === undefined) throw new CliError(EXIT.config, `Usage: pc-referrals tenants ${action} <id>`, "See `pc-referrals help tenants`.");
  const id = requireTenant(raw);
  const config = resolveConfig(io, { tokenStore: values["token-store"] as string | undefined });
  return withStore(openStore(config), async (store) => {
    const registry = store.tenants;
    if (action === "add") {
      const existed = (await registry.get(id)) !== null;
      const record = await registry.put(tenantInput(id, values));
      if (values.json === true) printJson(io, record);
      else println(io, `${existed ? "Updated" : "Added"} tenant ${id}${record.enabled ? "" : " (disabled)"}. Sign it in with \`pc-referrals tenants login ${id}\`.`);
      return EXIT.ok;
    }
    if (action === "remove") {
      if (!(await registry.remove(id))) throw new CliError(EXIT.config, `No tenant "${id}" is registered.`, "See `pc-referrals tenants list`.");
      println(io, `Removed tenant ${id} from the registry: it is no longer scheduled. Its stored referrals stay (\`pc-referrals inbox --tenant ${id}\`).`);
      return EXIT.ok;
    }
    if ((await registry.get(id)) === null) throw new CliError(EXIT.config, `No tenant "${id}" is registered.`, `Add it first: \`pc-referrals tenants add ${id}\`.`);
    const provider = tokenProvider(config, store, { tenant: await tenantLogin(store, id) });
    const username = await deviceCodeLogin(io, provider);
    await registry.clearLoginRequired(id);
    println(io, `Signed in${username === null ? "" : ` as ${username}`} for tenant ${id}. Tokens are cached in ${tokenCacheWhere(config, id)}.`);
    return EXIT.ok;
  });
}
