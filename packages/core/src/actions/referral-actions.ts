// createReferralActions: write-back to Partner Center (docs/architecture.md "Write-back"). Each action
// is checked against the STORED referral first, sent once as a JSON Patch with If-Match, audited,
// then the referral is re-read through engine.syncReferral so the inbox shows the new state at once.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { JsonPatchOperation, PartnerCenterClient } from "../client/types.js";
import {
  ConfigError,
  InvalidInputError,
  InvalidTransitionError,
  NotFoundError,
  PartnerCenterHttpError,
  PcReferralsError,
  ReferralConflictError,
  type ReferralActionName,
} from "../errors.js";
import { createMaskingLogger, silentLogger, type Logger } from "../logger.js";
import type { Referral } from "../referral.js";
import { normalizeCompanyExternalId } from "../store/referral-actions.js";
import type { ReferralActionRecord, Store, StoredReferral } from "../store/store.js";
import { engineEmitterOf } from "../sync/engine-emitters.js";
import { toStoreError } from "../sync/guarded-store.js";
import { createSyncEngine, type SyncEngine } from "../sync/engine.js";
import { summarizeError } from "../sync/report.js";
import type { SyncReferralResult } from "../sync/sync-referral.js";
import { parseOptions } from "../_options.js";
import { allowedReferralActions } from "./transitions.js";

/** Who asked for an action; the hono routes pass the `authorize` hook's `{ actor }`. */
export interface ActionContext {
  actor?: string | null;
}

/** What an action that Partner Center took did. */
export interface ReferralActionResult {
  referralId: string;
  action: ReferralActionName;
  /** The referral's lifecycle and eTag as Partner Center answered the PATCH. */
  status: string | null;
  substatus: string | null;
  eTag: string | null;
  /** Partner Center's `request-id` of the PATCH (for Microsoft support), when it answered one. */
  requestId: string | null;
  /** Id of the audit record (`store.listReferralActions`). */
  auditId: string;
  /** The re-read that stored the new state; null when it failed (logged; the next sync brings it). */
  sync: SyncReferralResult | null;
}

/** Write-back actions on referrals. Every call is audited, whatever its outcome. */
export interface ReferralActions {
  /** New → Active/Accepted. */
  accept(id: string, context?: ActionContext): Promise<ReferralActionResult>;
  /** New → Closed/Declined with `reason` as `statusReason`. */
  decline(id: string, input: { reason: string }, context?: ActionContext): Promise<ReferralActionResult>;
  /** Active → Closed/Won or Closed/Lost (`reason`, if given, as `statusReason`). */
  close(id: string, input: { outcome: "won" | "lost"; reason?: string }, context?: ActionContext): Promise<ReferralActionResult>;
  /** Writes the host's own CRM id as `externalReferenceId` (New or Active). */
  setExternalReference(id: string, value: string, context?: ActionContext): Promise<ReferralActionResult>;
  /** Writes `details.dealValue` and `details.currency` (ISO 4217, e.g. `EUR`) (New or Active). */
  setDealValue(id: string, input: { value: number; currency: string }, context?: ActionContext): Promise<ReferralActionResult>;
}

/** Options of {@link createReferralActions}. */
export interface ReferralActionsOptions {
  /** `createPartnerCenterClient()`: the PATCH and the re-read (`listReferrals` only when no `engine` is given). */
  client: Pick<PartnerCenterClient, "getReferral" | "updateReferral"> & Partial<Pick<PartnerCenterClient, "listReferrals">>;
  store: Store;
  /**
   * The host's engine: the re-read runs through it (its rules, matchLead, scanner) and
   * `referral.action` fires on it. Without one, an engine of the defaults is made (its events reach nobody).
   */
  engine?: SyncEngine;
  /** pino-compatible; contact data is masked first. */
  logger?: Logger;
  /** Clock in epoch ms (the audit's `at`). Default `Date.now`. */
  now?: () => number;
}

const hasMethods = (...methods: string[]) => (v: unknown) =>
  typeof v === "object" && v !== null && methods.every((m) => typeof (v as Record<string, unknown>)[m] === "function");

