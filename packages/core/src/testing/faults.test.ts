import { afterAll, describe, expect, it, vi } from "vitest";
import { PcReferralsError } from "../errors.js";
import { startFakePartnerCenter } from "./fake-partner-center.js";
import type { FakePartnerCenter } from "./fake-partner-center.js";
import { createFaultPlan } from "./faults.js";
import type { FaultRule } from "./faults.js";
import { generateReferrals } from "./generate-referrals.js";
import { wireSchemaErrors } from "../../test/support/wire-schema.js";

const isErrorBody = (body: unknown) => wireSchemaErrors("error", body) === null;

const LIST = "/v1.0/engagements/referrals";
const referrals = generateReferrals(30, { seed: 5, invalidRatio: 0 });
const fakes: FakePartnerCenter[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.stop()));
});

async function start(faults: FaultRule[]): Promise<FakePartnerCenter> {
  const fake = await startFakePartnerCenter({ referrals, faults, requireAuth: false });
  fakes.push(fake);
  return fake;
}
async function get(fake: FakePartnerCenter, path = `${LIST}?$top=5`) {
  const response = await fetch(`${fake.url}${path}`);
  return { status: response.status, headers: response.headers, text: await response.text() };
}
const statuses = async (fake: FakePartnerCenter, n: number) => {
  const result: number[] = [];
  for (let i = 0; i < n; i++) result.push((await get(fake)).status);
  return result;
};

