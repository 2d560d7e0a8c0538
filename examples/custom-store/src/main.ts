// `pnpm start`: a sync of 500 generated referrals from core's fake Partner Center into
// ./.pc-referrals/json-store.json (STORE_FILE to change it). Run it again: the second run is
// incremental, because the cursor and the referrals came back from the file.
import { createPartnerCenterClient, createStaticTokenProvider, createSyncEngine } from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter } from "@pc-referrals/core/testing";
import { createJsonFileStore } from "./json-file-store.js";

const path = process.env.STORE_FILE ?? ".pc-referrals/json-store.json";
const fake = await startFakePartnerCenter({ referrals: generateReferrals(500, { seed: 1 }) });
const store = createJsonFileStore({ path });
const client = createPartnerCenterClient({ baseUrl: fake.url, tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()) });
const engine = createSyncEngine({ client, store, enabled: true });
try {
  const before = await store.getSyncStatus("default");
  const report = await engine.run({ trigger: "manual" });
  const c = report.counts;
  console.log(`${before.cursor === null ? "first" : "incremental"} run ${report.status}: ${c.pages} page(s), ${c.fetched} fetched, ${c.ingested} new, ${c.updated} updated, ${c.unchanged} unchanged`);
  const inbox = await store.queryInbox({ pageSize: 5 });
  for (const row of inbox.items) console.log(`  ${row.referralType.padEnd(17)} ${(row.customerName ?? "").padEnd(32)} ${row.domain ?? ""}`);
  console.log(`${inbox.total} referrals in ${path}`);
} finally {
  await client.close();
  await fake.stop();
}
