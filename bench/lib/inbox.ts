// The inbox entry: `benchInbox({ store, n })` of pg-store's inbox bench (scripts/bench/inbox.ts)
// on a scratch PostgreSQL schema. Loaded when it runs, so the sync bench works without it.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { PgStore } from "@pc-referrals/pg-store";
import type { BenchDatabase } from "./databases.js";
import type { InboxEntry } from "./report.js";

const INBOX_BENCH = fileURLToPath(new URL("../../packages/pg-store/scripts/bench/inbox.ts", import.meta.url));
const SCHEMA = "pcr_bench_inbox";

/** What benchInbox gives back: the worst of first page, filtered and search, as medians with min and max. */
type InboxFigures = Omit<InboxEntry, "n" | "store">;
type BenchInbox = (options: { store: PgStore; n: number }) => Promise<InboxFigures>;

/** The entry, or why there is none. */
export async function runInbox(db: BenchDatabase, n: number): Promise<InboxEntry | string> {
  if (!existsSync(INBOX_BENCH)) return "inbox entry skipped: packages/pg-store/scripts/bench/inbox.ts (benchInbox) is not on this branch yet.";
  const module = (await import(pathToFileURL(INBOX_BENCH).href)) as { benchInbox?: BenchInbox };
  if (typeof module.benchInbox !== "function") return "inbox entry skipped: scripts/bench/inbox.ts exports no benchInbox.";
  const store = await db.freshStore(SCHEMA);
  try {
    const figures = await module.benchInbox({ store, n });
    return { n, store: db.kind, ...figures };
  } finally {
    await store.close();
    await db.dropSchema(SCHEMA);
  }
}
