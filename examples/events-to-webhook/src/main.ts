// `pnpm start`: one sync of 200 generated referrals from the fake Partner Center into the memory
// store, each new co-sell referral posted to WEBHOOK_URL (or, without it, to a local receiver
// that prints what the chat would show), then one expiry check (referral.expiring warnings). Wire `forwardCoSellReferrals` to your own engine the same way.
import { createMemoryStore, createPartnerCenterClient, createStaticTokenProvider, createSyncEngine } from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter } from "@pc-referrals/core/testing";
import { forwardCoSellReferrals } from "./forward.js";
import { startReceiver } from "./receiver.js";

const fake = await startFakePartnerCenter({ referrals: generateReferrals(200, { seed: 7 }) });
const receiver = process.env.WEBHOOK_URL
  ? null
  : await startReceiver((body) => console.log(`chat ← ${(body as { text: string }).text}`));
const store = createMemoryStore();
const client = createPartnerCenterClient({ baseUrl: fake.url, tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()) });
const engine = createSyncEngine({ client, store, enabled: true });
const forwarder = forwardCoSellReferrals(engine, { webhookUrl: process.env.WEBHOOK_URL ?? receiver?.url ?? "", store });

const report = await engine.run({ trigger: "manual" });
// The scheduler runs this check on every tick; one call here shows the warnings it posts.
const expiring = await engine.announceExpiring();
await forwarder.flush();
console.log(
  `sync ${report.status}: ${report.counts.ingested} new referrals, ${expiring.length} expiring soon, ${forwarder.stats.posted} messages posted, ${forwarder.stats.failed} failed`,
);
forwarder.stop();
await client.close();
await receiver?.stop();
await fake.stop();
