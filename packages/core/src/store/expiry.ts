// The expiry rule (docs/architecture.md "Expiry watch"): when an unanswered New referral closes as
// Expired, how many days are left, and the announcement bookkeeping every store shares.
import { InvalidInputError } from "../errors.js";
import { isTimestamp } from "./validate-page.js";

/** Days Microsoft gives a partner to answer a New referral when the payload names no deadline (leads, per the docs). */
export const DEFAULT_EXPIRY_DAYS = 14;
/** Days before the deadline at which `referral.expiring` is announced, by default. */
export const DEFAULT_EXPIRY_THRESHOLDS_DAYS: readonly number[] = [3, 1];

const DAY_MS = 24 * 60 * 60_000;

/** The fields of a referral payload the expiry rule reads. */
export interface ExpiryFields {
  status?: string | null | undefined;
  substatus?: string | null | undefined;
  createdDateTime?: string | null | undefined;
  expirationDateTime?: string | null | undefined;
}

/**
 * When a referral closes as Expired unless answered: only a New referral not already Expired has a
 * deadline; its `expirationDateTime` when that is a valid timestamp, else `createdDateTime` plus
 * `defaultDays`; null when neither can be read, and for every other status. Status and substatus
 * are compared case-insensitively (the service is not consistent about case).
 */
export function referralExpiresAt(referral: ExpiryFields, defaultDays: number = DEFAULT_EXPIRY_DAYS): string | null {
  if (referral.status?.toLowerCase() !== "new") return null;
  if (referral.substatus?.toLowerCase() === "expired") return null;
  if (isTimestamp(referral.expirationDateTime)) return new Date(referral.expirationDateTime).toISOString();
  if (!isTimestamp(referral.createdDateTime)) return null;
  const deadline = Date.parse(referral.createdDateTime) + defaultDays * DAY_MS;
  return Number.isFinite(deadline) && Math.abs(deadline) <= 8.64e15 ? new Date(deadline).toISOString() : null;
}

/** Whole days left until `expiresAt`, rounded up (2.1 days left is 3); 0 once the deadline has passed. */
export function expiryDaysLeft(expiresAt: string, nowMs: number): number {
  const left = Date.parse(expiresAt) - nowMs;
  return left <= 0 ? 0 : Math.ceil(left / DAY_MS);
}

/** The instant `days` days after `nowMs`, as an ISO string: the bound of `expiresWithinDays`. */
export function expiryHorizon(nowMs: number, days: number): string {
  return new Date(nowMs + days * DAY_MS).toISOString();
}

/**
 * One announcement of a `referral.expiring` threshold. Stores key it by all three fields, so a
 * referral whose deadline moved (a new `expirationDateTime`) is announced again for the new one.
 */
export interface ExpiryAnnouncement {
  referralId: string;
  /** The threshold crossed, in days before the deadline (e.g. 3 or 1). */
  thresholdDays: number;
  /** The deadline announced (ISO-8601 UTC). */
  expiresAt: string;
}

/**
 * Checks a claim and puts it in the form stores key it by (`expiresAt` as an ISO instant), without
 * duplicates (the first of equal items is kept). Rejects bad items with `invalid_input`.
 */
export function normalizeExpiryClaims(items: readonly ExpiryAnnouncement[]): ExpiryAnnouncement[] {
  if (!Array.isArray(items)) throw new InvalidInputError("items must be an array.");
  const seen = new Set<string>();
  const result: ExpiryAnnouncement[] = [];
  items.forEach((item: Partial<ExpiryAnnouncement> | null, i) => {
    const at = `items[${i}]`;
    if (typeof item?.referralId !== "string" || item.referralId === "" || item.referralId.includes("\u0000")) {
      throw new InvalidInputError(`${at}.referralId must be a non-empty string without U+0000.`);
    }
    const threshold = item.thresholdDays;
    if (typeof threshold !== "number" || !Number.isFinite(threshold) || threshold <= 0) {
      throw new InvalidInputError(`${at}.thresholdDays must be a positive number.`);
    }
    if (!isTimestamp(item.expiresAt)) throw new InvalidInputError(`${at}.expiresAt must be an ISO-8601 timestamp.`);
    const normalized = { referralId: item.referralId, thresholdDays: threshold, expiresAt: new Date(item.expiresAt).toISOString() };
    const key = expiryClaimKey(normalized);
    if (seen.has(key)) return;
    seen.add(key);
    result.push(normalized);
  });
  return result;
}

/** The identity of a normalized announcement. */
export function expiryClaimKey(item: ExpiryAnnouncement): string {
  return JSON.stringify([item.referralId, item.thresholdDays, item.expiresAt]);
}
