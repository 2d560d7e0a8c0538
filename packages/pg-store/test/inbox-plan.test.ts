// The inbox at 100,000 referrals: EXPLAIN shows each page query walking an index in inbox order
// (no sequential scan, no sort), the filters' counts reading indexes only, a search reading the
// trigram index, and the store's totals without a search reading referral_counts alone.
import type { InboxQuery } from "@pc-referrals/core";
import { beforeAll, describe, expect, it } from "vitest";
import { inboxFilter, inboxPageSql, inboxTotalSql } from "../src/queries/inbox.js";
import { tablesOf } from "../src/schema.js";
import { BACKENDS, useBackend } from "./backends.js";
import { seedReferralsSql } from "./seed.js";

const COUNT = 100_000;

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe.each(BACKENDS)("inbox plans at 100,000 referrals on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename, { ownDatabase: true });
  const t = tablesOf(h.schema);

  beforeAll(async () => {
    for (const [i, statement] of seedReferralsSql(h.schema).entries()) await h.sql(statement, i === 0 ? [COUNT] : []);
  }, 120_000);

  const explain = async (text: string, params: unknown[]): Promise<PlanNode[]> => {
    const [row] = await h.sql<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
    const json = row?.["QUERY PLAN"];
    const parsed = (typeof json === "string" ? JSON.parse(json) : json) as Array<{ Plan: PlanNode }>;
    return nodes((parsed[0] as { Plan: PlanNode }).Plan);
  };

  it.each<[string, InboxQuery, string]>([
    ["no filter", {}, "referrals_inbox_order_idx"],
    ["a later page", { page: 40, pageSize: 100 }, "referrals_inbox_order_idx"],
    ["referral type", { referralType: "solution-provider" }, "referrals_"],
    ["status (any case)", { status: "ACTIVE" }, "referrals_"],
    ["link status", { linkStatus: "manual_unlinked" }, "referrals_"],
    ["every filter", { referralType: "co-sell", status: "new", linkStatus: "unlinked" }, "referrals_"],
  ])("reads the page of %s from an index, in order", async (_label, query, index) => {
    const { text, params } = inboxPageSql(t, query);
    const plan = await explain(text, params);
    const types = plan.map((n) => n["Node Type"]);
    expect(types).not.toContain("Seq Scan");
    expect(types).not.toContain("Sort");
    expect(plan.some((n) => n["Index Name"]?.startsWith(index))).toBe(true);
  });

  it.each<[string, InboxQuery, string]>([
    ["referral type", { referralType: "marketplace" }, "referrals_type_idx"],
    ["status", { status: "closed" }, "referrals_status_idx"],
    ["link status", { linkStatus: "auto_linked" }, "referrals_link_status_idx"],
  ])("counts the total of a %s filter from its index", async (_label, query, index) => {
    const { where, params } = inboxFilter(query);
    const plan = await explain(`SELECT count(*) AS total FROM ${t.referrals} ${where}`, params);
    expect(plan.map((n) => n["Node Type"])).not.toContain("Seq Scan");
    expect(plan.some((n) => n["Index Name"] === index)).toBe(true);
  });

  it.each<[string, InboxQuery]>([
    ["a customer-name fragment", { q: "4242" }],
    ["a referral id", { q: "REF-0054321" }],
    ["a domain with a filter", { q: "domain1234.example", status: "active" }],
  ])("item 8: a search for %s reads the trigram index, for the page (either form) and for the total", async (_label, query) => {
    const page = inboxPageSql(t, query);
    const matchedFirst = inboxPageSql(t, query, { matchedFirst: true });
    const total = inboxTotalSql(t, query);
    const plans = [await explain(page.text, page.params), await explain(matchedFirst.text, matchedFirst.params), await explain(total.text, total.params)];
    for (const plan of plans) {
      expect(plan.map((n) => n["Node Type"])).not.toContain("Seq Scan");
      expect(plan.some((n) => n["Index Name"] === "referrals_search_trgm_idx")).toBe(true);
    }
  });

  it.each<[string, InboxQuery]>([
    ["no filter", {}],
    ["status and type", { status: "active", referralType: "co-sell" }],
    ["every filter", { referralType: "marketplace", status: "new", linkStatus: "unlinked" }],
  ])("item 8: the total of %s is summed from referral_counts without reading referrals", async (_label, query) => {
    const { text, params } = inboxTotalSql(t, query);
    const relations = (await explain(text, params)).map((n) => n["Relation Name"] ?? n["Index Name"]).filter(Boolean);
    expect(relations.length).toBeGreaterThan(0);
    expect(relations.every((name) => name?.startsWith("referral_counts"))).toBe(true);
  });

  it("answers the same queries through the store", async () => {
    const store = h.store();
    const first = await store.queryInbox({ pageSize: 3 });
    expect(first.total).toBe(COUNT);
    expect(first.items.map((r) => r.referralId)).toEqual(["ref-0099999", "ref-0099998", "ref-0099997"]);
    const found = await store.queryInbox({ q: "REF-0054321" });
    expect(found.items.map((r) => r.referralId)).toEqual(["ref-0054321"]);
    expect(found.total).toBe(1);
    // A needle every row matches: the page walks the inbox order (the other form), the total stays exact.
    const broad = await store.queryInbox({ q: "customer", pageSize: 3 });
    expect({ total: broad.total, ids: broad.items.map((r) => r.referralId) }).toEqual({ total: COUNT, ids: first.items.map((r) => r.referralId) });
    expect((await store.queryInbox({ status: "active", referralType: "co-sell" })).total).toBe(13_334);
    expect(await store.searchIndex()).toBe("trigram");
    const last = await store.queryInbox({ page: COUNT / 500, pageSize: 500 });
    expect(last.items.at(-1)?.updatedAt).toBeNull();
    expect(last.items).toHaveLength(500);
  });
});
