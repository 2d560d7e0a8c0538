// Conversions between JavaScript values and what pg/PGlite send and return.

/** A timestamp column (a Date from both drivers) as an ISO-8601 UTC string. */
export function iso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

/** Like {@link iso}, keeping null. */
export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}

/** int8/numeric come back as strings from pg and numbers from PGlite. */
export function num(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

// What jsonb (and text) cannot hold: U+0000, and UTF-16 surrogates without their partner.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// The same characters as JSON.stringify escapes them (it writes lone surrogates as \udxxx): a
// `\u` whose backslash is not itself escaped, so text that spells out "\u0000" does not count.
const UNSTORABLE_ESCAPED = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/** True when `text` holds U+0000, which PostgreSQL refuses in text parameters (no stored value can equal it). */
export function hasNul(text: string): boolean {
  return text.includes("\u0000");
}

/** `text` with every character PostgreSQL text cannot store replaced by U+FFFD. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, "\uFFFD");
}

/** Like {@link storableText}, keeping null. */
export function storableTextOrNull(text: string | null): string | null {
  return text === null ? null : storableText(text);
}

function sanitize(value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (Array.isArray(value)) return value.map(sanitize);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), sanitize(v)]));
  }
  return value;
}

/**
 * JSON text that a jsonb parameter accepts. `JSON.stringify` throws for BigInt and cycles, which
 * callers rely on to refuse a page before writing. `exact` is set only when the value held
 * characters jsonb cannot store: it is the lossless JSON, `json` then a copy with U+FFFD in their place.
 */
export function toJsonb(value: unknown): { json: string; exact: string | null } {
  const json = JSON.stringify(value);
  return json === undefined ? { json: "null", exact: null } : storableJson(json);
}

/** Like {@link toJsonb} for JSON text already written (e.g. a referral's canonical payload JSON): parsed again only when it holds unstorable text. */
export function storableJson(json: string): { json: string; exact: string | null } {
  if (!UNSTORABLE_ESCAPED.test(json)) return { json, exact: null };
  return { json: JSON.stringify(sanitize(JSON.parse(json))), exact: json };
}

/** `text` with ASCII letters lower-cased and nothing else changed: search folds case the same on every server. */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** The value of `referrals.search_text`: the searchable fields, folded, one per line. */
export function searchText(fields: ReadonlyArray<string | null>): string {
  return fields.map((field) => foldAscii(storableText(field ?? ""))).join("\n");
}
