// `status`, `runs`, `inbox`, `show`: what the store holds, as tables or JSON.
import { DEFAULT_TENANT, INBOX_SORTS, LINK_STATUSES, REFERRAL_TYPES } from "@pc-referrals/core";
import type { InboxQuery, InboxSort, LinkStatus, ReferralType, SyncRunRecord } from "@pc-referrals/core";
import type { CommandContext } from "../command.js";
import { resolveConfig } from "../config.js";
import { openStore, withStore } from "../context.js";
import { CliError, EXIT, printJson, println, terminalWidth } from "../output.js";
import { inboxTable } from "../summary.js";
import { resolveTenant } from "../tenant.js";
import { renderPairs, renderTable } from "../table.js";

const SCOPE = "default";

/** A whole number flag within bounds, or the configuration error naming the flag. */
export function wholeFlag(name: string, value: string | boolean | undefined, min: number, max: number): number | undefined {
  if (typeof value !== "string") return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new CliError(EXIT.config, `--${name} must be a whole number from ${min} to ${max}, not "${value}".`, `See \`pc-referrals help\`.`);
  }
  return Number(value);
}

/** A number of days (0 or more, up to 3 decimals), or the configuration error naming the flag. */
function daysFlag(name: string, value: string | boolean | undefined): number | undefined {
  if (typeof value !== "string") return undefined;
  if (!/^\d{1,4}(\.\d{1,3})?$/.test(value)) {
    throw new CliError(EXIT.config, `--${name} must be a number of days, 0 or more (e.g. 3 or 0.5), not "${value}".`, `See \`pc-referrals help inbox\`.`);
  }
  return Number(value);
}

function oneOf<T extends string>(name: string, value: string | boolean | undefined, allowed: readonly T[]): T | undefined {
  if (typeof value !== "string") return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CliError(EXIT.config, `--${name} must be one of ${allowed.join(", ")}, not "${value}".`, null);
  }
  return value as T;
}

const width = (context: CommandContext): number => terminalWidth(context.io.stdout);

const runsTable = (runs: readonly SyncRunRecord[], max: number): string =>
  runs.length === 0
    ? "No runs yet. Run `pc-referrals sync`."
    : renderTable(
        [
          { header: "run", cell: (r: SyncRunRecord) => r.runId },
          { header: "status", cell: (r) => r.status },
          { header: "trigger", cell: (r) => `${r.trigger}${r.full ? " (full)" : ""}` },
          { header: "started", cell: (r) => r.startedAt.replace("T", " ").slice(0, 19) },
          { header: "pages", cell: (r) => String(r.counts.pages), right: true },
          { header: "new", cell: (r) => String(r.counts.ingested), right: true },
          { header: "updated", cell: (r) => String(r.counts.updated), right: true },
          { header: "failed", cell: (r) => String(r.counts.failed), right: true },
        ],
        runs,
        max,
      );

export async function status(context: CommandContext): Promise<number> {
  const { io, values } = context;
  const config = resolveConfig(io);
  const tenant = resolveTenant(io, values);
  return withStore(openStore(config), async (store) => {
    const s = await store.forTenant(tenant).getSyncStatus(SCOPE);
    if (values.json === true) {
      printJson(io, { enabled: config.enabled, ...(tenant === DEFAULT_TENANT ? {} : { tenant }), ...s });
      return EXIT.ok;
    }
    const last = s.lastRun;
    println(
      io,
      renderPairs([
        ...(tenant === DEFAULT_TENANT ? [] : [["tenant", tenant] as const]),
        ["enabled", String(config.enabled)],
        ["store", config.databaseUrl !== null ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite in ${config.dataDir}`],
        ["referrals", String(s.referralCount)],
        ["running", s.running === null ? "no" : `yes (run ${s.running.owner}, lease until ${s.running.expiresAt})`],
        ["last run", last === null ? "never" : `${last.runId} ${last.status} at ${last.startedAt}`],
        ["last success", s.lastSucceededRun?.startedAt ?? "never"],
        ["mark", s.cursor?.updatedAt ?? "none (the next run is a full read)"],
        ["quarantined", String(s.quarantined.length)],
        ...s.warnings.map((w) => ["warning", `${w.code}: ${w.message}`] as const),
      ]),
    );
    return EXIT.ok;
  });
}

export async function runs(context: CommandContext): Promise<number> {
  const { io, values } = context;
  const limit = wholeFlag("limit", values.limit, 1, 1000) ?? 20;
  const tenant = resolveTenant(io, values);
  return withStore(openStore(resolveConfig(io)), async (store) => {
    const list = await store.forTenant(tenant).listRuns({ limit });
    if (values.json === true) printJson(io, list);
    else println(io, runsTable(list, width(context)));
    return EXIT.ok;
  });
}

export async function inbox(context: CommandContext): Promise<number> {
  const { io, values } = context;
  const query: InboxQuery = {};
  const type = oneOf<ReferralType>("type", values.type, REFERRAL_TYPES);
  const link = oneOf<LinkStatus>("link-status", values["link-status"], LINK_STATUSES);
  const page = wholeFlag("page", values.page, 1, 1_000_000);
  const pageSize = wholeFlag("page-size", values["page-size"], 1, 200);
  const expiring = daysFlag("expiring", values.expiring);
  // What expires soon is read most urgent first, unless --sort says otherwise.
  const sort = oneOf<InboxSort>("sort", values.sort, INBOX_SORTS) ?? (expiring === undefined ? undefined : "urgency");
  if (expiring !== undefined) query.expiresWithinDays = expiring;
  if (sort !== undefined) query.sort = sort;
  if (type !== undefined) query.referralType = type;
  if (link !== undefined) query.linkStatus = link;
  if (typeof values.status === "string") query.status = values.status;
  if (typeof values.search === "string") query.q = values.search;
  if (page !== undefined) query.page = page;
  if (pageSize !== undefined) query.pageSize = pageSize;
  const tenant = resolveTenant(io, values);
  return withStore(openStore(resolveConfig(io)), async (store) => {
    const result = await store.forTenant(tenant).queryInbox(query);
    if (values.json === true) printJson(io, result);
    else println(io, inboxTable(result, width(context)));
    return EXIT.ok;
  });
}

export async function show(context: CommandContext): Promise<number> {
  const { io, values, positionals } = context;
  const id = positionals[0] ?? "";
  const tenant = resolveTenant(io, values);
  return withStore(openStore(resolveConfig(io)), async (store) => {
    const referral = await store.forTenant(tenant).getReferral(id);
    if (referral === null) throw new CliError(EXIT.config, `No referral "${id}" is stored.`, "See `pc-referrals inbox` for the ids, or run `pc-referrals sync`.");
    if (values.json === true) {
      printJson(io, referral);
      return EXIT.ok;
    }
    const { payload: _payload, reasons, ...facts } = referral;
    println(io, renderPairs([...Object.entries(facts).map(([k, v]) => [k, v === null ? "—" : String(v)] as const), ["reasons", reasons.join("; ") || "—"]]));
    return EXIT.ok;
  });
}