describe("fault rules", () => {
  it("rate_limit answers 429 with Retry-After and the error envelope, without touching the data", async () => {
    const id = String(referrals[0]?.id);
    const fake = await start([{ kind: "rate_limit", method: "PATCH", retryAfter: "7" }]);
    const res = await fetch(`${fake.url}${LIST}/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ op: "replace", path: "/externalReferenceId", value: "x" }]),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    const body = (await res.json()) as unknown;
    expect(isErrorBody(body)).toBe(true);
    expect(body).toMatchObject({ error: { code: "tooManyRequests", message: "Rate limit is exceeded. Try again in 7 seconds." } });
    expect(JSON.parse((await get(fake, `${LIST}/${id}`)).text)).toEqual(referrals[0]);
    expect(fake.requests[0]).toMatchObject({ method: "PATCH", status: 429, fault: "rate_limit" });
  });

  it("rate_limit can send the throttling-guidance body instead", async () => {
    const fake = await start([{ kind: "rate_limit", rateLimitBody: "throttle", retryAfter: "57" }]);
    const res = await get(fake);
    expect(JSON.parse(res.text)).toEqual({ statusCode: 429, message: "Rate limit is exceeded. Try again in 57 seconds." });
  });

  it("rate_limit with an HTTP-date Retry-After counts the seconds on the fake's injected clock", async () => {
    const now = Date.UTC(2020, 0, 1, 12, 0, 0);
    const retryAfter = new Date(now + 30_000).toUTCString();
    const fake = await startFakePartnerCenter({ referrals, requireAuth: false, now: () => now, faults: [{ kind: "rate_limit", retryAfter }] });
    fakes.push(fake);
    const res = await get(fake);
    expect(res.headers.get("retry-after")).toBe(retryAfter);
    expect(JSON.parse(res.text)).toMatchObject({ error: { message: "Rate limit is exceeded. Try again in 30 seconds." } });
  });

  it.each([
    [{ kind: "server_error" } as FaultRule, 500, "generalException", null],
    [{ kind: "server_error", status: 502 } as FaultRule, 502, "generalException", null],
    [{ kind: "unavailable", retryAfter: "Wed, 21 Oct 2026 07:28:00 GMT" } as FaultRule, 503, "serviceNotAvailable", "Wed, 21 Oct 2026 07:28:00 GMT"],
  ])("%j answers %i %s", async (rule, status, code, retryAfter) => {
    const res = await get(await start([rule]));
    expect(res.status).toBe(status);
    expect(res.headers.get("retry-after")).toBe(retryAfter);
    expect(isErrorBody(JSON.parse(res.text))).toBe(true);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code } });
  });

  it("reset sends headers and part of the body, then drops the connection", async () => {
    const fake = await start([{ kind: "reset" }]);
    const response = await fetch(`${fake.url}${LIST}`);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    expect(fake.requests[0]).toMatchObject({ status: 200, fault: "reset" });
  });

  it("reset on a PATCH applies the change before the connection drops", async () => {
    const id = String(referrals[2]?.id);
    const fake = await start([{ kind: "reset", method: "PATCH" }]);
    const attempt = fetch(`${fake.url}${LIST}/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ op: "replace", path: "/externalReferenceId", value: "CRM-RESET" }]),
    }).then((r) => r.text());
    await expect(attempt).rejects.toThrow();
    expect(JSON.parse((await get(fake, `${LIST}/${id}`)).text)).toMatchObject({ externalReferenceId: "CRM-RESET" });
  });

  it("malformed_json answers 200 with a truncated body", async () => {
    const res = await get(await start([{ kind: "malformed_json" }]));
    expect(res.status).toBe(200);
    expect(res.text.startsWith('{"@odata.context"')).toBe(true);
    expect(() => JSON.parse(res.text) as unknown).toThrow(SyntaxError);
  });

  it("slow holds the response while later requests are answered", async () => {
    const fake = await start([{ kind: "slow", onRequest: 1, delayMs: 2000 }]);
    const slow = get(fake);
    await vi.waitFor(() => expect(fake.requests).toHaveLength(1));
    expect((await get(fake)).status).toBe(200);
    expect(fake.requests[0]).toMatchObject({ status: 0, fault: "slow" });
    expect((await slow).status).toBe(200);
  });

  it("fires on the listed n-th matching requests only", async () => {
    const fake = await start([{ kind: "server_error", onRequest: [2, 4] }]);
    expect(await statuses(fake, 5)).toEqual([200, 500, 200, 500, 200]);
  });

  it("fires with a seeded probability: the same seed gives the same pattern, `times` caps it", async () => {
    const rule: FaultRule = { kind: "server_error", probability: 0.5, seed: 9 };
    const a = await statuses(await start([rule]), 20);
    const b = await statuses(await start([rule]), 20);
    expect(a).toEqual(b);
    expect(a.filter((s) => s === 500).length).toBeGreaterThan(2);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(2);
    const capped = await statuses(await start([{ ...rule, times: 2 }]), 20);
    expect(capped.filter((s) => s === 500)).toHaveLength(2);
  });

  it("matches by method and path prefix, and setFaults replaces the rules", async () => {
    const fake = await start([{ kind: "server_error", path: `${LIST}/` }]);
    expect((await get(fake)).status).toBe(200);
    expect((await get(fake, `${LIST}/${String(referrals[1]?.id)}`)).status).toBe(500);
    fake.setFaults([{ kind: "unavailable", method: "PATCH" }]);
    expect((await get(fake, `${LIST}/${String(referrals[1]?.id)}`)).status).toBe(200);
  });

  it("can target the fake Entra ID's token endpoint", async () => {
    const fake = await start([]);
    fake.setFaults([{ kind: "unavailable", path: `/${fake.entra.tenantId}/oauth2/v2.0/token` }]);
    const res = await fetch(`${fake.url}/${fake.entra.tenantId}/oauth2/v2.0/token`, { method: "POST" });
    expect(res.status).toBe(503);
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    [{ kind: "boom" }],
    [{ kind: "rate_limit", probability: 2 }],
    [{ kind: "rate_limit", onRequest: 0 }],
    [{ kind: "server_error", status: 404 }],
    [{ kind: "slow", path: "no-slash" }],
  ])("rejects the rule %j as config_invalid", (rule) => {
    let error: unknown;
    try {
      createFaultPlan([rule as FaultRule]);
    } catch (caught) {
      error = caught;
    }
    expect(PcReferralsError.hasCode(error, "config_invalid")).toBe(true);
  });
});