const optionsSchema = z.strictObject({
  client: z.custom<ReferralActionsOptions["client"]>(hasMethods("getReferral", "updateReferral"), {
    message: "expected a Partner Center client (createPartnerCenterClient) with getReferral and updateReferral",
  }),
  store: z.custom<Store>(hasMethods("getReferral", "recordReferralAction", "applyBatch"), {
    message: "expected a Store with getReferral and recordReferralAction (the audit trail)",
  }),
  engine: z.custom<SyncEngine>(hasMethods("syncReferral", "on"), { message: "expected an engine of createSyncEngine" }).optional(),
  logger: z.custom<Logger>(hasMethods("debug", "info", "warn", "error"), { message: "expected a pino-compatible logger" }).optional(),
  now: z.custom<() => number>((v) => typeof v === "function", { message: "expected a function returning epoch ms" }).optional(),
});

const TEXT_MAX = 1000;

function checkId(id: unknown): string {
  if (typeof id !== "string" || id.trim() === "" || id.length > 200 || /[\u0000-\u001f/\\]/.test(id)) {
    throw new InvalidInputError("A referral id must be a non-empty string without slashes or control characters.");
  }
  return id.trim();
}

function checkActor(context: unknown): string | null {
  if (context === undefined || context === null) return null;
  if (typeof context !== "object") throw new InvalidInputError("The action context must be an object { actor }.");
  const actor = (context as ActionContext).actor;
  if (actor === undefined || actor === null) return null;
  if (typeof actor !== "string" || actor.length > 200) throw new InvalidInputError("context.actor must be a string of at most 200 characters, or null.");
  return actor;
}

function checkText(value: unknown, name: string): string {
  if (typeof value !== "string" || value.trim() === "" || value.length > TEXT_MAX) {
    throw new InvalidInputError(`${name} must be a non-empty string of at most ${TEXT_MAX} characters.`);
  }
  return value.trim();
}

function inputObject(input: unknown, what: string): Record<string, unknown> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new InvalidInputError(`${what} needs an input object.`);
  return input as Record<string, unknown>;
}

/** `replace` when the stored payload has the member, else `add` (RFC 6902: replace needs it to exist). */
function setOp(payload: Record<string, unknown>, path: string, value: unknown): JsonPatchOperation {
  const tokens = path.slice(1).split("/");
  let node: unknown = payload;
  for (const token of tokens) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, token)) return { op: "add", path, value };
    node = (node as Record<string, unknown>)[token];
  }
  return { op: "replace", path, value };
}

/** What one action sends: its audit input and the patch, built from the stored payload. */
interface ActionPlan {
  action: ReferralActionName;
  input: Record<string, unknown>;
  operations(payload: Record<string, unknown>): JsonPatchOperation[];
}

function planAccept(): ActionPlan {
  return {
    action: "accept",
    input: {},
    operations: (p) => [setOp(p, "/status", "Active"), setOp(p, "/substatus", "Accepted")],
  };
}

function planDecline(input: unknown): ActionPlan {
  const reason = checkText(inputObject(input, "decline").reason, "reason");
  return {
    action: "decline",
    input: { reason },
    operations: (p) => [setOp(p, "/status", "Closed"), setOp(p, "/substatus", "Declined"), setOp(p, "/statusReason", reason)],
  };
}

function planClose(input: unknown): ActionPlan {
  const raw = inputObject(input, "close");
  if (raw.outcome !== "won" && raw.outcome !== "lost") throw new InvalidInputError('outcome must be "won" or "lost".');
  const outcome = raw.outcome;
  const reason = raw.reason === undefined ? undefined : checkText(raw.reason, "reason");
  return {
    action: "close",
    input: reason === undefined ? { outcome } : { outcome, reason },
    operations: (p) => [
      setOp(p, "/status", "Closed"),
      setOp(p, "/substatus", outcome === "won" ? "Won" : "Lost"),
      ...(reason === undefined ? [] : [setOp(p, "/statusReason", reason)]),
    ],
  };
}

function planExternalReference(value: unknown): ActionPlan {
  let checked: string | null;
  try {
    checked = normalizeCompanyExternalId(value);
  } catch {
    checked = null;
  }
  if (checked === null) throw new InvalidInputError("The external reference must be a non-empty string of at most 200 characters without control characters.");
  const reference = checked;
  return {
    action: "setExternalReference",
    input: { value: reference },
    operations: (p) => [setOp(p, "/externalReferenceId", reference)],
  };
}

