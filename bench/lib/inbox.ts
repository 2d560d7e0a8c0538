// The inbox entry: pg-store's inbox bench (`benchInbox` of packages/pg-store/scripts/bench/inbox.ts)
// on PostgreSQL. Its schema keeps the loaded referrals between bench runs (the load through
// applyBatch is the slow part), so a rerun only measures. Each of `runs` calls gives p50 and p95
// per query; the entry takes the worst of first page, filtered and search of each call, then the
// median, min and max over the calls.
import { benchInbox } from "../../packages/pg-store/scripts/bench/inbox.js";
import { createPgStore } from "@pc-referrals/pg-store";
import { databaseUrl } from "./databases.js";
import { spread, type InboxEntry } from "./report.js";

export async function runInbox(n: number, runs: number, log: (text: string) => void): Promise<InboxEntry> {
  const store = createPgStore({ connectionString: databaseUrl(), schema: `pcr_bench_inbox_${n}` });
  try {
    await store.migrate();
    const p50: number[] = [];
    const p95: number[] = [];
    for (let run = 0; run < runs; run++) {
      const result = await benchInbox({ store, n, log });
      const measured = [result.firstPage, result.filtered, result.search];
      p50.push(Math.max(...measured.map((p) => p.p50)));
      p95.push(Math.max(...measured.map((p) => p.p95)));
    }
    const [a, b] = [spread(p50), spread(p95)];
    return { n, store: "postgres", inboxP50Ms: a.median, inboxP50MsMin: a.min, inboxP50MsMax: a.max, inboxP95Ms: b.median, inboxP95MsMin: b.min, inboxP95MsMax: b.max };
  } finally {
    await store.close();
  }
}
