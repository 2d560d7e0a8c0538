// The Partner Center client against the fake Partner Center (real HTTP on 127.0.0.1), with an
// injected clock: Retry-After and backoff waits are measured on that clock, never on wall time.
import { describe, expect, it } from "vitest";
import { PartnerCenterHttpError, PcReferralsError } from "../src/errors.js";
import type { PartnerCenterClient } from "../src/client/types.js";
import type { FakePartnerCenter } from "../src/testing/fake-partner-center.js";
import { generateReferrals } from "../src/testing/generate-referrals.js";
import { setupFakeClient } from "./support/fake-client.js";
import { collect, rejectionOf, useCleanups } from "./support/local-server.js";

const defer = useCleanups();

const setup = (options: Parameters<typeof setupFakeClient>[1]) => setupFakeClient(defer, options);

describe("client against the fake Partner Center", () => {
  it("lists 1,050 referrals over 11 pages through a 429, a 503, a reset and a malformed page: each exactly once", async () => {
    const referrals = generateReferrals(1_050, { seed: 7, invalidRatio: 0 });
    const { fake, client, clock, notices } = await setup({
      referrals,
      // Rules count every list request: 2 → 429, 4 → 503, 6 → reset mid-body, 8 → cut JSON.
      faults: [
        { kind: "rate_limit", onRequest: 2, retryAfter: "7" },
        { kind: "unavailable", onRequest: 4, retryAfter: "2" },
        { kind: "reset", onRequest: 6 },
        { kind: "malformed_json", onRequest: 8 },
      ],
    });

    const pages = await collect(client.listReferrals({ correlationId: "run-1050" }));

    expect(pages.map((p) => p.pageNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(pages.map((p) => p.referrals.length)).toEqual([100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 50]);
    expect(pages[0]?.rawCount).toBe(1_050);
    const ids = pages.flatMap((p) => p.referrals.map((r) => (r.ok ? r.referral.id : "invalid")));
    expect(new Set(ids).size).toBe(1_050);
    expect([...ids].sort()).toEqual(referrals.map((r) => r.id as string).sort());

    // One wait per fault: Retry-After exactly, full jitter (random 0.5 of 500 ms) for the others.
    expect(clock.waits).toEqual([7_000, 2_000, 250, 250]);
    expect(notices.map((n) => [n.status, n.delayMs, n.attempt])).toEqual([
      [429, 7_000, 1],
      [503, 2_000, 1],
      [0, 250, 1],
      [200, 250, 1],
    ]);
    expect(notices.every((n) => n.correlationId === "run-1050")).toBe(true);

    const list = fake.requests;
    expect(list).toHaveLength(15);
    // The retry after the 429 came 7 s later on the shared clock, and asked for the same page.
    expect((list[2]?.at ?? 0) - (list[1]?.at ?? 0)).toBe(7_000);
    expect(list[2]?.query).toEqual(list[1]?.query);
    expect(list.every((r) => r.path === "/v1.0/engagements/referrals")).toBe(true);
    expect(list.every((r) => r.headers["ms-correlationid"] === "run-1050")).toBe(true);
    expect(new Set(list.map((r) => r.headers["ms-requestid"])).size).toBe(15);
  });

  it("reports referrals that fail the schema as invalid, never losing or failing a page", async () => {
    const referrals = generateReferrals(1_050, { seed: 3, invalidRatio: 0.01 });
    const { client } = await setup({ referrals });
    const items = (await collect(client.listReferrals())).flatMap((p) => p.referrals);
    const valid = items.filter((i) => i.ok);
    const invalid = items.filter((i) => !i.ok);
    expect(items).toHaveLength(1_050);
    expect(invalid).toHaveLength(10);
    expect(new Set(valid.map((i) => (i.ok ? i.referral.id : ""))).size).toBe(1_040);
    expect(invalid.every((i) => !i.ok && i.issues.length > 0 && i.raw !== undefined)).toBe(true);
  });

  it("refreshes an expired token once after a 401 and succeeds", async () => {
    const [referral] = generateReferrals(1, { seed: 11, invalidRatio: 0 });
    const calls = { issued: 0, invalidated: 0 };
    let fakeRef: FakePartnerCenter | undefined;
    const { fake, client, notices } = await setup({
      referrals: [referral],
      client: {
        tokenProvider: {
          getAccessToken: async () => {
            calls.issued += 1;
            return fakeRef?.entra.issueAccessToken(calls.invalidated === 0 ? { expiresInSeconds: -60 } : {}) ?? "";
          },
          invalidate: () => {
            calls.invalidated += 1;
          },
        },
      },
    });
    fakeRef = fake;
    await expect(client.getReferral(referral?.id as string)).resolves.toMatchObject({ id: referral?.id });
    expect(fake.requests.map((r) => r.status)).toEqual([401, 200]);
    expect(calls).toEqual({ issued: 2, invalidated: 1 });
    expect(notices).toEqual([]);
  });

  it("answers null for a referral the service does not know (404)", async () => {
    const { fake, client } = await setup({ referrals: generateReferrals(3, { seed: 2, invalidRatio: 0 }) });
    await expect(client.getReferral("00000000-0000-4000-8000-000000000000")).resolves.toBeNull();
    expect(fake.requests.map((r) => r.status)).toEqual([404]);
  });

  it.each([
    ["a $filter the service rejects (400)", 400, "invalidRequest", (c: PartnerCenterClient) => collect(c.listReferrals({ filter: "website eq 'x'" }))],
    [
      "a stale If-Match (412)",
      412,
      "preconditionFailed",
      (c: PartnerCenterClient, id: string) =>
        c.updateReferral(id, [{ op: "replace", path: "/status", value: "Closed" }], { etag: '"stale-etag"' }),
    ],
  ])("fails %s at once with PartnerCenterHttpError, its API code and request id, and no token", async (_name, status, apiCode, act) => {
    const referrals = generateReferrals(2, { seed: 5, invalidRatio: 0 });
    const issued: string[] = [];
    let fakeRef: FakePartnerCenter | undefined;
    const { fake, client, notices } = await setup({
      referrals,
      client: {
        tokenProvider: {
          getAccessToken: async () => {
            const token = fakeRef?.entra.issueAccessToken() ?? "";
            issued.push(token);
            return token;
          },
        },
      },
    });
    fakeRef = fake;
    const error = await rejectionOf(act(client, referrals[0]?.id as string));
    expect(error).toBeInstanceOf(PartnerCenterHttpError);
    expect(PcReferralsError.hasCode(error, "api_error")).toBe(true);
    const httpError = error as PartnerCenterHttpError;
    expect(httpError).toMatchObject({ status, apiCode });
    expect(httpError.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(httpError.request?.headers.authorization).toBe("Bearer [REDACTED]");
    expect(fake.requests).toHaveLength(1);
    expect(notices).toEqual([]);
    expect(issued).toHaveLength(1);
    const token = issued[0] as string;
    expect(token.length).toBeGreaterThan(20);
    for (const text of [JSON.stringify(httpError), httpError.message, httpError.stack ?? "", JSON.stringify(httpError.request)]) {
      expect(text).not.toContain(token);
    }
  });

  it("stops a listing at once when the caller aborts mid-request, without retrying", async () => {
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const { fake, client, notices } = await setup({
      referrals: generateReferrals(250, { seed: 9, invalidRatio: 0 }),
      // Page 2 hangs long enough that only the abort can end it.
      faults: [{ kind: "slow", onRequest: 2, delayMs: 60_000 }],
    });
    const seen: number[] = [];
    const listing = (async () => {
      for await (const page of client.listReferrals({ signal: controller.signal })) {
        seen.push(page.pageNumber);
        // Abort once the fake has the second request in hand.
        const waitForSecond = setInterval(() => {
          if (fake.requests.length === 2) {
            clearInterval(waitForSecond);
            controller.abort(reason);
          }
        }, 5);
      }
    })();
    await expect(listing).rejects.toBe(reason);
    expect(seen).toEqual([1]);
    expect(fake.requests).toHaveLength(2);
    expect(notices).toEqual([]);
  });
});
