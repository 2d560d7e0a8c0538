// Checks a processed page before any write, so a store without transactions can still apply it
// all-or-nothing. Messages name the path, never the value: values may hold contact data.
import { InvalidInputError } from "../errors.js";
import { REFERRAL_TYPES } from "../referral.js";
import type { Cursor, ProcessedPage } from "./store.js";

const AUTO_LINK_STATUSES: readonly string[] = ["auto_linked", "multi_candidate", "unlinked"];

/** True when `value` is a string `Date.parse` understands (what a timestamptz column accepts). */
export function isTimestamp(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "" && !Number.isNaN(Date.parse(value));
}

/** The instant of `value` as an ISO-8601 UTC string; throws `InvalidInputError` naming `path` if it is not one. */
export function toIsoInstant(value: unknown, path: string): string {
  if (!isTimestamp(value)) throw new InvalidInputError(`${path} must be an ISO-8601 timestamp.`);
  return new Date(value).toISOString();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when `value` survives `JSON.stringify` (no BigInt, no cycles) as a JSON object. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  try {
    return typeof JSON.stringify(value) === "string";
  } catch {
    return false;
  }
}

/** A deep copy through JSON, which is what a jsonb column returns. */
export function jsonClone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

/**
 * Throws `InvalidInputError` when any part of the page cannot be stored: an empty `referralId`, a
 * payload that is not a JSON-serializable object, an unknown referral type or automatic link
 * status, a timestamp that does not parse, or a company without a domain. Call it before writing
 * anything; the conformance suite relies on the first two making `applyBatch` leave no trace.
 */
export function assertValidProcessedPage(page: ProcessedPage): void {
  toIsoInstant(page.syncedAt, "page.syncedAt");
  if (!nonEmpty(page.runId)) throw new InvalidInputError("page.runId must be a non-empty string.");
  page.referrals.forEach((referral, i) => {
    const at = `page.referrals[${i}]`;
    if (!nonEmpty(referral.referralId)) throw new InvalidInputError(`${at}.referralId must be a non-empty string.`);
    if (!REFERRAL_TYPES.includes(referral.referralType)) {
      throw new InvalidInputError(`${at}.referralType must be one of ${REFERRAL_TYPES.join(", ")}.`);
    }
    if (!nonEmpty(referral.contentHash)) throw new InvalidInputError(`${at}.contentHash must be a non-empty string.`);
    if (referral.remoteUpdatedAt !== null) toIsoInstant(referral.remoteUpdatedAt, `${at}.remoteUpdatedAt`);
    // Absent (a store or fixture written before expiry existed) is stored as null.
    if (referral.expiresAt != null) toIsoInstant(referral.expiresAt, `${at}.expiresAt`);
    if (!AUTO_LINK_STATUSES.includes(referral.link.status)) {
      throw new InvalidInputError(`${at}.link.status must be one of ${AUTO_LINK_STATUSES.join(", ")}.`);
    }
    // With its canonical JSON at hand the payload was serialized already: not again just to check it.
    const serializable =
      typeof referral.payloadJson === "string" ? isPlainObject(referral.payload) : isJsonObject(referral.payload);
    if (!serializable) throw new InvalidInputError(`${at}.payload must be a JSON-serializable object.`);
  });
  page.companies.forEach((company, i) => {
    if (!nonEmpty(company.domain)) throw new InvalidInputError(`page.companies[${i}].domain must be a non-empty string.`);
  });
}

/** A cursor as stores keep it: `updatedAt` as an ISO instant, `orderHonoured` only when false. Throws `InvalidInputError` on a bad one. */
export function toStoredCursor(next: unknown): Cursor {
  const cursor = (typeof next === "object" && next !== null ? next : {}) as Partial<Record<keyof Cursor, unknown>>;
  const updatedAt = toIsoInstant(cursor.updatedAt, "cursor.updatedAt");
  if (cursor.orderHonoured !== undefined && typeof cursor.orderHonoured !== "boolean") {
    throw new InvalidInputError("cursor.orderHonoured must be a boolean when given.");
  }
  return cursor.orderHonoured === false ? { updatedAt, orderHonoured: false } : { updatedAt };
}
