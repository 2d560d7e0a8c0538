import { describe, expect, it } from "vitest";
import { PcReferralsError } from "../errors.js";
import { collect, rejectionOf } from "../../test/support/local-server.js";
import { nextPageUrl, paginateReferrals } from "./paginate.js";
import type { ReferralPageEnvelope } from "./schemas.js";

const LIST = new URL(
  "https://api.partner.microsoft.com/v1.0/engagements/referrals?$filter=status%20eq%20'New'&$orderby=updatedDateTime%20desc&$top=100",
);
// The URL parser percent-encodes the quotes; the rest of our query stays as we wrote it.
const OURS = "https://api.partner.microsoft.com/v1.0/engagements/referrals?$filter=status%20eq%20%27New%27&$orderby=updatedDateTime%20desc&$top=100";

describe("nextPageUrl", () => {
  it.each([
    [
      "the documented link (http, wrong path)",
      "http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=abc123",
      `${OURS}&$skiptoken=abc123`,
    ],
    ["a percent-encoded $ in the key", "https://x.test/v1.0/referrals?%24skiptoken=abc", `${OURS}&$skiptoken=abc`],
    ["a base64 token kept byte for byte", "https://x.test/?$skiptoken=a+b/c==", `${OURS}&$skiptoken=a+b/c==`],
    ["an encoded token kept encoded", "https://x.test/?$skiptoken=a%2Bb%3D%3D", `${OURS}&$skiptoken=a%2Bb%3D%3D`],
    ["a relative link", "?$top=10&$skiptoken=t2", `${OURS}&$skiptoken=t2`],
    ["other parameters of the link ignored", "https://evil.test/other?$top=5&$filter=x&$skiptoken=t3#frag", `${OURS}&$skiptoken=t3`],
    ["a case-insensitive key", "https://x.test/?$SkipToken=t4", `${OURS}&$skiptoken=t4`],
  ])("follows %s on our own base URL", (_name, nextLink, expected) => {
    expect(nextPageUrl(LIST, nextLink).href).toBe(expected);
  });

  it("replaces the previous page's $skiptoken instead of stacking them", () => {
    const second = nextPageUrl(LIST, "?$skiptoken=one");
    expect(nextPageUrl(second, "?$skiptoken=two").href).toBe(`${OURS}&$skiptoken=two`);
  });

  it("keeps a base URL with a path prefix", () => {
    const base = new URL("http://127.0.0.1:4010/pc/v1.0/engagements/referrals?$top=100");
    expect(nextPageUrl(base, "http://127.0.0.1:4010/v1.0/referrals?$skiptoken=z").href).toBe(
      "http://127.0.0.1:4010/pc/v1.0/engagements/referrals?$top=100&$skiptoken=z",
    );
  });

  it.each([
    ["no query", "https://x.test/v1.0/referrals"],
    ["no $skiptoken", "https://x.test/v1.0/referrals?$skip=100"],
    ["an empty $skiptoken", "https://x.test/v1.0/referrals?$skiptoken="],
    ["the token only in the fragment", "https://x.test/v1.0/referrals#$skiptoken=x"],
  ])("refuses a link with %s", (_name, nextLink) => {
    expect(() => nextPageUrl(LIST, nextLink)).toThrow(expect.objectContaining({ code: "api_error" }));
  });
});

const referral = (id: string) => ({ id, status: "New", direction: "Incoming" });

/** A scripted service: one envelope per page, keyed by the $skiptoken it expects (first page: none). */
function scripted(pages: Record<string, ReferralPageEnvelope>) {
  const requested: string[] = [];
  return {
    requested,
    fetchPage: async (url: URL) => {
      const token = url.searchParams.get("$skiptoken") ?? "";
      requested.push(token);
      // A bound for the tests themselves, so a listing that never ends fails instead of hanging.
      if (requested.length > 50) throw new Error("runaway listing");
      const page = pages[token];
      if (!page) throw new Error(`unexpected token ${token}`);
      return page;
    },
  };
}

