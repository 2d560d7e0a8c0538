// Lead-list filter (issue 10): the domain_referrals view of migration 0004, joined on domain from a
// host table in the same database, its plan (an index lookup per lead), and its up/down.
import { PcReferralsError } from "@pc-referrals/core";
import { makeProcessedPage, makeProcessedReferral } from "@pc-referrals/core/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../src/index.js";
import { BACKENDS, useBackend } from "./backends.js";
import { seedReferralsSql } from "./seed.js";

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

/** The query pg-store's README gives hosts whose leads live in the same database. */
const hostQuery = (leads: string, schema: string): string =>
  `SELECT leads.id, leads.domain, r.referral_types, r.latest_status, r.referral_count
   FROM ${leads} leads
   LEFT JOIN "${schema}".domain_referrals r ON r.domain = leads.domain
   WHERE 'co-sell' = ANY(r.referral_types)
   ORDER BY leads.id`;

const at = (day: number): string => `2025-03-${String(day).padStart(2, "0")}T00:00:00.000Z`;

describe.each(BACKENDS)("lead-list filter: the domain_referrals view on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename, { ownDatabase: true });

  it("migration 0004 creates the view with the documented columns; down drops only the view", async () => {
    const schema = h.schemaNamed("updown");
    const store = h.store({ schema });
    await store.migrate();
    const columns = await h.sql<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = 'domain_referrals' ORDER BY ordinal_position`,
      [schema],
    );
    expect(columns.map((c) => [c.column_name, c.data_type])).toEqual([
      ["domain", "text"],
      ["referral_types", "ARRAY"],
      ["latest_status", "text"],
      ["referral_count", "bigint"],
      ["latest_referral_id", "text"],
      ["latest_updated_at", "timestamp with time zone"],
      ["tenant", "text"],
    ]);
    await store.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "kept" })]));

    // Down to 0003 (the later migrations first), then up again.
    const since4 = MIGRATIONS.filter((m) => m.id >= 4).map(({ id, name }) => ({ id, name }));
    expect(await store.rollback(since4.length)).toEqual([...since4].reverse());
    expect(await h.sql(`SELECT to_regclass('"${schema}".domain_referrals') AS v`)).toEqual([{ v: null }]);
    expect(await h.sql(`SELECT referral_id FROM "${schema}".referrals`)).toEqual([{ referral_id: "kept" }]);
    const error = await store.listReferralDomains({}).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "store_error")).toBe(true);

    expect(await store.migrate()).toEqual(since4);
    expect((await store.listReferralDomains({})).items.map((row) => [row.domain, row.latestReferralId])).toEqual([
      ["contoso.com", "kept"],
    ]);
  });

  it("joins a host's leads table on domain and filters it by referral type", async () => {
    const store = h.store();
    await store.applyBatch(
      makeProcessedPage([
        makeProcessedReferral({ referralId: "r1", domain: "contoso.com", referralType: "marketplace", status: "Closed", remoteUpdatedAt: at(1) }),
        makeProcessedReferral({ referralId: "r2", domain: "contoso.com", referralType: "co-sell", status: "Active", remoteUpdatedAt: at(2) }),
        makeProcessedReferral({ referralId: "r3", domain: "fabrikam.com", referralType: "marketplace" }),
        makeProcessedReferral({ referralId: "r4", domain: "tailspin.example", referralType: "co-sell", status: "New" }),
        makeProcessedReferral({ referralId: "r5", domain: null, referralType: "co-sell" }),
      ]),
    );
    const leads = `"${h.schema}".leads`;
    await h.sql(`CREATE TABLE ${leads} (id integer PRIMARY KEY, domain text)`);
    await h.sql(
      `INSERT INTO ${leads} (id, domain) VALUES (1, 'contoso.com'), (2, 'fabrikam.com'), (3, 'nowhere.example'),
       (4, 'tailspin.example'), (5, NULL), (6, 'CONTOSO.COM'), (7, 'contoso.com')`,
    );
    const rows = await h.sql<Record<string, unknown>>(hostQuery(leads, h.schema));
    expect(rows.map((r) => ({ ...r, referral_count: Number(r.referral_count) }))).toEqual([
      { id: 1, domain: "contoso.com", referral_types: ["co-sell", "marketplace"], latest_status: "Active", referral_count: 2 },
      { id: 4, domain: "tailspin.example", referral_types: ["co-sell"], latest_status: "New", referral_count: 1 },
      { id: 7, domain: "contoso.com", referral_types: ["co-sell", "marketplace"], latest_status: "Active", referral_count: 2 },
    ]);
    // Without the WHERE, every lead stays and those without a referral get NULLs (a "Referral" column).
    const all = await h.sql<{ id: number; types: string[] | null }>(
      `SELECT leads.id, r.referral_types AS types FROM ${leads} leads
       LEFT JOIN "${h.schema}".domain_referrals r ON r.domain = leads.domain ORDER BY leads.id`,
    );
    expect(all.map((r) => [r.id, r.types])).toEqual([
      [1, ["co-sell", "marketplace"]],
      [2, ["marketplace"]],
      [3, null],
      [4, ["co-sell"]],
      [5, null],
      [6, null],
      [7, ["co-sell", "marketplace"]],
    ]);
    await h.sql(`DROP TABLE ${leads}`);
  });

  describe("at 40,000 referrals on 20,000 domains", () => {
    const COUNT = 40_000;
    let schema = "";
    let leads = "";

    beforeAll(async () => {
      schema = h.schemaNamed("scale");
      leads = `"${schema}".leads`;
      await h.store({ schema }).migrate();
      for (const [i, statement] of seedReferralsSql(schema).entries()) await h.sql(statement, i === 0 ? [COUNT] : []);
      await h.sql(`CREATE TABLE ${leads} (id integer PRIMARY KEY, domain text)`);
      // 200 leads: most have referrals (domain<k>.example), every tenth has none.
      await h.sql(
        `INSERT INTO ${leads} SELECT i, CASE WHEN i % 10 = 0 THEN 'lead' || i || '.example' ELSE 'domain' || (i * 37) || '.example' END
         FROM generate_series(1, 200) AS i`,
      );
      await h.sql(`ANALYZE ${leads}`);
    }, 180_000);

    it("looks each lead's domain up in referrals_domain_idx instead of reading every referral (EXPLAIN)", async () => {
      const [row] = await h.sql<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${hostQuery(leads, schema)}`);
      const json = row?.["QUERY PLAN"];
      const parsed = (typeof json === "string" ? JSON.parse(json) : json) as Array<{ Plan: PlanNode }>;
      const plan = nodes((parsed[0] as { Plan: PlanNode }).Plan);
      const onReferrals = plan.filter((n) => n["Relation Name"] === "referrals");
      expect(onReferrals.length).toBeGreaterThan(0);
      expect(onReferrals.map((n) => n["Node Type"])).not.toContain("Seq Scan");
      expect(plan.some((n) => n["Index Name"] === "referrals_domain_idx" && n["Node Type"] === "Index Scan")).toBe(true);
      expect(plan.map((n) => n["Node Type"])).not.toContain("HashAggregate");
    });

    it("returns what a plain GROUP BY over the referrals gives, for every domain", async () => {
      const reference = `SELECT domain, array_agg(DISTINCT referral_type ORDER BY referral_type) AS referral_types,
          count(*) AS referral_count,
          (array_agg(referral_id ORDER BY remote_updated_at DESC NULLS LAST, referral_id))[1] AS latest_referral_id
        FROM "${schema}".referrals WHERE domain IS NOT NULL GROUP BY domain`;
      const view = `SELECT domain, referral_types, referral_count, latest_referral_id FROM "${schema}".domain_referrals`;
      const [diff] = await h.sql<{ n: number }>(
        `SELECT (SELECT count(*) FROM (${reference} EXCEPT ${view}) a)::int + (SELECT count(*) FROM (${view} EXCEPT ${reference}) b)::int AS n`,
      );
      expect(diff?.n).toBe(0);
      const [all] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".domain_referrals`);
      expect(all?.n).toBe(20_000);
    });

    it("pages the store's list with the total of the view's matching rows", async () => {
      const [coSell] = await h.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".domain_referrals WHERE 'co-sell' = ANY(referral_types)`,
      );
      const page = await h.store({ schema }).listReferralDomains({ referralType: "co-sell", page: 3, pageSize: 500 });
      expect([page.total, page.items.length]).toEqual([coSell?.n, 500]);
      expect(page.items.every((row) => row.referralTypes.includes("co-sell"))).toBe(true);
    });

    it("gives the host query exactly the leads with a co-sell referral", async () => {
      const rows = await h.sql<{ id: number }>(hostQuery(leads, schema));
      const expected = await h.sql<{ id: number }>(
        `SELECT id FROM ${leads} l WHERE EXISTS
           (SELECT 1 FROM "${schema}".referrals r WHERE r.domain = l.domain AND r.referral_type = 'co-sell') ORDER BY id`,
      );
      expect(expected.length).toBeGreaterThan(50);
      expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    });
  });
});
