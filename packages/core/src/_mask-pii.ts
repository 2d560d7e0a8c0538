// Masks contact data and secrets before anything reaches a logger (docs/architecture.md "Events, errors, logs").

const MAX_DEPTH = 10;
const REDACTED = "[REDACTED]";
const MASKED = "[masked]";

// Keys are compared lower-cased with `_` and `-` removed, so accessToken, access_token and Access-Token match.
const SECRET_KEYS = new Set([
  "authorization",
  "proxyauthorization",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "token",
  "devicecode",
  "password",
  "secret",
  "clientsecret",
  "tokencachekey",
  "encryptionkey",
  "cookie",
  "setcookie",
  "apikey",
]);
const NAME_KEYS = new Set(["firstname", "lastname", "fullname", "contactname", "displayname"]);
// A `name` beside one of these belongs to a person; elsewhere (customerProfile.name) it is a company.
const PERSON_KEYS = new Set(["email", "emailaddress", "phone", "phonenumber", "mobile", "firstname", "lastname"]);

const BEARER = /\bBearer\s+[^\s,;"']+/gi;
// Runs of base64url characters and dots; a run shaped like a JWT is redacted whole. Matching runs
// first (instead of one JWT regex) keeps hostile strings such as "eyJ-eyJ-eyJ-…" linear.
const TOKEN_RUN = /[A-Za-z0-9_.-]+/g;
const JWT = /^eyJ[^.]*\.[^.]+\.[^.]*$/;
const SECRET_PARAM =
  /(?<![A-Za-z0-9_])(access_token|refresh_token|id_token|client_secret|device_code|password)=[^&\s#"']+/gi;
// Repetitions are bounded (RFC 5321 lengths) so a hostile 100 KB string stays linear.
const EMAIL_CHAR = String.raw`[\p{L}\p{N}._%+'-]`;
const EMAIL = new RegExp(
  String.raw`(${EMAIL_CHAR})${EMAIL_CHAR}{0,63}@((?:[\p{L}\p{N}-]{1,63}\.){1,8}\p{L}{2,63})(?![\p{L}\p{N}-])`,
  "gu",
);
// GUIDs and ISO dates come first in the alternation so their digit runs are never taken for phone numbers.
// A phone is 7 to 20 digits with at most 3 separators between two digits (bounded, as above).
const GUID = String.raw`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`;
const ISO_DATE = String.raw`\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?`;
const PHONE = String.raw`(?<![\p{L}\p{N}_])\+?\(?\d(?:[\s().-]{0,3}\d){6,19}(?![\p{L}\p{N}_])`;
const GUID_DATE_OR_PHONE = new RegExp(`(?<keep>${GUID}|${ISO_DATE})|${PHONE}`, "giu");

/**
 * Returns a masked deep copy of `value` (the input is never mutated): e-mail addresses, phone
 * numbers and contact names are masked; tokens, secrets and JWTs are redacted. Handles cycles,
 * deep nesting, errors, dates, maps and sets. Never throws.
 */
export function maskPii<T>(value: T): T {
  try {
    return maskValue(value, 0, new WeakSet()) as T;
  } catch {
    return "[Unmaskable]" as T;
  }
}

function maskValue(value: unknown, depth: number, ancestors: WeakSet<object>): unknown {
  if (typeof value === "string") return maskString(value);
  if (typeof value !== "object" || value === null) return value;
  if (ancestors.has(value)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Truncated]";
  ancestors.add(value);
  try {
    return maskObject(value, depth + 1, ancestors);
  } catch {
    return "[Unreadable]";
  } finally {
    ancestors.delete(value);
  }
}

function maskObject(value: object, depth: number, ancestors: WeakSet<object>): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof URL) return maskString(value.href);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[Binary ${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((item) => maskValue(item, depth, ancestors));
  if (value instanceof Error) return maskError(value, depth, ancestors);
  if (value instanceof Map) {
    const person = isPerson([...value.keys()].filter((k): k is string => typeof k === "string"));
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) {
      const key = typeof k === "string" ? maskString(k) : maskValue(k, depth, ancestors);
      out.set(key, typeof k === "string" ? maskEntry(k, v, person, depth, ancestors) : maskValue(v, depth, ancestors));
    }
    return out;
  }
  if (value instanceof Set) return new Set([...value].map((item) => maskValue(item, depth, ancestors)));
  const keys = Object.keys(value);
  const person = isPerson(keys);
  const out: Record<string, unknown> = {};
  // Keys are masked too: a map keyed by e-mail address is still contact data.
  for (const key of keys) {
    out[maskString(key)] = maskEntry(key, (value as Record<string, unknown>)[key], person, depth, ancestors);
  }
  return out;
}

function maskEntry(key: string, value: unknown, person: boolean, depth: number, ancestors: WeakSet<object>): unknown {
  if (value === null || value === undefined) return value;
  const normalized = normalizeKey(key);
  if (SECRET_KEYS.has(normalized)) return REDACTED;
  if (NAME_KEYS.has(normalized) || (person && normalized === "name")) return value === "" ? value : MASKED;
  return maskValue(value, depth, ancestors);
}

function maskError(error: Error, depth: number, ancestors: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: maskString(String(error.message)) };
  // Own enumerable fields carry the details (code, status, requestId, issues, a redacted request).
  for (const key of Object.keys(error)) {
    if (key === "stack" || key === "message") continue;
    out[key] = maskEntry(key, (error as unknown as Record<string, unknown>)[key], false, depth, ancestors);
  }
  if (typeof error.stack === "string") out.stack = maskString(error.stack);
  if (error.cause !== undefined) out.cause = maskValue(error.cause, depth, ancestors);
  return out;
}

function maskString(input: string): string {
  return input
    .replace(BEARER, `Bearer ${REDACTED}`)
    .replace(TOKEN_RUN, redactJwtRun)
    .replace(SECRET_PARAM, (_match, name: string) => `${name}=${REDACTED}`)
    .replace(EMAIL, (_match, first: string, domain: string) => `${first}***@${domain}`)
    .replace(GUID_DATE_OR_PHONE, (match: string, keep: string | undefined) => {
      if (keep !== undefined) return match;
      const digits = match.replace(/\D/g, "");
      return digits.length >= 7 && digits.length <= 15 ? `***${digits.slice(-2)}` : match;
    });
}

function redactJwtRun(run: string): string {
  // A sentence may end right after the token: keep its full stop out of the JWT.
  let end = run.length;
  while (end > 0 && run.charCodeAt(end - 1) === 46) end -= 1;
  return JWT.test(run.slice(0, end)) ? REDACTED + run.slice(end) : run;
}

function isPerson(keys: readonly string[]): boolean {
  return keys.some((key) => PERSON_KEYS.has(normalizeKey(key)));
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, "");
}
