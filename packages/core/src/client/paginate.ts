// Page iteration over `GET /v1.0/engagements/referrals`, following `@odata.nextLink`.
import { PageLimitExceededError, PartnerCenterHttpError } from "../errors.js";
import { parseReferral } from "../referral.js";
import type { ReferralPage, ReferralPageItem } from "./types.js";
import type { ReferralPageEnvelope } from "./schemas.js";

// Raw (still percent-encoded) value, so a base64 token's `+` and `=` survive exactly as sent.
const SKIPTOKEN_PARAM = /^(?:\$|%24)skiptoken=(.*)$/i;

function rawSkipToken(search: string): string | null {
  for (const part of search.replace(/^\?/, "").split("&")) {
    const value = SKIPTOKEN_PARAM.exec(part)?.[1];
    if (value !== undefined) return value;
  }
  return null;
}

/**
 * The URL of the next page: our own list URL (scheme, host, path, `$filter`, `$orderby`, `$top`)
 * plus the `$skiptoken` of `nextLink`. Documented nextLinks point at `http://…/v1.0/referrals`,
 * a wrong scheme and path (docs/partner-center-api.md §2), so nothing else of them is trusted.
 * Throws when `nextLink` carries no `$skiptoken`: following it blindly could loop forever.
 */
export function nextPageUrl(listUrl: URL, nextLink: string): URL {
  const queryStart = nextLink.indexOf("?");
  const token = queryStart === -1 ? null : rawSkipToken(nextLink.slice(queryStart).split("#")[0] ?? "");
  if (token === null || token === "") {
    throw new PartnerCenterHttpError("Partner Center sent an @odata.nextLink without a $skiptoken; the listing cannot continue.", {
      status: 200,
    });
  }
  const next = new URL(listUrl);
  const kept = next.search
    .replace(/^\?/, "")
    .split("&")
    .filter((part) => part !== "" && !SKIPTOKEN_PARAM.test(part));
  next.search = `?${[...kept, `$skiptoken=${token}`].join("&")}`;
  return next;
}

/** One raw `value[]` item as a page item: validated, or kept raw with its schema issues. */
export function toPageItem(raw: unknown): ReferralPageItem {
  const parsed = parseReferral(raw);
  if (parsed.ok) return { ok: true, referral: parsed.referral };
  return { ok: false, referralId: parsed.referralId, issues: parsed.issues, raw };
}

/** What {@link paginateReferrals} needs: the first URL and a way to fetch one page's envelope. */
export interface PaginateOptions {
  firstUrl: URL;
  /** Fetches and validates one page envelope (retries, malformed JSON and errors are its business). */
  fetchPage(url: URL, pageNumber: number): Promise<ReferralPageEnvelope>;
  /** Most pages one listing may fetch; a next page past it throws `page_limit_exceeded`. */
  maxPages: number;
  signal?: AbortSignal | undefined;
}

/**
 * Async-iterates the pages of one listing, one request at a time, so memory stays flat whatever
 * the tenant's size. `break` stops early (no further request is made). A referral that fails the
 * schema is yielded as `{ ok: false }`; it never fails its page. A `$skiptoken` seen before in
 * the listing (a server looping, even over several tokens) fails it as `api_error`; a next page
 * past `maxPages` fails it as `page_limit_exceeded`, before that page is requested.
 */
export async function* paginateReferrals(options: PaginateOptions): AsyncGenerator<ReferralPage, void, undefined> {
  let url = options.firstUrl;
  let pageNumber = 0;
  // Page URLs differ only in their $skiptoken, so a URL seen before means a token seen before.
  const seen = new Set<string>([url.href]);
  for (;;) {
    options.signal?.throwIfAborted();
    pageNumber += 1;
    const envelope = await options.fetchPage(url, pageNumber);
    const nextLink = envelope["@odata.nextLink"] || null;
    yield {
      pageNumber,
      referrals: envelope.value.map(toPageItem),
      rawCount: envelope["@odata.count"] ?? null,
      nextLink,
    };
    if (nextLink === null) return;
    const next = nextPageUrl(options.firstUrl, nextLink);
    if (seen.has(next.href)) {
      throw new PartnerCenterHttpError(
        `Partner Center sent a $skiptoken already used on an earlier page of this listing (page ${pageNumber}); stopping to avoid an endless listing.`,
        { status: 200 },
      );
    }
    if (pageNumber >= options.maxPages) throw new PageLimitExceededError(options.maxPages);
    seen.add(next.href);
    url = next;
  }
}