function planDealValue(input: unknown): ActionPlan {
  const raw = inputObject(input, "setDealValue");
  if (typeof raw.value !== "number" || !Number.isFinite(raw.value) || raw.value < 0) {
    throw new InvalidInputError("value must be a finite number, 0 or more.");
  }
  if (typeof raw.currency !== "string" || !/^[A-Za-z]{3}$/.test(raw.currency)) {
    throw new InvalidInputError('currency must be an ISO 4217 code of three letters, e.g. "EUR".');
  }
  const value = raw.value;
  const currency = raw.currency.toUpperCase();
  return {
    action: "setDealValue",
    input: { value, currency },
    operations: (p) => {
      const details = p.details;
      if (typeof details !== "object" || details === null || Array.isArray(details)) {
        return [{ op: "add", path: "/details", value: { dealValue: value, currency } }];
      }
      return [setOp(p, "/details/dealValue", value), setOp(p, "/details/currency", currency)];
    },
  };
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

/**
 * Creates the write-back actions. Each one: checks the input (`invalid_input`) and the transition
 * against the stored referral (`not_found` when not stored, `invalid_transition` naming the allowed
 * moves), sends one JSON Patch with `If-Match: <stored eTag>`, and on success re-reads the referral
 * through `engine.syncReferral` (events, inbox). A 412 re-reads it too and throws
 * `ReferralConflictError` with the current remote state; a PATCH that may have landed is never sent
 * again (`write_unconfirmed`). Every attempt is kept by `store.recordReferralAction`.
 *
 * ```ts
 * const actions = createReferralActions({ client, store, engine });
 * await actions.accept(referralId, { actor: "jana@example.com" });
 * ```
 */
export function createReferralActions(options: ReferralActionsOptions): ReferralActions {
  parseOptions(optionsSchema, options, "createReferralActions");
  const { client } = options;
  const store = guardActionStore(options.store);
  const now = options.now ?? Date.now;
  const logger = createMaskingLogger(options.logger ?? silentLogger);
  const engine = options.engine ?? defaultEngine(options, logger, now);
  const emitter = engineEmitterOf(engine);

  async function audit(record: ReferralActionRecord): Promise<void> {
    try {
      await store.recordReferralAction(record);
    } catch (error) {
      // The remote outcome stands either way; losing its audit row is logged loudly.
      logger.error({ auditId: record.id, referralId: record.referralId, action: record.action, outcome: record.outcome, error: summarizeError(error) }, "referral_action_audit_failed");
    }
    const { referralId, action, actor, outcome, requestId } = record;
    emitter?.emit("referral.action", { referralId, action, actor, outcome, requestId, auditId: record.id });
    logger.info({ auditId: record.id, referralId, action, actor, outcome, requestId, code: record.error?.code ?? null }, "referral_action");
  }

  async function resync(referralId: string): Promise<SyncReferralResult | null> {
    try {
      return await engine.syncReferral(referralId, { reason: "action" });
    } catch (error) {
      logger.warn({ referralId, error: summarizeError(error) }, "referral_action_resync_failed");
      return null;
    }
  }

  async function remoteState(referralId: string) {
    const stored = await store.getReferral(referralId).catch(() => null);
    return { status: stored?.status ?? null, substatus: stored?.substatus ?? null, eTag: text(stored?.payload.eTag) };
  }

  async function perform(idArg: unknown, contextArg: unknown, plan: () => ActionPlan, action: ReferralActionName): Promise<ReferralActionResult> {
    const referralId = checkId(idArg);
    const actor = checkActor(contextArg);
    const auditId = randomUUID();
    const record = (outcome: ReferralActionRecord["outcome"], input: Record<string, unknown>, requestId: string | null, error: unknown): ReferralActionRecord => ({
      id: auditId,
      referralId,
      action,
      actor,
      outcome,
      requestId,
      input,
      error: error === null ? null : summarizeError(error),
      at: new Date(now()).toISOString(),
    });

    let checked: ActionPlan;
    try {
      checked = plan();
    } catch (error) {
      await audit(record("refused", {}, null, error));
      throw error;
    }
    const stored: StoredReferral | null = await store.getReferral(referralId);
    if (stored === null) {
      const error = new NotFoundError(`Referral ${referralId} is not stored; sync it first (engine.syncReferral) and try again.`);
      await audit(record("refused", checked.input, null, error));
      throw error;
    }
    const allowed = allowedReferralActions(stored);
    if (!allowed.includes(action)) {
      const error = new InvalidTransitionError(action, { status: stored.status, substatus: stored.substatus }, allowed);
      await audit(record("refused", checked.input, null, error));
      throw error;
    }

    const etag = text(stored.payload.eTag);
    let requestId: string | null = null;
    let updated: Referral | null;
    try {
      updated = await client.updateReferral(referralId, checked.operations(stored.payload), {
        ...(etag === null ? {} : { etag }),
        correlationId: auditId,
        onResponse: (response) => {
          requestId = response.requestId;
        },
      });
    } catch (error) {
      if (isPreconditionFailed(error)) {
        await resync(referralId);
        const conflict = new ReferralConflictError(referralId, await remoteState(referralId), { requestId: error.requestId ?? null, cause: error });
        await audit(record("conflict", checked.input, error.requestId ?? null, conflict));
        throw conflict;
      }
      await audit(record("failed", checked.input, requestIdOf(error) ?? requestId, error));
      // Whatever became of it, the inbox should show Partner Center's copy.
      if (PcReferralsError.hasCode(error, "write_unconfirmed")) await resync(referralId);
      throw error;
    }
    if (updated === null) {
      const error = new NotFoundError(`Partner Center has no referral ${referralId} (404); nothing was written.`);
      await audit(record("failed", checked.input, requestId, error));
      throw error;
    }
    await audit(record("succeeded", checked.input, requestId, null));
    const sync = await resync(referralId);
    return {
      referralId,
      action,
      status: updated.status ?? null,
      substatus: updated.substatus ?? null,
      eTag: text(updated.eTag),
      requestId,
      auditId,
      sync,
    };
  }

  return {
    accept: (id, context) => perform(id, context, planAccept, "accept"),
    decline: (id, input, context) => perform(id, context, () => planDecline(input), "decline"),
    close: (id, input, context) => perform(id, context, () => planClose(input), "close"),
    setExternalReference: (id, value, context) => perform(id, context, () => planExternalReference(value), "setExternalReference"),
    setDealValue: (id, input, context) => perform(id, context, () => planDealValue(input), "setDealValue"),
  };
}

function defaultEngine(options: ReferralActionsOptions, logger: Logger, now: () => number): SyncEngine {
  const { client, store } = options;
  if (typeof client.listReferrals !== "function") {
    throw new ConfigError([
      { path: "createReferralActions.engine", message: "expected your engine (createSyncEngine), or a client with listReferrals to make one of the defaults" },
    ]);
  }
  return createSyncEngine({ client: { ...pick(client), listReferrals: client.listReferrals.bind(client) }, store, enabled: true, logger, now });
}

function pick(client: ReferralActionsOptions["client"]) {
  return { getReferral: client.getReferral.bind(client), updateReferral: client.updateReferral.bind(client) };
}

// Store failures become StoreError, as the engine's own store calls do (never with the arguments).
function guardActionStore(store: Store): Pick<Store, "getReferral" | "recordReferralAction"> {
  return {
    getReferral: (id) => store.getReferral(id).catch((error: unknown) => Promise.reject(toStoreError(error, "getReferral"))),
    recordReferralAction: (record) => store.recordReferralAction(record).catch((error: unknown) => Promise.reject(toStoreError(error, "recordReferralAction"))),
  };
}

// Matched by code and status, not instanceof: a second copy of the package throws its own classes.
function isPreconditionFailed(error: unknown): error is PartnerCenterHttpError {
  return PcReferralsError.hasCode(error, "api_error") && (error as PartnerCenterHttpError).status === 412;
}

function requestIdOf(error: unknown): string | null {
  const own = (error as { requestId?: unknown } | null)?.requestId;
  if (typeof own === "string") return own;
  const cause = (error as { cause?: { requestId?: unknown } } | null)?.cause?.requestId;
  return typeof cause === "string" ? cause : null;
}
