// Inbox timings at scale on PostgreSQL: seeds N referrals into a scratch schema, times each inbox
// query (page + total) as the store runs it, prints a table, drops the schema.
// Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --conditions=@pc-referrals/source --import tsx scripts/bench-inbox.ts [count]
import type { InboxQuery } from "@pc-referrals/core";
import pg from "pg";
import { createPgStore } from "../src/index.js";
import { seedReferralsSql } from "../test/seed.js";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("Set DATABASE_URL.");
const count = Number(process.argv[2] ?? 100_000);
const schema = "pcr_bench_inbox";
const pool = new pg.Pool({ connectionString: url, max: 4 });
const store = createPgStore({ pool, schema });

const queries: Array<[string, InboxQuery]> = [
  ["first page, no filter", {}],
  ["page 100 (offset 4950)", { page: 100 }],
  ["type = marketplace", { referralType: "marketplace" }],
  ["status = active", { status: "active" }],
  ["linkStatus = manual_linked", { linkStatus: "manual_linked" }],
  ["type + status + link", { referralType: "co-sell", status: "new", linkStatus: "unlinked" }],
  ["q = referral id", { q: "ref-0054321" }],
  ["q = customer substring", { q: "customer 4242" }],
  ["q = domain", { q: "domain1234.example" }],
  ["q matching nothing", { q: "zzzz-no-match" }],
  ["pageSize 500", { pageSize: 500 }],
];

try {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await store.migrate();
  const [insert, analyze] = seedReferralsSql(schema) as [string, string];
  await pool.query(insert, [count]);
  await pool.query(analyze);
  console.log(`${count} referrals; median of 7 runs after 2 warm-ups (page and total run in parallel)\n`);
  for (const [label, query] of queries) {
    const times: number[] = [];
    let total = 0;
    for (let i = 0; i < 9; i++) {
      const start = performance.now();
      total = (await store.queryInbox(query)).total;
      if (i >= 2) times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(`${label.padEnd(32)} ${(times[3] ?? 0).toFixed(1).padStart(7)} ms   total ${total}`);
  }
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await store.close();
  await pool.end();
}
