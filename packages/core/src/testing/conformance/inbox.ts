// queryInbox (filters, search, order, paging) and manual links.
import { describe, expect, it } from "vitest";
import type { InboxQuery, Store } from "../../store/store.js";
import { makeCompanyUpsert, makeProcessedReferral } from "../processed-fixtures.js";
import {
  applyReferrals,
  type ConformanceContext,
  expectErrorCode,
  INBOX_ROW_KEYS,
  seedCompanies,
  tenantOf,
  withInstants,
} from "./context.js";

/** Five referrals; inbox order (updatedAt desc, nulls last, then id) is r3, r1, r5, r2, r4. */
async function seedInbox(store: Store): Promise<void> {
  await applyReferrals(store, [
    makeProcessedReferral({ referralId: "r1", customerName: "Contoso Ltd", domain: "contoso.com", remoteUpdatedAt: "2025-03-02T00:00:00.000Z" }),
    makeProcessedReferral({
      referralId: "r2",
      referralType: "marketplace",
      status: "Active",
      substatus: "Accepted",
      customerName: "Fabrikam 100% Inc",
      domain: "fabrikam.com",
      remoteUpdatedAt: "2025-03-01T00:00:00.000Z",
    }),
    makeProcessedReferral({
      referralId: "r3",
      referralType: "solution-provider",
      customerName: "Northwind_Traders",
      domain: "northwind.example",
      remoteUpdatedAt: "2025-03-03T00:00:00.000Z",
    }),
    makeProcessedReferral({ referralId: "r4", status: "Closed", customerName: "Back\\slash AG", domain: null, remoteUpdatedAt: null }),
    makeProcessedReferral({
      referralId: "r5",
      referralType: "marketplace",
      status: "active",
      customerName: null,
      domain: "tailspin.example",
      remoteUpdatedAt: "2025-03-02T00:00:00.000Z",
    }),
  ]);
}

async function idsOf(store: Store, query: InboxQuery): Promise<string[]> {
  return (await store.queryInbox(query)).items.map((row) => row.referralId);
}

