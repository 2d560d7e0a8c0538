// "A store never replaces a referral with an older copy of it" (issue 9 item 2), as one rule for every store.

/**
 * True when `incoming` is strictly older than `stored` (both `remoteUpdatedAt`). An unknown time on
 * either side is no evidence, so the usual content-hash rules decide; equal times do too.
 */
export function isOlderCopy(stored: string | null | undefined, incoming: string | null | undefined): boolean {
  const storedMs = stored == null ? NaN : Date.parse(stored);
  const incomingMs = incoming == null ? NaN : Date.parse(incoming);
  return !Number.isNaN(storedMs) && !Number.isNaN(incomingMs) && incomingMs < storedMs;
}
