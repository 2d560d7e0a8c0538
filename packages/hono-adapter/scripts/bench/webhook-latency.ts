// Webhook latency: from a referral created in the fake Partner Center to its row in the store,
// through the signed delivery, the route, the verifier, the receiver and engine.syncReferral.
// Median of 20 by default. `tsx scripts/bench/webhook-latency.ts [samples] [coalesceMs]` prints it.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import {
  createMemoryStore,
  createPartnerCenterClient,
  createStaticTokenProvider,
  createSyncEngine,
  createWebhookReceiver,
  createWebhookVerifier,
} from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter } from "@pc-referrals/core/testing";
import { Hono } from "hono";
import { createReferralRoutes } from "../../src/index.js";

/** Figures of one bench run, in milliseconds. */
export interface WebhookLatency {
  medianMs: number;
  minMs: number;
  maxMs: number;
  samples: number[];
}

/** Creates `samples` referrals one after another and times each until the store emits it (the receiver's default coalescing unless given). */
export async function benchWebhookLatency(options: { samples?: number; coalesceMs?: number } = {}): Promise<WebhookLatency> {
  const count = options.samples ?? 20;
  const fake = await startFakePartnerCenter({ referrals: generateReferrals(20, { seed: 3 }) });
  const client = createPartnerCenterClient({ baseUrl: fake.url, tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()) });
  const store = createMemoryStore();
  const engine = createSyncEngine({ client, store, enabled: true });
  const receiver = createWebhookReceiver({ engine, ...(options.coalesceMs === undefined ? {} : { coalesceMs: options.coalesceMs }) });
  const verifier = createWebhookVerifier({ allowedCertificateHosts: [new URL(fake.url).host] });
  const app = new Hono();
  app.route("/api/referrals", createReferralRoutes({ engine, store, unsafeAllowAll: true, webhooks: { receiver, verifier } }));
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }) as Server;
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once("listening", () => resolve())));
  const port = (server.address() as AddressInfo).port;
  fake.webhooks.setRegistration({ webhookUrl: `http://127.0.0.1:${port}/api/referrals/webhooks/partner-center`, webhookEvents: ["referral-created", "referral-updated"] });
  const samples: number[] = [];
  try {
    // A poll first, so the samples measure updates of a warm store and a template the pipeline keeps.
    await engine.run({ trigger: "manual" });
    const [first] = (await store.queryInbox({ pageSize: 1 })).items;
    const template = first === undefined ? null : (await store.getReferral(first.referralId))?.payload;
    if (!template) throw new Error("the fake's referrals were all skipped: no template to create from");
    for (let i = 0; i < count; i += 1) {
      const id = `bench-webhook-${i}`;
      const stored = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`referral ${id} did not arrive through the webhook within 30 s`)), 30_000);
        const off = engine.on("referral.ingested", (e) => {
          if (e.referralId !== id) return;
          clearTimeout(timer);
          off();
          resolve();
        });
      });
      const started = performance.now();
      fake.create({ ...structuredClone(template), id });
      await stored;
      samples.push(performance.now() - started);
      if ((await store.getReferral(id)) === null) throw new Error(`referral ${id} was announced but not stored`);
    }
  } finally {
    await receiver.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await client.close();
    await fake.stop();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { medianMs, minMs: sorted[0] ?? 0, maxMs: sorted[sorted.length - 1] ?? 0, samples };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const samples = process.argv[2] === undefined ? 20 : Number(process.argv[2]);
  const coalesceMs = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  const result = await benchWebhookLatency({ samples, ...(coalesceMs === undefined ? {} : { coalesceMs }) });
  const round = (ms: number) => Math.round(ms * 10) / 10;
  console.log(`webhook latency (fake create → store row), ${result.samples.length} samples${coalesceMs === undefined ? ", default coalescing" : `, coalesceMs ${coalesceMs}`}`);
  console.log(`  median ${round(result.medianMs)} ms, min ${round(result.minMs)} ms, max ${round(result.maxMs)} ms`);
}
