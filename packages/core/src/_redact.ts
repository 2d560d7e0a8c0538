// Safe-to-log copies of outgoing requests (octokit's rule: an error never carries a credential).
import type { RedactedRequest } from "./errors.js";

const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-ms-client-secret"]);
// Local part of an e-mail address, raw or percent-encoded (`%40`), e.g. in a `$filter` on team emails.
// Matches start only where a run of these characters starts, so a long `$skiptoken` stays linear.
const EMAIL_LOCAL_PART = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+(?=(?:@|%40)[A-Za-z0-9-]+\.)/g;

/** Replaces the credential of an `Authorization`-like header value, keeping its scheme for debugging. */
function redactHeaderValue(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name)) return value;
  const scheme = /^\s*(\w+)\s+/.exec(value)?.[1];
  return scheme ? `${scheme} [REDACTED]` : "[REDACTED]";
}

/** Masks the local part of e-mail addresses in a URL (`***@contoso.com`). */
export function redactUrl(url: string): string {
  return url.replace(EMAIL_LOCAL_PART, "***");
}

/**
 * A copy of a request that is safe to attach to errors and logs: header names lower-cased,
 * `authorization: Bearer [REDACTED]`, e-mail addresses in the URL masked.
 */
export function redactRequest(request: {
  method: string;
  url: string;
  headers: Readonly<Record<string, string | undefined>>;
}): RedactedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    headers[lower] = redactHeaderValue(lower, value);
  }
  return { method: request.method.toUpperCase(), url: redactUrl(request.url), headers };
}
