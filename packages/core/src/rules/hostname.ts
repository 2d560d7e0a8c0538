// Canonical company domain of a host, URL or e-mail (docs/architecture.md "Domain").
import { domainToASCII, domainToUnicode } from "node:url";
import { parse } from "tldts";

// Only the start of a long string can hold a host; scanning further is wasted work on garbage.
const MAX_INPUT_CHARS = 2048;
const MAX_HOST_CHARS = 253;
const MAX_LABEL_CHARS = 63;

// `scheme://`, plus the forgiving `https:host` / `https:/host` forms browsers accept.
const SCHEME = /^(?:[a-z][a-z0-9+.-]*:[/\\]{2}|(?:https?|ftps?|wss?):[/\\]*)/i;
const MAILTO = /^mailto:/i;
const PATH_START = /[/?#\\]/;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const NUMERIC_LABEL = /^[0-9]+$/;

/**
 * The canonical form of a company domain, or `null` when the input has none.
 *
 * Accepts a bare host (`Contoso.COM.`), a URL (`https://user:pw@www.contoso.com:8443/a?b#c`,
 * with or without the scheme) or an e-mail address (`jane@sales.contoso.co.uk`, also
 * `mailto:` and `<jane@contoso.com>`). Lower-cases it and drops scheme, credentials, port,
 * path, query, fragment and the trailing dot; reduces the host to its registrable domain with
 * the Public Suffix List, private section included (`shop.contoso.co.uk` → `contoso.co.uk`,
 * `www.contoso.com` → `contoso.com`, while `contoso.azurewebsites.net` stays whole); returns
 * internationalized names in their Unicode form (`xn--mnchen-3ya.de` and `münchen.de` both give
 * `münchen.de`).
 *
 * Returns `null` for IP addresses (including the odd forms a URL parser reads as IPs, like
 * `127.1`), single labels, `localhost`, hosts whose suffix is not on the list, hosts that are
 * only a public suffix (`co.uk`), names whose registrable label is `www` (`www.co.uk`), invalid
 * characters or labels, and anything that is not a string. Never throws, and is idempotent:
 * a non-null result maps to itself.
 */
export function normalizeDomain(input: string): string | null {
  if (typeof input !== "string") return null;
  const host = hostOf(input);
  if (host === null) return null;
  return registrableDomain(host);
}

/** The ASCII (punycode) host of `input` as the WHATWG URL parser reads it, or `null`. */
function hostOf(input: string): string | null {
  let text = (input.length > MAX_INPUT_CHARS ? input.slice(0, MAX_INPUT_CHARS) : input).trim();
  if (text.startsWith("<") && text.endsWith(">")) text = text.slice(1, -1).trim();
  text = text.replace(MAILTO, "").replace(SCHEME, "");
  if (text.startsWith("//")) text = text.slice(2);

  // E-mail or `user:pass@host…`: the host follows the last `@`, unless a path already started,
  // in which case an `@` belongs to the path (`contoso.com/contact?from=a@b.com`).
  const at = text.lastIndexOf("@");
  if (at >= 0 && !PATH_START.test(text.slice(0, at))) text = text.slice(at + 1);
  if (text === "") return null;

  let hostname: string;
  try {
    // A special scheme makes the parser apply IDNA (UTS #46), lower-case and IPv4 canonicalization.
    hostname = new URL(`http://${text}`).hostname;
  } catch {
    return null;
  }
  if (hostname.endsWith(".")) hostname = hostname.slice(0, -1);
  if (hostname === "" || hostname.length > MAX_HOST_CHARS || hostname.startsWith("[")) return null;

  const labels = hostname.split(".");
  if (labels.length < 2) return null;
  // The parser turns a host ending in a number into an IPv4 address or rejects it.
  if (NUMERIC_LABEL.test(labels[labels.length - 1] ?? "")) return null;
  for (const label of labels) {
    if (label.length > MAX_LABEL_CHARS || !LDH_LABEL.test(label)) return null;
  }
  return hostname;
}

/** Registrable domain of an ASCII host, in Unicode form, or `null`. */
function registrableDomain(asciiHost: string): string | null {
  const parsed = parse(asciiHost, {
    allowPrivateDomains: true,
    extractHostname: false,
    validateHostname: false,
    detectIp: true,
  });
  // A suffix that is on neither section of the list came from the implicit `*` rule: unknown TLD.
  if (parsed.isIp || !(parsed.isIcann || parsed.isPrivate)) return null;
  const domain = parsed.domain;
  if (!domain || domain.startsWith("www.")) return null;

  const unicode = domainToUnicode(domain);
  // Only a name that converts back to the same ASCII form is canonical; this also rejects
  // punycode that decodes to unnormalized or disallowed text, and keeps the function idempotent.
  if (unicode === "" || domainToASCII(unicode) !== domain) return null;
  return unicode;
}
