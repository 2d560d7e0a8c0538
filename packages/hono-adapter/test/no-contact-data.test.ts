// No route returns a token or an unmasked contact e-mail/phone, except GET /referrals/:id.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOST_TOKEN, startHarness, syncThroughRoute, type Harness } from "./route-harness.js";

let h: Harness;
let emails: string[];
let phones: string[];
beforeAll(async () => {
  h = await startHarness({ count: 80, seed: 3, routes: { metrics: true } });
  await syncThroughRoute(h);
  // Contact data as the wire sent it, for every stored referral.
  const stored = await Promise.all((await h.store.queryInbox({ pageSize: 500 })).items.map((r) => h.store.getReferral(r.referralId)));
  const payloads = JSON.stringify(stored.map((r) => r?.payload));
  emails = [...new Set(payloads.match(/[\w.+'-]+@[\w-]+(\.[\w-]+)+/g) ?? [])];
  phones = [...new Set([...payloads.matchAll(/"phoneNumber":"([^"]+)"/g)].map((m) => m[1] ?? ""))];
});
afterAll(() => h.stop());

describe("contact data and tokens in responses", () => {
  it("the fixture has contact data to leak", () => {
    expect(emails.length).toBeGreaterThan(10);
    expect(phones.length).toBeGreaterThan(5);
  });

  it("no list, status, run or link response carries an e-mail, a phone number or a token", async () => {
    const rows = (await h.store.queryInbox({ pageSize: 100 })).items;
    const domains = rows.map((r) => `domain=${encodeURIComponent(r.domain ?? "x")}`).join("&");
    const bodies: string[] = [];
    for (const path of ["/sync/status", "/sync/runs", "/inbox?pageSize=100", `/referral-types?${domains}`, "/openapi.json", "/metrics"]) {
      bodies.push(await (await h.request(path)).text());
    }
    bodies.push(await (await h.request("/sync?wait=true", { method: "POST", json: { full: true } })).text());
    bodies.push(await (await h.request(`/referrals/${rows[0]?.referralId}/link`, { method: "DELETE" })).text());
    const all = bodies.join("\n");
    for (const email of emails) expect(all).not.toContain(email);
    for (const phone of phones) expect(all).not.toContain(phone);
    expect(all).not.toContain(HOST_TOKEN);
    expect(all).not.toContain(h.fake.entra.issueAccessToken().slice(0, 40));
  });

  it("GET /referrals/:id, behind authorize, returns the contacts unmasked", async () => {
    const rows = (await h.store.queryInbox({ pageSize: 100 })).items;
    const details = await Promise.all(rows.map(async (r) => (await h.request(`/referrals/${r.referralId}`)).text()));
    expect(emails.some((email) => details.some((d) => d.includes(email)))).toBe(true);
  });
});
