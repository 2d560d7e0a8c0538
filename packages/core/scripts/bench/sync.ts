// End-to-end sync on the memory store (`sync.ts <count>`): is 2,000 referrals well under the seeds'
// 5 minutes, and does a second, incremental run stop after one page? The memory store keeps every
// referral, so its retained heap grows with the count by design; paging.ts checks the client is flat.
import { createMemoryStore } from "../../src/index.js";
import { report } from "./kit.js";
import { benchSync } from "./sync-harness.js";

const count = Number(process.argv[2] ?? 2_000);
if (!Number.isInteger(count) || count < 1) throw new Error("usage: sync.ts <count>");
await report(await benchSync({ bench: "sync memory", count, store: createMemoryStore() }));