describe("paginateReferrals", () => {
  it("yields every page in order, counting from 1, and stops at the page without nextLink", async () => {
    const service = scripted({
      "": { "@odata.count": 5, value: [referral("a"), referral("b")], "@odata.nextLink": "http://x/v1.0/referrals?$skiptoken=p2" },
      p2: { value: [referral("c"), referral("d")], "@odata.nextLink": "?$skiptoken=p3" },
      p3: { value: [referral("e")] },
    });
    const pages = await collect(paginateReferrals({ firstUrl: LIST, maxPages: 100, fetchPage: service.fetchPage }));
    expect(pages.map((p) => p.pageNumber)).toEqual([1, 2, 3]);
    expect(pages.flatMap((p) => p.referrals.map((r) => (r.ok ? r.referral.id : null)))).toEqual(["a", "b", "c", "d", "e"]);
    expect(pages.map((p) => p.rawCount)).toEqual([5, null, null]);
    expect(pages.map((p) => p.nextLink)).toEqual(["http://x/v1.0/referrals?$skiptoken=p2", "?$skiptoken=p3", null]);
    expect(service.requested).toEqual(["", "p2", "p3"]);
  });

  it("passes a referral that fails the schema on, marked invalid, without failing its page", async () => {
    const bad = { id: "bad-1", status: 42 };
    const service = scripted({ "": { value: [referral("a"), bad, "not even an object", referral("b")] } });
    const [page] = await collect(paginateReferrals({ firstUrl: LIST, maxPages: 100, fetchPage: service.fetchPage }));
    expect(page?.referrals.map((r) => r.ok)).toEqual([true, false, false, true]);
    expect(page?.referrals[1]).toMatchObject({ ok: false, referralId: "bad-1", raw: bad });
    expect(page?.referrals[1]?.ok === false && page.referrals[1].issues.join()).toContain("status");
    expect(page?.referrals[2]).toMatchObject({ ok: false, referralId: null });
  });

  it("makes no further request after break", async () => {
    const service = scripted({
      "": { value: [referral("a")], "@odata.nextLink": "?$skiptoken=p2" },
      p2: { value: [referral("b")], "@odata.nextLink": "?$skiptoken=p3" },
    });
    for await (const page of paginateReferrals({ firstUrl: LIST, maxPages: 100, fetchPage: service.fetchPage })) {
      if (page.pageNumber === 1) break;
    }
    expect(service.requested).toEqual([""]);
  });

  it("yields the page, then fails when the service repeats a $skiptoken", async () => {
    const service = scripted({
      "": { value: [referral("a")], "@odata.nextLink": "?$skiptoken=same" },
      same: { value: [referral("b")], "@odata.nextLink": "?$skiptoken=same" },
    });
    const seen: number[] = [];
    await expect(async () => {
      for await (const page of paginateReferrals({ firstUrl: LIST, maxPages: 100, fetchPage: service.fetchPage })) seen.push(page.pageNumber);
    }).rejects.toSatisfy((e) => PcReferralsError.hasCode(e, "api_error"));
    expect(seen).toEqual([1, 2]);
    expect(service.requested).toEqual(["", "same"]);
  });

  it("item 7: a repeated $skiptoken anywhere in the run ends the listing with api_error", async () => {
    // A, B, A: never the same token twice in a row, so only a memory of every token stops it.
    const service = scripted({
      "": { value: [referral("a")], "@odata.nextLink": "?$skiptoken=A" },
      A: { value: [referral("b")], "@odata.nextLink": "?$skiptoken=B" },
      B: { value: [referral("c")], "@odata.nextLink": "?$skiptoken=A" },
    });
    const seen: number[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const page of paginateReferrals({ firstUrl: LIST, maxPages: 100, fetchPage: service.fetchPage })) seen.push(page.pageNumber);
      })(),
    );
    expect(PcReferralsError.hasCode(error, "api_error")).toBe(true);
    expect((error as Error).message).toContain("$skiptoken");
    expect(seen).toEqual([1, 2, 3]);
    expect(service.requested).toEqual(["", "A", "B"]);
  });

  it("item 7: maxPages ends an endless listing with page_limit_exceeded after yielding that many pages", async () => {
    const requested: string[] = [];
    const endless = async (url: URL): Promise<ReferralPageEnvelope> => {
      const n = Number(url.searchParams.get("$skiptoken") ?? "0");
      requested.push(String(n));
      if (n > 50) throw new Error("runaway listing");
      return { value: [referral(`r${n}`)], "@odata.nextLink": `?$skiptoken=${n + 1}` };
    };
    const seen: number[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const page of paginateReferrals({ firstUrl: LIST, maxPages: 3, fetchPage: endless })) seen.push(page.pageNumber);
      })(),
    );
    expect(PcReferralsError.hasCode(error, "page_limit_exceeded")).toBe(true);
    expect(error).toMatchObject({ maxPages: 3 });
    expect(seen).toEqual([1, 2, 3]);
    // The page past the cap is never asked for.
    expect(requested).toEqual(["0", "1", "2"]);
  });

  it("item 7: a listing that ends exactly at maxPages completes", async () => {
    const service = scripted({
      "": { value: [referral("a")], "@odata.nextLink": "?$skiptoken=p2" },
      p2: { value: [referral("b")] },
    });
    const pages = await collect(paginateReferrals({ firstUrl: LIST, maxPages: 2, fetchPage: service.fetchPage }));
    expect(pages.map((p) => p.pageNumber)).toEqual([1, 2]);
  });

  it("stops with the abort reason before fetching the next page", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const service = scripted({
      "": { value: [referral("a")], "@odata.nextLink": "?$skiptoken=p2" },
      p2: { value: [referral("b")] },
    });
    const iterate = async () => {
      for await (const _page of paginateReferrals({ firstUrl: LIST, maxPages: 100, fetchPage: service.fetchPage, signal: controller.signal })) {
        controller.abort(reason);
      }
    };
    await expect(iterate()).rejects.toBe(reason);
    expect(service.requested).toEqual([""]);
  });
});
