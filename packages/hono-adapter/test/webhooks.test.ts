// POST /webhooks/partner-center: signed deliveries from the fake over real HTTP, verified, deduplicated,
// coalesced, synced through engine.syncReferral; polling catches what a dropped delivery missed.
import { createSelfSignedCertificate } from "@pc-referrals/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { HOST_TOKEN, MOUNT } from "./route-harness.js";
import { eventBody, startWebhookHarness, type WebhookHarness } from "./webhook-support.js";

let h: WebhookHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const idsOf = (count: number) => {
  const ids = h?.ids.slice(0, count) ?? [];
  expect(ids).toHaveLength(count);
  return ids;
};

describe("POST /webhooks/partner-center", () => {
  it("signature valid: a referral created in the fake reaches the store through the webhook, read from our own API base URL", async () => {
    h = await startWebhookHarness({ receiver: { coalesceMs: 0 } });
    h.fake.create(h.freshReferral("webhook-new-1"));
    await h.fake.webhooks.idle();
    expect(h.fake.webhooks.attempts.map((a) => a.status)).toEqual([200]);
    await h.receiver.flush();
    expect((await h.store.getReferral("webhook-new-1"))?.referralId).toBe("webhook-new-1");
    expect(h.reads()).toEqual(["webhook-new-1"]);
    // Only the id was taken from ResourceUri: nothing asked for its /engagements/v1/ path.
    expect(h.fake.requests.some((r) => r.path.includes("/engagements/v1/"))).toBe(false);
    expect(h.receiver.status()).toMatchObject({ received: 1, synced: 1, failed: 0, pending: 0 });
  });

  it("is not behind authorize: the signature is the authorization", async () => {
    h = await startWebhookHarness();
    const [id] = idsOf(1);
    const res = await h.post(eventBody("referral-updated", id ?? "", "2026-12-01T10:00:00.0000001Z"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ outcome: "scheduled", referralId: id });
    // Every other route still needs the host's token.
    expect((await h.app.request(`${MOUNT}/sync/status`)).status).toBe(401);
  });

  it("tampered body: 401 problem, the reason logged without the body, nothing read", async () => {
    h = await startWebhookHarness();
    const [id] = idsOf(1);
    const signed = eventBody("referral-updated", id ?? "", "2026-12-01T10:00:00Z");
    const tampered = eventBody("referral-updated", "someone-elses-referral", "2026-12-01T10:00:00Z");
    const res = await h.post(tampered, { signedBody: signed });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 401, code: "webhook_signature_invalid", reason: "signature_invalid" });
    const rejected = h.logs.filter((e) => e.message === "webhook_rejected");
    expect(rejected).toEqual([{ level: "warn", data: { reason: "signature_invalid" }, message: "webhook_rejected" }]);
    expect(JSON.stringify(h.logs)).not.toContain("someone-elses-referral");
    await h.receiver.flush();
    expect(h.reads()).toEqual([]);
  });

  it("missing signature: 401", async () => {
    h = await startWebhookHarness();
    const res = await h.post(eventBody("referral-updated", "x", "2026-12-01T10:00:00Z"), { headers: { authorization: "" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "webhook_signature_invalid", reason: "signature_missing" });
  });

  it("wrong certificate host: 401 certificate_host_not_allowed", async () => {
    h = await startWebhookHarness();
    const res = await h.post(eventBody("referral-updated", "x", "2026-12-01T10:00:00Z"), { certificateUrl: "https://certs.attacker.example/pc.cer" });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ reason: "certificate_host_not_allowed" });
  });

  it("expired certificate: 401 certificate_expired, and the fake retries the refused delivery", async () => {
    const expired = createSelfSignedCertificate({ notBefore: new Date(Date.now() - 7 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    h = await startWebhookHarness({ webhooks: { certificate: expired, maxAttempts: 3 } });
    const [id] = idsOf(1);
    h.fake.update(id ?? "", { name: "renamed" });
    await h.fake.webhooks.idle();
    expect(h.fake.webhooks.attempts.map((a) => a.status)).toEqual([401, 401, 401]);
    expect(h.logs.filter((e) => e.message === "webhook_rejected").map((e) => e.data)).toEqual(Array.from({ length: 3 }, () => ({ reason: "certificate_expired" })));
  });

  it("replayed delivery: acknowledged as a duplicate, read once", async () => {
    h = await startWebhookHarness();
    const [id] = idsOf(1);
    const body = eventBody("referral-updated", id ?? "", "2026-12-01T10:00:00.1234567Z");
    expect(await (await h.post(body)).json()).toMatchObject({ outcome: "scheduled" });
    await h.receiver.flush();
    const replay = await h.post(body);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ outcome: "duplicate" });
    await h.receiver.flush();
    expect(h.reads()).toEqual([id]);
    expect(h.receiver.status()).toMatchObject({ received: 2, deduplicated: 1 });
  });

  it("a burst of 50 deliveries for 10 referrals gives 10 reads", async () => {
    h = await startWebhookHarness();
    const ids = idsOf(10);
    const bodies = ids.flatMap((id) => Array.from({ length: 5 }, (_, n) => eventBody("referral-updated", id, `2026-12-01T10:00:0${n}.0000000Z`)));
    const answers = await Promise.all(bodies.map((b) => h!.post(b)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await h.receiver.flush();
    expect(h.reads().sort()).toEqual([...ids].sort());
    expect(h.receiver.status()).toMatchObject({ received: 50, deduplicated: 0, coalesced: 40, synced: 10 });
    for (const id of ids) expect(await h.store.getReferral(id)).not.toBeNull();
  });

  it("a dropped delivery is caught by the next poll, and counted as unannounced", async () => {
    h = await startWebhookHarness({ receiver: { coalesceMs: 0 } });
    const first = await h.engine.run({ trigger: "schedule" });
    // The first poll stored everything before any webhook: all of it unannounced.
    expect(h.receiver.status().unannouncedByPolling).toBe(first.counts.ingested);
    const [announced, dropped] = idsOf(2);
    h.fake.update(announced ?? "", { name: "Announced change" });
    await h.fake.webhooks.idle();
    await h.receiver.flush();
    h.fake.webhooks.dropDeliveries = true;
    h.fake.update(dropped ?? "", { name: "Dropped change" });
    await h.fake.webhooks.idle();
    expect(h.fake.webhooks.dropped).toBe(1);
    expect((await h.store.getReferral(dropped ?? ""))?.payload.name).not.toBe("Dropped change");
    const report = await h.engine.run({ trigger: "schedule" });
    expect(report.status).toBe("succeeded");
    expect((await h.store.getReferral(dropped ?? ""))?.payload.name).toBe("Dropped change");
    // The webhook already stored the announced change, so polling found only the dropped one.
    expect(h.receiver.status().unannouncedByPolling).toBe(first.counts.ingested + 1);
  });

  it("ignores events that are not referral events (test-created) with 200", async () => {
    h = await startWebhookHarness();
    const res = await h.post(JSON.stringify({ EventName: "test-created", ResourceUri: "https://api.partnercenter.microsoft.com/webhooks/v1/registration/validationEvents/abc", ResourceName: "test", AuditUri: null, ResourceChangeUtcDate: "2026-12-01T10:00:00Z" }));
    expect(await res.json()).toEqual({ outcome: "ignored", referralId: null });
  });

  it("refuses a body over 64 KB with 413, and a signed non-event with 400", async () => {
    h = await startWebhookHarness();
    const big = JSON.stringify({ EventName: "referral-updated", padding: "x".repeat(70 * 1024) });
    const res = await h.post(big);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "payload_too_large" });
    const notEvent = await h.post(JSON.stringify({ hello: "world" }));
    expect(notEvent.status).toBe(400);
    expect(await notEvent.json()).toMatchObject({ code: "invalid_input" });
  });

  it("the OpenAPI document lists the route and its responses when webhooks are configured", async () => {
    h = await startWebhookHarness();
    const res = await h.app.request(`${MOUNT}/openapi.json`, { headers: { authorization: `Bearer ${HOST_TOKEN}` } });
    const doc = (await res.json()) as { paths: Record<string, { post?: { responses: Record<string, unknown> } }> };
    expect(Object.keys(doc.paths["/webhooks/partner-center"]?.post?.responses ?? {}).sort()).toEqual(["200", "400", "401", "413"]);
  });

  it("/sync/status shows the receiver's counters", async () => {
    h = await startWebhookHarness();
    const [id] = idsOf(1);
    await h.post(eventBody("referral-created", id ?? "", "2026-12-01T10:00:00Z"));
    const res = await h.app.request(`${MOUNT}/sync/status`, { headers: { authorization: `Bearer ${HOST_TOKEN}` } });
    const body = (await res.json()) as { webhooks: Record<string, unknown> };
    expect(body.webhooks).toMatchObject({ received: 1, deduplicated: 0, unannouncedByPolling: 0, pending: 1 });
    expect(typeof body.webhooks.lastReceivedAt).toBe("string");
  });
});
