// listReferralDomains: one row per domain (types, count, newest referral), the type filter, order,
// paging and its bounds, and domains stored verbatim.
import { describe, expect, it } from "vitest";
import type { ReferralDomainRow, ReferralDomainsQuery, Store } from "../../store/store.js";
import { makeProcessedReferral } from "../processed-fixtures.js";
import { HOSTILE_STRINGS } from "./hostile-strings.js";
import { applyReferrals, type ConformanceContext, expectErrorCode, instant } from "./context.js";

/** The keys of a referral-domain row, sorted; rows must have exactly these. */
const ROW_KEYS = ["domain", "latestReferralId", "latestStatus", "latestUpdatedAt", "referralCount", "referralTypes"];

const at = (day: number): string => `2025-03-${String(day).padStart(2, "0")}T00:00:00.000Z`;

/** contoso.com: 3 referrals of two types, newest r2; fabrikam.com: 1; r9 has no domain. */
async function seedDomains(store: Store): Promise<void> {
  await applyReferrals(store, [
    makeProcessedReferral({ referralId: "r1", domain: "contoso.com", referralType: "solution-provider", status: "Closed", remoteUpdatedAt: at(1) }),
    makeProcessedReferral({ referralId: "r2", domain: "contoso.com", referralType: "co-sell", status: "Active", remoteUpdatedAt: at(3) }),
    makeProcessedReferral({ referralId: "r3", domain: "contoso.com", referralType: "solution-provider", status: "New", remoteUpdatedAt: null }),
    makeProcessedReferral({ referralId: "r4", domain: "fabrikam.com", referralType: "marketplace", status: null, remoteUpdatedAt: at(2) }),
    makeProcessedReferral({ referralId: "r9", domain: null, referralType: "co-sell", remoteUpdatedAt: at(9) }),
  ]);
}

const CONTOSO: ReferralDomainRow = {
  domain: "contoso.com",
  referralTypes: ["co-sell", "solution-provider"],
  latestStatus: "Active",
  referralCount: 3,
  latestReferralId: "r2",
  latestUpdatedAt: at(3),
};
const FABRIKAM: ReferralDomainRow = {
  domain: "fabrikam.com",
  referralTypes: ["marketplace"],
  latestStatus: null,
  referralCount: 1,
  latestReferralId: "r4",
  latestUpdatedAt: at(2),
};

async function list(store: Store, query: ReferralDomainsQuery = {}): Promise<{ items: ReferralDomainRow[]; total: number; page: number; pageSize: number }> {
  const page = await store.listReferralDomains(query);
  return { ...page, items: page.items.map((row) => ({ ...row, latestUpdatedAt: instant(row.latestUpdatedAt) })) };
}

const domainsOf = async (store: Store, query: ReferralDomainsQuery = {}): Promise<string[]> =>
  (await store.listReferralDomains(query)).items.map((row) => row.domain);

