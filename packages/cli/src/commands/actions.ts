// `accept`, `decline --reason`, `close --won|--lost [--reason]`, `set-ref`, `set-deal-value`: write-back
// to Partner Center through core's ReferralActions, which also stores the re-read referral.
import { PcReferralsError } from "@pc-referrals/core";
import type { ReferralActionResult, ReferralActions } from "@pc-referrals/core";
import type { CommandContext } from "../command.js";
import { requireEnabled, resolveConfig } from "../config.js";
import { createEngineAndActions, openStore, tokenProvider, withStore } from "../context.js";
import { CliError, EXIT, printJson, println } from "../output.js";
import { requireLogin } from "../sync-run.js";

/** The audit trail's actor of every CLI write: the command line, not a signed-in web user. */
const ACTOR = "cli";

const DONE: Readonly<Record<ReferralActionResult["action"], string>> = {
  accept: "accepted",
  decline: "declined",
  close: "closed",
  setExternalReference: "has its external reference set",
  setDealValue: "has its deal value set",
};

const state = (r: { status: string | null; substatus: string | null }): string =>
  `${r.status ?? "—"}${r.substatus !== null && r.substatus !== "None" ? ` · ${r.substatus}` : ""}`;

/** The error as JSON for `--json`, with the fields a script needs to decide what next. */
function errorJson(error: unknown): Record<string, unknown> {
  if (!PcReferralsError.is(error)) return { code: "internal", message: error instanceof Error ? error.message : String(error) };
  const extra = error as PcReferralsError & { allowed?: unknown; current?: unknown };
  return {
    ...error.toJSON(),
    ...(extra.allowed === undefined ? {} : { allowed: extra.allowed }),
    ...(extra.current === undefined ? {} : { current: extra.current }),
  };
}

async function perform(
  { io, values }: CommandContext,
  referralId: string,
  action: (actions: ReferralActions) => Promise<ReferralActionResult>,
): Promise<number> {
  const config = resolveConfig(io);
  requireEnabled(config);
  const json = values.json === true;
  return withStore(openStore(config), async (store) => {
    const tokens = tokenProvider(config, store);
    await requireLogin(tokens);
    let result: ReferralActionResult;
    try {
      result = await action(createEngineAndActions(config, store, tokens).actions);
    } catch (error) {
      if (json) printJson(io, { error: errorJson(error) });
      throw withFix(error, referralId);
    }
    if (json) printJson(io, result);
    else {
      const request = result.requestId === null ? "" : ` (Partner Center request ${result.requestId})`;
      println(io, `Referral ${referralId} ${DONE[result.action]}: now ${state(result)}${request}.`);
    }
    return EXIT.ok;
  });
}

/** Core's write-back errors with the command to run next (the exit code comes from output.ts). */
function withFix(error: unknown, referralId: string): unknown {
  if (PcReferralsError.hasCode(error, "not_found")) {
    return new CliError(EXIT.config, `No referral "${referralId}" is stored.`, "See `pc-referrals inbox` for the ids, or run `pc-referrals sync`.", { cause: error });
  }
  return error;
}

function text(name: string, value: string | boolean | undefined): string {
  const trimmed = typeof value === "string" ? value.trim() : "";
  if (trimmed === "") throw new CliError(EXIT.config, `--${name} needs a text.`, `e.g. --${name} "Not a fit for our offering"`);
  return trimmed;
}

export const accept = (context: CommandContext): Promise<number> => {
  const id = context.positionals[0] ?? "";
  return perform(context, id, (a) => a.accept(id, { actor: ACTOR }));
};

export const decline = (context: CommandContext): Promise<number> => {
  const id = context.positionals[0] ?? "";
  const reason = text("reason", context.values.reason);
  return perform(context, id, (a) => a.decline(id, { reason }, { actor: ACTOR }));
};

export const close = (context: CommandContext): Promise<number> => {
  const id = context.positionals[0] ?? "";
  const { won, lost } = context.values;
  if ((won === true) === (lost === true)) throw new CliError(EXIT.config, "Pass exactly one of --won and --lost.", "e.g. `pc-referrals close <referralId> --won`.");
  const outcome = won === true ? "won" : "lost";
  const reason = context.values.reason === undefined ? undefined : text("reason", context.values.reason);
  return perform(context, id, (a) => a.close(id, reason === undefined ? { outcome } : { outcome, reason }, { actor: ACTOR }));
};

export const setRef = (context: CommandContext): Promise<number> => {
  const id = context.positionals[0] ?? "";
  const value = (context.positionals[1] ?? "").trim();
  if (value === "") throw new CliError(EXIT.config, "The external reference is empty.", "Pass your own lead or opportunity id, e.g. `pc-referrals set-ref <referralId> CRM-1042`.");
  return perform(context, id, (a) => a.setExternalReference(id, value, { actor: ACTOR }));
};

export const setDealValue = (context: CommandContext): Promise<number> => {
  const id = context.positionals[0] ?? "";
  const raw = context.positionals[1] ?? "";
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new CliError(EXIT.config, `The deal value must be a number of 0 or more, not "${raw}".`, "e.g. `pc-referrals set-deal-value <referralId> 25000 USD`.");
  }
  const currency = (context.positionals[2] ?? "").toUpperCase();
  return perform(context, id, (a) => a.setDealValue(id, { value, currency }, { actor: ACTOR }));
};
