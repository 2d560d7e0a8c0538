// Company domain of a referral: website locations, then contact e-mails (docs/architecture.md "Domain").
import { teamMembers, type Referral } from "../referral.js";
import { consumerMailboxDomains } from "./consumer-domains.js";
import { normalizeDomain } from "./hostname.js";

export { normalizeDomain };

/**
 * Reads one place a website may be in a referral. Returns a URL or host, or nothing. The
 * documented payload has no website field, so hosts list the places their payloads use.
 */
export type WebsiteLocation = (referral: Referral) => string | null | undefined;

/** Options of {@link extractDomain}. Each one replaces its default; it does not add to it. */
export interface ExtractDomainOptions {
  /** Where to look for a website, in order. Default: {@link defaultWebsiteLocations}. */
  websiteLocations?: readonly WebsiteLocation[] | undefined;
  /** Mailbox domains that are a person's, not a company's. Default: {@link consumerMailboxDomains}. */
  consumerDomains?: ReadonlySet<string> | undefined;
  /** Domains that are never the customer's. Default: {@link defaultIgnoredDomains}. */
  ignoredDomains?: ReadonlySet<string> | undefined;
}

/** Where a referral's company domain came from (`value`: the URL or e-mail), or why there is none. */
export type DomainExtraction =
  | { domain: string; source: "website" | "email"; value: string }
  | { domain: null; reason: "no_domain" };

/**
 * Microsoft's own domains, in canonical form: a link to them in the notes or a Microsoft
 * seller among the contacts never names the customer's company. Entries of a replacement set
 * must be canonical too (outputs of {@link normalizeDomain}).
 */
export const defaultIgnoredDomains: ReadonlySet<string> = new Set([
  "microsoft.com", "microsoftonline.com", "microsoft365.com", "microsoftstore.com", "microsoft.net", "msft.net",
  "cloud.microsoft", "azure.com", "azure.net", "windows.net", "windows.com", "windowsazure.com", "office.com",
  "office365.com", "office.net", "onmicrosoft.com", "sharepoint.com", "dynamics.com", "powerbi.com",
  "powerapps.com", "powerplatform.com", "visualstudio.com", "live.com", "outlook.com", "hotmail.com", "msn.com",
  "bing.com", "skype.com", "xbox.com", "linkedin.com", "github.com", "aka.ms",
]);

// Notes are free text; only their start is worth scanning for a link.
const MAX_NOTES_CHARS = 65_536;
const URL_IN_TEXT = /\b(?:https?:\/\/|www\.)[^\s<>"`]+/i;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;
const EMAIL_SEPARATORS = /[;,\s]+/;

/**
 * The first web address in free text: an `http(s)://…` URL or a `www.…` host, without the
 * sentence punctuation that follows it (`See https://contoso.com.` → `https://contoso.com`).
 */
export function findFirstUrl(text: string): string | null {
  if (typeof text !== "string") return null;
  const match = URL_IN_TEXT.exec(text.length > MAX_NOTES_CHARS ? text.slice(0, MAX_NOTES_CHARS) : text);
  if (!match) return null;
  const url = match[0].replace(TRAILING_PUNCTUATION, "");
  return url === "" ? null : url;
}

/** A `website` field at the top level of the payload, where a host's payload has one. */
const websiteField: WebsiteLocation = (referral) => stringAt(referral, ["website"]);
/** A `customerProfile.website` field, where a host's payload has one. */
const customerProfileWebsite: WebsiteLocation = (referral) => stringAt(referral, ["customerProfile", "website"]);
/** The first URL in `details.notes`. */
const notesUrl: WebsiteLocation = (referral) => {
  const notes = stringAt(referral, ["details", "notes"]);
  return notes === undefined ? undefined : findFirstUrl(notes);
};

/**
 * The default website locations, in order: a top-level `website` field, a
 * `customerProfile.website` field, then the first URL in `details.notes`.
 */
export const defaultWebsiteLocations: readonly WebsiteLocation[] = [websiteField, customerProfileWebsite, notesUrl];

/**
 * {@link normalizeDomain}, but `null` for consumer mailbox domains and ignored domains too: the
 * canonical domain of a company, or nothing.
 */
export function normalizeCompanyDomain(
  input: string,
  options?: Pick<ExtractDomainOptions, "consumerDomains" | "ignoredDomains">,
): string | null {
  const domain = normalizeDomain(input);
  if (domain === null) return null;
  if ((options?.consumerDomains ?? consumerMailboxDomains).has(domain)) return null;
  if ((options?.ignoredDomains ?? defaultIgnoredDomains).has(domain)) return null;
  return domain;
}

/**
 * Every e-mail address of the customer's contacts (`customerProfile.team[].email`, the team an
 * array or a single member object), in order.
 * A field may hold several addresses separated by `;`, `,` or whitespace; `mailto:` and angle
 * brackets are dropped, tokens without an `@` are skipped, and duplicates (ignoring case) are
 * kept once. Never throws, whatever the payload holds.
 */
export function customerContactEmails(referral: Referral): string[] {
  const team = teamMembers(valueAt(referral, ["customerProfile", "team"]));
  const seen = new Set<string>();
  const emails: string[] = [];
  for (const member of team) {
    const field = valueAt(member, ["email"]);
    if (typeof field !== "string") continue;
    for (const token of field.split(EMAIL_SEPARATORS)) {
      const address = token.replace(/^<?(?:mailto:)?/i, "").replace(/>$/, "").trim();
      const at = address.lastIndexOf("@");
      if (at <= 0 || at === address.length - 1) continue;
      const key = address.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      emails.push(address);
    }
  }
  return emails;
}

/**
 * The company domain of a referral. Tries each website location in order, then the customer
 * contacts' e-mail addresses (the first business address wins over consumer ones), and
 * otherwise reports `no_domain`. Consumer mailbox and ignored domains are skipped in both
 * steps. Never throws on a malformed payload; an error thrown by a location you supply
 * propagates.
 */
export function extractDomain(referral: Referral, options?: ExtractDomainOptions): DomainExtraction {
  const domainOptions = {
    consumerDomains: options?.consumerDomains ?? consumerMailboxDomains,
    ignoredDomains: options?.ignoredDomains ?? defaultIgnoredDomains,
  };
  for (const location of options?.websiteLocations ?? defaultWebsiteLocations) {
    const candidate = location(referral);
    if (typeof candidate !== "string") continue;
    const domain = normalizeCompanyDomain(candidate, domainOptions);
    if (domain !== null) return { domain, source: "website", value: candidate.trim() };
  }
  for (const email of customerContactEmails(referral)) {
    const domain = normalizeCompanyDomain(email, domainOptions);
    if (domain !== null) return { domain, source: "email", value: email };
  }
  return { domain: null, reason: "no_domain" };
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (const key of path) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function stringAt(root: unknown, path: readonly string[]): string | undefined {
  const value = valueAt(root, path);
  return typeof value === "string" ? value : undefined;
}