export function describeInbox<S extends Store>(ctx: ConformanceContext<S>): void {
  describe("queryInbox", () => {
    it("returns inbox rows with exactly the documented keys, page 1 of 50 by default", async () => {
      const referral = makeProcessedReferral({ referralId: "r1", azureTenantId: "tid-1", remoteUpdatedAt: "2025-03-02T00:00:00.000Z" });
      await applyReferrals(ctx.store, [referral], { syncedAt: "2025-03-04T10:00:00.000Z" });
      const page = await ctx.store.queryInbox({});
      expect({ ...page, items: page.items.map(withInstants) }).toEqual({
        items: [
          {
            tenant: tenantOf(ctx.store),
            referralId: "r1",
            referralType: "co-sell",
            status: "New",
            substatus: "Pending",
            customerName: "Contoso Ltd",
            domain: "contoso.com",
            linkStatus: "unlinked",
            linkedCompanyId: null,
            azureTenantId: "tid-1",
            updatedAt: "2025-03-02T00:00:00.000Z",
            syncedAt: "2025-03-04T10:00:00.000Z",
            expiresAt: null,
          },
        ],
        total: 1,
        page: 1,
        pageSize: 50,
      });
      expect(Object.keys(page.items[0] ?? {}).sort()).toEqual(INBOX_ROW_KEYS);
    });

    it("orders by updatedAt descending, rows without it last, ties by referralId", async () => {
      await seedInbox(ctx.store);
      expect(await idsOf(ctx.store, {})).toEqual(["r3", "r1", "r5", "r2", "r4"]);
    });

    it("pages through the ordered rows with the total of all pages", async () => {
      await seedInbox(ctx.store);
      const pages = await Promise.all([1, 2, 3, 4].map((page) => ctx.store.queryInbox({ page, pageSize: 2 })));
      expect(pages.map((p) => p.items.map((row) => row.referralId))).toEqual([["r3", "r1"], ["r5", "r2"], ["r4"], []]);
      expect(pages.map((p) => [p.total, p.page, p.pageSize])).toEqual([
        [5, 1, 2],
        [5, 2, 2],
        [5, 3, 2],
        [5, 4, 2],
      ]);
    });

    it("clamps the page size to 500", async () => {
      await seedInbox(ctx.store);
      const page = await ctx.store.queryInbox({ pageSize: 10_000 });
      expect([page.pageSize, page.items.length, page.total]).toEqual([500, 5, 5]);
    });

    it.each<InboxQuery>([{ page: 0 }, { page: -1 }, { page: 1.5 }, { pageSize: 0 }, { pageSize: -10 }, { pageSize: 2.5 }])(
      "rejects %o as invalid_input",
      async (query) => {
        await expectErrorCode(ctx.store.queryInbox(query), "invalid_input");
      },
    );

    it.each([
      { query: { referralType: "marketplace" }, ids: ["r5", "r2"] },
      { query: { status: "ACTIVE" }, ids: ["r5", "r2"] },
      { query: { status: "closed" }, ids: ["r4"] },
      { query: { linkStatus: "unlinked" }, ids: ["r3", "r1", "r5", "r2", "r4"] },
      { query: { linkStatus: "auto_linked" }, ids: [] },
      { query: { referralType: "marketplace", status: "Active", q: "fabrikam" }, ids: ["r2"] },
    ] satisfies Array<{ query: InboxQuery; ids: string[] }>)("filters by $query", async ({ query, ids }) => {
      await seedInbox(ctx.store);
      const page = await ctx.store.queryInbox(query);
      expect([page.items.map((row) => row.referralId), page.total]).toEqual([ids, ids.length]);
    });

    it.each([
      { q: "CONTOSO", ids: ["r1"], field: "customer name, any case" },
      { q: "wind.EXA", ids: ["r3"], field: "domain" },
      { q: "R4", ids: ["r4"], field: "referral id" },
      { q: "example", ids: ["r3", "r5"], field: "several rows" },
      { q: "100%", ids: ["r2"], field: "a literal %" },
      { q: "%", ids: ["r2"], field: "% alone" },
      { q: "o_t", ids: [], field: "a literal _" },
      { q: "d_t", ids: ["r3"], field: "_ matching itself" },
      { q: "\\", ids: ["r4"], field: "a literal backslash" },
      { q: "k\\s", ids: ["r4"], field: "a backslash between letters" },
      { q: "  ", ids: ["r3", "r1", "r5", "r2", "r4"], field: "blank text as no filter" },
      { q: "", ids: ["r3", "r1", "r5", "r2", "r4"], field: "empty text as no filter" },
    ])("searches $field ($q)", async ({ q, ids }) => {
      await seedInbox(ctx.store);
      expect(await idsOf(ctx.store, { q })).toEqual(ids);
    });

    it.each([
      "'; DROP TABLE referrals; --",
      "\" OR 1=1 --",
      "$1",
      "%_%\\%",
      "\\\\",
      "(?:.*)+$",
      "\u202Egnp.exe",
      "\uD800",
      "\u0000",
      "x".repeat(5000),
    ])("survives hostile search text %#", async (q) => {
      await seedInbox(ctx.store);
      const page = await ctx.store.queryInbox({ q });
      expect([page.items, page.total]).toEqual([[], 0]);
    });

    it.each([{ referralType: "lead" }, { linkStatus: "linked" }])("rejects an unknown filter value %o", async (query) => {
      await expectErrorCode(ctx.store.queryInbox(query as InboxQuery), "invalid_input");
    });
  });

  describe("setManualLink", () => {
    it("links by hand and returns the inbox row", async () => {
      const ids = await seedCompanies(ctx.store, [makeCompanyUpsert()]);
      const contoso = ids["contoso.com"] as string;
      await seedInbox(ctx.store);
      const [before] = (await ctx.store.queryInbox({ q: "r2" })).items;
      const row = await ctx.store.setManualLink({ referralId: "r2", companyId: contoso });
      expect(row && withInstants(row)).toEqual(
        before && withInstants({ ...before, linkStatus: "manual_linked", linkedCompanyId: contoso }),
      );
      expect(await idsOf(ctx.store, { linkStatus: "manual_linked" })).toEqual(["r2"]);
      expect(await ctx.store.getReferral("r2")).toMatchObject({ linkStatus: "manual_linked", linkedCompanyId: contoso });
    });

    it("unlinks by hand", async () => {
      const ids = await seedCompanies(ctx.store, [makeCompanyUpsert()]);
      const contoso = ids["contoso.com"] as string;
      await applyReferrals(ctx.store, [
        makeProcessedReferral({ referralId: "r1", link: { status: "auto_linked", companyId: contoso, candidateIds: [contoso] } }),
      ]);
      const row = await ctx.store.setManualLink({ referralId: "r1", companyId: null });
      expect(row).toMatchObject({ referralId: "r1", linkStatus: "manual_unlinked", linkedCompanyId: null });
      expect(await idsOf(ctx.store, { linkStatus: "manual_unlinked" })).toEqual(["r1"]);
    });

    it("returns null for an unknown referral", async () => {
      expect(await ctx.store.setManualLink({ referralId: "nope", companyId: null })).toBeNull();
    });

    it("rejects a company id that names no company", async () => {
      await seedInbox(ctx.store);
      await expectErrorCode(ctx.store.setManualLink({ referralId: "r1", companyId: "no-such-company" }), "invalid_input");
      expect(await ctx.store.getReferral("r1")).toMatchObject({ linkStatus: "unlinked", linkedCompanyId: null });
    });
  });
}
