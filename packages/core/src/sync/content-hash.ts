// Content hash of a referral payload: equal hashes mean "nothing to write but lastSyncedAt".
import { createHash } from "node:crypto";

/**
 * Canonical JSON of `value`: object keys sorted, `undefined` members dropped (as `JSON.stringify`
 * drops them), array order kept. Two payloads that differ only in key order serialize the same.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    // JSON.stringify(undefined) is undefined; inside arrays JSON writes null for it.
    return JSON.stringify(value) ?? "null";
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return canonicalJson((value as { toJSON(): unknown }).toJSON());
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.keys(value)
    .filter((key) => {
      const member = (value as Record<string, unknown>)[key];
      return member !== undefined && typeof member !== "function" && typeof member !== "symbol";
    })
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(",")}}`;
}

/**
 * The content hash of a referral payload: hex SHA-256 of its {@link canonicalJson}.
 *
 * Every field counts, `eTag` and `updatedDateTime` included. Neither changes unless Partner
 * Center changed the referral, and the stored payload must carry the current `eTag` (PATCH with
 * `If-Match`) and `updatedDateTime` (the inbox's `updatedAt`), so excluding them would let a
 * stale copy stay behind an "unchanged" verdict.
 */
export function contentHash(payload: unknown): string {
  return hashCanonicalJson(canonicalJson(payload));
}

/** {@link contentHash} of a payload whose {@link canonicalJson} is already at hand. */
export function hashCanonicalJson(json: string): string {
  return createHash("sha256").update(json).digest("hex");
}
