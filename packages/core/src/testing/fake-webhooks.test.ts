import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createStaticTokenProvider } from "../auth/static-token-provider.js";
import { WebhookRegistrationConflictError } from "../errors.js";
import { createWebhookRegistrationClient } from "../webhooks/registration-client.js";
import { createWebhookVerifier } from "../webhooks/verifier.js";
import { generateReferrals } from "./generate-referrals.js";
import { FAKE_WEBHOOKS_AUDIENCE, startFakePartnerCenter, type FakePartnerCenter } from "./fake-partner-center.js";

interface Received {
  body: string;
  headers: IncomingMessage["headers"];
}

/** A receiving endpoint that answers with the planned statuses (then 200) and records bodies. */
async function startReceiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ body: Buffer.concat(chunks).toString("utf8"), headers: req.headers });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const firstId = () => (generateReferrals(3, { seed: 5 })[0] as { id: string }).id;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
});

async function setup(options: { statuses?: number[] } = {}) {
  const fake: FakePartnerCenter = await startFakePartnerCenter({ referrals: generateReferrals(3, { seed: 5 }), webhooks: { retryBaseDelayMs: 1 } });
  const receiver = await startReceiver(options.statuses);
  stops.push(() => fake.stop(), () => receiver.close());
  const client = createWebhookRegistrationClient({
    baseUrl: fake.webhooksUrl,
    tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken({ audience: FAKE_WEBHOOKS_AUDIENCE })),
  });
  return { fake, receiver, client };
}

describe("fake webhooks API", () => {
  it("registers, reads, refuses to replace another URL without force, and unregisters", async () => {
    const { fake, client, receiver } = await setup();
    expect(await client.getRegistration()).toBeNull();
    const created = await client.register({ webhookUrl: receiver.url });
    expect(created).toMatchObject({ action: "created", replacedUrl: null, registration: { webhookUrl: receiver.url } });
    expect(await client.register({ webhookUrl: receiver.url })).toMatchObject({ action: "unchanged" });
    fake.webhooks.setRegistration({ webhookUrl: "https://crm-connector.example/hook", webhookEvents: ["referral-created"] });
    const refused = await client.register({ webhookUrl: receiver.url }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WebhookRegistrationConflictError);
    expect((refused as WebhookRegistrationConflictError).currentUrl).toBe("https://crm-connector.example/hook");
    expect(fake.webhooks.registration?.webhookUrl).toBe("https://crm-connector.example/hook");
    const forced = await client.register({ webhookUrl: receiver.url, force: true });
    expect(forced).toMatchObject({ action: "updated", replacedUrl: "https://crm-connector.example/hook" });
    expect(await client.listEvents()).toContain("referral-updated");
    expect(await client.unregister()).toBe(true);
    expect(await client.unregister()).toBe(false);
  });

  it("refuses a token for the referrals API's audience (the webhooks API has its own)", async () => {
    const { fake } = await setup();
    const wrong = createWebhookRegistrationClient({ baseUrl: fake.webhooksUrl, tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()) });
    await expect(wrong.getRegistration()).rejects.toMatchObject({ code: "auth_required" });
  });

  it("delivers signed events on create, PATCH and update(), which the verifier accepts", async () => {
    const { fake, client, receiver } = await setup();
    await client.register({ webhookUrl: receiver.url });
    const token = fake.entra.issueAccessToken();
    const created = await fetch(`${fake.url}/v1.0/engagements/referrals`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Contoso expansion", status: "New", substatus: "Pending" }),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    const patched = await fetch(`${fake.url}/v1.0/engagements/referrals/${id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify([
        { op: "replace", path: "/status", value: "Active" },
        { op: "replace", path: "/substatus", value: "Accepted" },
      ]),
    });
    expect(patched.status).toBe(204);
    fake.update(id, { name: "Contoso expansion II" });
    await fake.webhooks.idle();
    const events = receiver.received.map((r) => JSON.parse(r.body) as { EventName: string; ResourceUri: string; ResourceChangeUtcDate: string });
    expect(events.map((e) => e.EventName)).toEqual(["referral-created", "referral-updated", "referral-updated"]);
    expect(events[0]?.ResourceUri).toBe(`https://api.partnercenter.microsoft.com/engagements/v1/referrals/${id}`);
    expect(new Set(events.map((e) => e.ResourceChangeUtcDate)).size).toBe(3);
    const verifier = createWebhookVerifier({ allowedCertificateHosts: [new URL(fake.url).host] });
    for (const r of receiver.received) {
      expect(r.headers["x-ms-signature-algorithm"]).toBe("rsa-sha256");
      expect(await verifier.verify(r.body, r.headers)).toMatchObject({ ok: true });
    }
  });

  it("retries a non-2xx delivery up to 10 attempts in all", async () => {
    const { fake, client, receiver } = await setup({ statuses: [500, 503, 404] });
    await client.register({ webhookUrl: receiver.url });
    fake.update(firstId(), { name: "x" });
    await fake.webhooks.idle();
    expect(fake.webhooks.attempts.map((a) => a.status)).toEqual([500, 503, 404, 200]);
    const failing = await setup({ statuses: Array.from({ length: 20 }, () => 500) });
    await failing.client.register({ webhookUrl: failing.receiver.url });
    failing.fake.update(firstId(), { name: "y" });
    await failing.fake.webhooks.idle();
    expect(failing.fake.webhooks.attempts).toHaveLength(10);
  });

  it("drops deliveries while dropDeliveries is on", async () => {
    const { fake, client, receiver } = await setup();
    await client.register({ webhookUrl: receiver.url });
    fake.webhooks.dropDeliveries = true;
    fake.update(firstId(), { name: "z" });
    await fake.webhooks.idle();
    expect(receiver.received).toHaveLength(0);
    expect(fake.webhooks.dropped).toBe(1);
  });

  it("posts a validation event (test-created) and reports each attempt; 2 a minute at most", async () => {
    const { client, receiver } = await setup({ statuses: [500] });
    await client.register({ webhookUrl: receiver.url });
    const id = await client.sendValidationEvent();
    let state = await client.getValidationEvent(id);
    for (let i = 0; i < 100 && state?.status === "pending"; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      state = await client.getValidationEvent(id);
    }
    expect(state).toMatchObject({ status: "completed", callbackUrl: receiver.url });
    expect(state?.results.map((r) => r.responseCode)).toEqual(["Status500", "OK"]);
    expect(JSON.parse(receiver.received[0]?.body ?? "{}")).toMatchObject({ EventName: "test-created" });
    await client.sendValidationEvent();
    await expect(client.sendValidationEvent()).rejects.toMatchObject({ code: "api_error", status: 429 });
    expect(await client.getValidationEvent("no-such-id")).toBeNull();
  });
});
