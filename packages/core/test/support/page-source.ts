// Test support: a listing client that serves pages exactly as told, for what the fake Partner
// Center never does (ignore `$orderby`, repeat an id across pages).
import type { ListReferralsQuery, PartnerCenterClient, ReferralPage } from "../../src/client/types.js";
import { parseReferral } from "../../src/referral.js";

/** A page item as the real client yields it. */
export function pageItem(payload: unknown): ReferralPage["referrals"][number] {
  const parsed = parseReferral(payload);
  return parsed.ok ? { ok: true, referral: parsed.referral } : { ok: false, referralId: parsed.referralId, issues: parsed.issues, raw: payload };
}

/** Pages of payloads, numbered from 1. */
export function pagesOf(pages: readonly (readonly unknown[])[]): ReferralPage[] {
  return pages.map((payloads, i) => ({
    pageNumber: i + 1,
    referrals: payloads.map(pageItem),
    rawCount: null,
    nextLink: i + 1 < pages.length ? `next-${i + 2}` : null,
  }));
}

/**
 * A client over `listing()` (called once per listing, so a test can change the data between
 * runs), paged by `$top` in the order given: it ignores `$orderby` and `$filter`, as a server that
 * breaks its contract would. `served` counts the pages handed out.
 */
export function pageSourceClient(listing: (query: ListReferralsQuery) => readonly unknown[] | ReferralPage[]) {
  const state = { served: 0, queries: [] as ListReferralsQuery[] };
  const client: Pick<PartnerCenterClient, "listReferrals"> = {
    async *listReferrals(query: ListReferralsQuery = {}) {
      state.queries.push(query);
      const given = listing(query);
      const top = query.top ?? 100;
      const pages = isPages(given)
        ? given
        : pagesOf(Array.from({ length: Math.ceil(given.length / top) }, (_, i) => given.slice(i * top, (i + 1) * top)));
      for (const page of pages) {
        state.served += 1;
        yield page;
      }
    },
  };
  return { client, state };
}

function isPages(value: readonly unknown[] | ReferralPage[]): value is ReferralPage[] {
  const first = value[0] as { pageNumber?: unknown } | undefined;
  return first !== undefined && typeof first.pageNumber === "number" && Array.isArray((first as { referrals?: unknown }).referrals);
}