export function describeReferralDomains<S extends Store>(ctx: ConformanceContext<S>): void {
  describe("lead-list filter: listReferralDomains", () => {
    it("lists each domain once with its types in REFERRAL_TYPES order, its count and its newest referral; no domain, no row", async () => {
      await seedDomains(ctx.store);
      const page = await list(ctx.store);
      expect(page).toEqual({ items: [CONTOSO, FABRIKAM], total: 2, page: 1, pageSize: 100 });
      expect(page.items.map((row) => Object.keys(row).sort())).toEqual([ROW_KEYS, ROW_KEYS]);
    });

    it("returns an empty first page on an empty store", async () => {
      expect(await list(ctx.store)).toEqual({ items: [], total: 0, page: 1, pageSize: 100 });
    });

    it.each([
      { name: "the latest updatedAt wins over a smaller id", ids: ["b", "a"], updated: [at(2), at(1)], latest: "b" },
      { name: "a tie on updatedAt goes to the smaller referralId", ids: ["b", "a", "c"], updated: [at(2), at(2), at(1)], latest: "a" },
      { name: "a referral without updatedAt counts as oldest", ids: ["a", "b"], updated: [null, at(1)], latest: "b" },
      { name: "without any updatedAt, the smaller referralId", ids: ["b", "a"], updated: [null, null], latest: "a" },
      { name: "instants compare as time, not as text", ids: ["a", "b"], updated: ["2025-03-01T23:00:00.000-05:00", "2025-03-02T03:00:00.000Z"], latest: "a" },
    ])("picks the newest referral: $name", async ({ ids, updated, latest }) => {
      await applyReferrals(
        ctx.store,
        ids.map((referralId, i) => makeProcessedReferral({ referralId, status: `status of ${referralId}`, remoteUpdatedAt: updated[i] ?? null })),
      );
      const latestIndex = ids.indexOf(latest);
      const [row] = (await list(ctx.store)).items;
      expect(row).toEqual({
        domain: "contoso.com",
        referralTypes: ["co-sell"],
        latestStatus: `status of ${latest}`,
        referralCount: ids.length,
        latestReferralId: latest,
        latestUpdatedAt: instant(updated[latestIndex] ?? null),
      });
    });

    it.each([
      { referralType: "co-sell", rows: [CONTOSO] },
      { referralType: "solution-provider", rows: [CONTOSO] },
      { referralType: "marketplace", rows: [FABRIKAM] },
    ] as const)("filters by type $referralType, each row still showing every type and the full count", async ({ referralType, rows }) => {
      await seedDomains(ctx.store);
      expect(await list(ctx.store, { referralType })).toEqual({ items: rows, total: rows.length, page: 1, pageSize: 100 });
    });

    it("follows a referral that moved to another domain, type or status", async () => {
      await seedDomains(ctx.store);
      await applyReferrals(ctx.store, [
        makeProcessedReferral({ referralId: "r2", domain: "fabrikam.com", referralType: "co-sell", status: "Won", remoteUpdatedAt: at(4), contentHash: "hash-2" }),
      ]);
      const page = await list(ctx.store);
      expect(page.items).toEqual([
        { ...CONTOSO, referralTypes: ["solution-provider"], latestStatus: "Closed", referralCount: 2, latestReferralId: "r1", latestUpdatedAt: at(1) },
        { ...FABRIKAM, referralTypes: ["co-sell", "marketplace"], latestStatus: "Won", referralCount: 2, latestReferralId: "r2", latestUpdatedAt: at(4) },
      ]);
      expect(await domainsOf(ctx.store, { referralType: "co-sell" })).toEqual(["fabrikam.com"]);
    });

    it("orders by domain in code point order (PostgreSQL's \"C\" collation), case-sensitively", async () => {
      // Ａ (U+FF21) precedes 𝕳 (U+1D573) by code point, though not by UTF-16 unit.
      const domains = ["b.example", "a.example", "Z.example", "ä.example", "\u{1D573}.example", "\uFF21.example", "aa.example", "a-b.example"];
      await applyReferrals(ctx.store, domains.map((domain, i) => makeProcessedReferral({ referralId: `r${i}`, domain })));
      expect(await domainsOf(ctx.store)).toEqual([
        "Z.example",
        "a-b.example",
        "a.example",
        "aa.example",
        "b.example",
        "ä.example",
        "\uFF21.example",
        "\u{1D573}.example",
      ]);
    });

    it("pages through the ordered domains with the total of all pages", async () => {
      const domains = ["e.example", "a.example", "d.example", "b.example", "c.example"];
      await applyReferrals(ctx.store, domains.map((domain, i) => makeProcessedReferral({ referralId: `r${i}`, domain })));
      const pages = await Promise.all([1, 2, 3, 4].map((page) => ctx.store.listReferralDomains({ page, pageSize: 2 })));
      expect(pages.map((p) => p.items.map((row) => row.domain))).toEqual([
        ["a.example", "b.example"],
        ["c.example", "d.example"],
        ["e.example"],
        [],
      ]);
      expect(pages.map((p) => [p.total, p.page, p.pageSize])).toEqual([
        [5, 1, 2],
        [5, 2, 2],
        [5, 3, 2],
        [5, 4, 2],
      ]);
    });

    it("pages a type filter and counts only the matching domains", async () => {
      await applyReferrals(
        ctx.store,
        Array.from({ length: 7 }, (_, i) =>
          makeProcessedReferral({ referralId: `r${i}`, domain: `d${i}.example`, referralType: i % 2 === 0 ? "co-sell" : "marketplace" }),
        ),
      );
      const second = await ctx.store.listReferralDomains({ referralType: "co-sell", page: 2, pageSize: 3 });
      expect([second.items.map((row) => row.domain), second.total]).toEqual([["d6.example"], 4]);
    });

    it("returns 100 domains a page by default and up to 500 when asked", async () => {
      await applyReferrals(
        ctx.store,
        Array.from({ length: 501 }, (_, i) => makeProcessedReferral({ referralId: `r${i}`, domain: `d${String(i).padStart(3, "0")}.example` })),
      );
      const first = await ctx.store.listReferralDomains({});
      expect([first.items.length, first.items[99]?.domain, first.total, first.pageSize]).toEqual([100, "d099.example", 501, 100]);
      const largest = await ctx.store.listReferralDomains({ pageSize: 500, page: 2 });
      expect([largest.items.map((row) => row.domain), largest.total]).toEqual([["d500.example"], 501]);
    });

    it.each<ReferralDomainsQuery>([
      { page: 0 },
      { page: -1 },
      { page: 1.5 },
      { page: Number.NaN },
      { page: "2" as unknown as number },
      { pageSize: 0 },
      { pageSize: -10 },
      { pageSize: 2.5 },
      { pageSize: 501 },
      { pageSize: Number.POSITIVE_INFINITY },
      { referralType: "lead" as unknown as "co-sell" },
    ])("rejects %o as invalid_input", async (query) => {
      await seedDomains(ctx.store);
      await expectErrorCode(ctx.store.listReferralDomains(query), "invalid_input");
    });

    it("lists unicode and hostile domains verbatim, each its own row", async () => {
      // Indexed columns get at most 300 characters, as in the hostile-strings tests.
      const domains = [...new Set(HOSTILE_STRINGS.map((text) => text.slice(0, 300)))];
      await applyReferrals(ctx.store, domains.map((domain, i) => makeProcessedReferral({ referralId: `r${i}`, domain, status: domain })));
      const page = await ctx.store.listReferralDomains({ pageSize: 500 });
      expect(page.total).toBe(domains.length);
      expect(new Map(page.items.map((row) => [row.domain, [row.latestStatus, row.latestReferralId]]))).toEqual(
        new Map(domains.map((domain, i) => [domain, [domain, `r${i}`]])),
      );
    });
  });
}
