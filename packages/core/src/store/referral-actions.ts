// The audit trail's and the company external id's input rules, shared by every store (memory,
// pg-store, yours), so they refuse the same records with the same `invalid_input`.
import { InvalidInputError, type ReferralActionName } from "../errors.js";
import type { ReferralActionRecord, ReferralActionsQuery } from "./store.js";
import { isJsonObject, toIsoInstant } from "./validate-page.js";

/** Every write-back action, in the order the page and CLI list them. */
export const REFERRAL_ACTION_NAMES: readonly ReferralActionName[] = ["accept", "decline", "close", "setExternalReference", "setDealValue"];
/** Every audit outcome. */
export const REFERRAL_ACTION_OUTCOMES: readonly ReferralActionRecord["outcome"][] = ["succeeded", "conflict", "refused", "failed"];
/** `listReferralActions` returns this many records unless asked otherwise, and never more than the max. */
export const REFERRAL_ACTIONS_DEFAULT_LIMIT = 50;
export const REFERRAL_ACTIONS_MAX_LIMIT = 500;
const EXTERNAL_ID_MAX = 200;

const text = (value: unknown, name: string, max = 1000): string => {
  if (typeof value !== "string" || value.length === 0 || value.length > max) {
    throw new InvalidInputError(`${name} must be a non-empty string of at most ${max} characters.`);
  }
  return value;
};
const nullableText = (value: unknown, name: string): string | null => (value === null ? null : text(value, name));

/** A checked copy of an audit record, `at` as an ISO instant; `invalid_input` names the first bad field. */
export function normalizeReferralActionRecord(record: unknown): ReferralActionRecord {
  if (!isJsonObject(record)) throw new InvalidInputError("A referral action record must be an object.");
  const r = record as Record<string, unknown>;
  if (!REFERRAL_ACTION_NAMES.includes(r.action as ReferralActionName)) {
    throw new InvalidInputError(`action must be one of ${REFERRAL_ACTION_NAMES.join(", ")}.`);
  }
  if (!REFERRAL_ACTION_OUTCOMES.includes(r.outcome as ReferralActionRecord["outcome"])) {
    throw new InvalidInputError(`outcome must be one of ${REFERRAL_ACTION_OUTCOMES.join(", ")}.`);
  }
  if (!isJsonObject(r.input)) throw new InvalidInputError("input must be a JSON object.");
  const error = r.error;
  if (error !== null && !(isJsonObject(error) && typeof error.code === "string" && typeof error.message === "string")) {
    throw new InvalidInputError("error must be null or { code, message } strings.");
  }
  const at = toIsoInstant(r.at, "at");
  return {
    id: text(r.id, "id", 200),
    referralId: text(r.referralId, "referralId", 200),
    action: r.action as ReferralActionName,
    actor: nullableText(r.actor, "actor"),
    outcome: r.outcome as ReferralActionRecord["outcome"],
    requestId: nullableText(r.requestId, "requestId"),
    input: structuredClone(r.input as Record<string, unknown>),
    error: error === null ? null : { code: (error as { code: string }).code, message: (error as { message: string }).message },
    at,
  };
}

/** The query with its default limit; a bad limit or referral id is `invalid_input`. */
export function normalizeReferralActionsQuery(query: ReferralActionsQuery | undefined): { referralId: string | null; limit: number } {
  const q = query ?? {};
  const limit = q.limit ?? REFERRAL_ACTIONS_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > REFERRAL_ACTIONS_MAX_LIMIT) {
    throw new InvalidInputError(`limit must be a whole number from 1 to ${REFERRAL_ACTIONS_MAX_LIMIT}.`);
  }
  const referralId = q.referralId === undefined ? null : text(q.referralId, "referralId", 200);
  return { referralId, limit };
}

/** Newest first: `at` descending, then `id` descending (the order every store returns). */
export function compareReferralActions(a: ReferralActionRecord, b: ReferralActionRecord): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** A company external id as stores keep it: null, or 1..200 characters without control characters. */
export function normalizeCompanyExternalId(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== "string" || value.trim() === "" || value.length > EXTERNAL_ID_MAX || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new InvalidInputError(`externalId must be null or a non-empty string of at most ${EXTERNAL_ID_MAX} characters without control characters.`);
  }
  return value;
}
