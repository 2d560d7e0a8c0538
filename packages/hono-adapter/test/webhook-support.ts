// Webhook-test set-up: the fake Partner Center delivering signed events over real HTTP to the
// routes on a Node server, with the real verifier, receiver, engine and memory store.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createSign } from "node:crypto";
import { serve } from "@hono/node-server";
import {
  createMemoryStore,
  createPartnerCenterClient,
  createStaticTokenProvider,
  createSyncEngine,
  createWebhookReceiver,
  createWebhookVerifier,
  type Logger,
  type MemoryStore,
  type SyncEngine,
  type WebhookReceiver,
  type WebhookReceiverOptions,
} from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter, type FakePartnerCenter, type FakeWebhooksOptions, type SelfSignedCertificate } from "@pc-referrals/core/testing";
import { Hono } from "hono";
import { createReferralRoutes } from "../src/index.js";
import { bearerAuthorize, HOST_TOKEN, MOUNT } from "./route-harness.js";

/** A logger that keeps every entry, to prove what is (not) logged. */
export function recordingLogger() {
  const entries: Array<{ level: string; data: unknown; message: string | undefined }> = [];
  const at = (level: string) => (data: unknown, message?: string) => void entries.push({ level, data, message });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, entries };
}

export interface WebhookHarness {
  fake: FakePartnerCenter;
  store: MemoryStore;
  engine: SyncEngine;
  receiver: WebhookReceiver;
  app: Hono;
  /** `http://127.0.0.1:<port><MOUNT>/webhooks/partner-center` */
  webhookUrl: string;
  logs: ReturnType<typeof recordingLogger>["entries"];
  /** Posts `body` to the route in-process, signed with `certificate` (default the fake's). */
  post(body: string, options?: { signedBody?: string; certificate?: SelfSignedCertificate; certificateUrl?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Ids of the fake's referrals that the pipeline stores (no spam, invalid or filtered ones), sorted. */
  ids: string[];
  /** A copy of a storable referral under a new id, for `fake.create`. */
  freshReferral(id: string): Record<string, unknown>;
  /** GETs of one referral the fake served. */
  reads(): string[];
  stop(): Promise<void>;
}

export async function startWebhookHarness(
  options: { count?: number; receiver?: Partial<Omit<WebhookReceiverOptions, "engine">>; webhooks?: FakeWebhooksOptions; register?: boolean } = {},
): Promise<WebhookHarness> {
  const fake = await startFakePartnerCenter({ referrals: generateReferrals(options.count ?? 30, { seed: 21 }), webhooks: { retryBaseDelayMs: 1, ...options.webhooks } });
  const client = createPartnerCenterClient({ baseUrl: fake.url, tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()) });
  // Which referrals the pipeline stores, found with a scratch store so the store under test starts empty.
  const scratch = createMemoryStore();
  await createSyncEngine({ client, store: scratch, enabled: true }).run({ trigger: "manual" });
  const ids = (await scratch.queryInbox({ pageSize: 100 })).items.map((row) => row.referralId).sort();
  const template = (await scratch.getReferral(ids[0] ?? ""))?.payload ?? {};
  fake.requests.length = 0;
  const store = createMemoryStore();
  const { logger, entries } = recordingLogger();
  const engine = createSyncEngine({ client, store, enabled: true });
  const receiver = createWebhookReceiver({ engine, coalesceMs: 60_000, logger, ...options.receiver });
  const verifier = createWebhookVerifier({ allowedCertificateHosts: [new URL(fake.url).host] });
  const app = new Hono();
  app.route(MOUNT, createReferralRoutes({ engine, store, authorize: bearerAuthorize, webhooks: { receiver, verifier, logger } }));
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }) as Server;
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once("listening", () => resolve())));
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${MOUNT}/webhooks/partner-center`;
  if (options.register !== false) fake.webhooks.setRegistration({ webhookUrl, webhookEvents: ["referral-created", "referral-updated", "test-created"] });
  const byIdPath = "/v1.0/engagements/referrals/";
  return {
    fake,
    store,
    engine,
    receiver,
    app,
    webhookUrl,
    logs: entries,
    ids,
    freshReferral: (id) => ({ ...structuredClone(template), id }),
    post(body, o = {}) {
      const certificate = o.certificate ?? fake.webhooks.certificate;
      const signature = createSign("sha256").update(o.signedBody ?? body, "utf8").sign(certificate.privateKey).toString("base64");
      return Promise.resolve(
        app.request(`${MOUNT}/webhooks/partner-center`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Signature ${signature}`,
            "x-ms-certificate-url": o.certificateUrl ?? fake.webhooks.certificateUrl,
            "x-ms-signature-algorithm": "rsa-sha256",
            ...o.headers,
          },
          body,
        }),
      );
    },
    reads: () => fake.requests.filter((r) => r.method === "GET" && r.path.startsWith(byIdPath)).map((r) => decodeURIComponent(r.path.slice(byIdPath.length))),
    async stop() {
      await receiver.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.stop();
    },
  };
}

/** A PascalCase event body as Partner Center sends it. */
export function eventBody(eventName: string, referralId: string, changedAt: string): string {
  return JSON.stringify({
    EventName: eventName,
    ResourceUri: `https://api.partnercenter.microsoft.com/engagements/v1/referrals/${referralId}`,
    ResourceName: "referral",
    AuditUri: null,
    ResourceChangeUtcDate: changedAt,
  });
}

export { HOST_TOKEN };
