// The client's safety limits against the fake Partner Center (real HTTP on 127.0.0.1): capped
// bodies and pages (item 8), PATCH never applied twice (item 10), Retry-After dates read on the
// server's clock (item 14).
import { describe, expect, it, vi } from "vitest";
import { PcReferralsError, UnconfirmedWriteError } from "../src/errors.js";
import { teamMembers, type Referral } from "../src/referral.js";
import { generateReferrals } from "../src/testing/generate-referrals.js";
import { setupFakeClient } from "./support/fake-client.js";
import { collect, rejectionOf, useCleanups } from "./support/local-server.js";

const defer = useCleanups();
const setup = (options: Parameters<typeof setupFakeClient>[1]) => setupFakeClient(defer, options);

const member = (email: string) => ({ firstName: "Kim", lastName: "Lee", email });
/** One open referral whose team has exactly one member. */
function teamOfOne(): Record<string, unknown> {
  const [base] = generateReferrals(1, { seed: 21, invalidRatio: 0 });
  return { ...base, status: "Active", substatus: "Accepted", team: [member("first@fabrikam.example")] };
}
const addMember = [{ op: "add", path: "/team/-", value: member("added@fabrikam.example") }] as const;

describe("item 8: response size caps against the fake", () => {
  it("item 8: a 20 MiB page (the default cap is 16 MiB) fails with response_too_large and is not retried", async () => {
    const { fake, client } = await setup({ referrals: generateReferrals(5, { seed: 4, invalidRatio: 0 }), faults: [{ kind: "oversized_body" }] });
    const error = await rejectionOf(collect(client.listReferrals()));
    expect(PcReferralsError.hasCode(error, "response_too_large")).toBe(true);
    expect(error).toMatchObject({ limitBytes: 16 * 1024 * 1024, status: 200 });
    expect(fake.requests).toHaveLength(1);
  });

  it("item 8: a page of 200 items when 100 were asked for is api_error, not retried", async () => {
    const { fake, client } = await setup({ referrals: generateReferrals(150, { seed: 4, invalidRatio: 0 }), faults: [{ kind: "overfull_page" }] });
    const error = await rejectionOf(collect(client.listReferrals()));
    expect(PcReferralsError.hasCode(error, "api_error")).toBe(true);
    expect((error as Error).message).toMatch(/200 .*\$top=100/);
    expect(fake.requests).toHaveLength(1);
  });
});

describe("item 10: a PATCH is applied at most once", () => {
  const teamOf = async (client: { getReferral(id: string): Promise<Referral | null> }, id: string) =>
    teamMembers((await client.getReferral(id))?.team).map((m) => m.email);

  it("item 10: connection lost after the server applied it, with If-Match: re-read, resolves with the landed change, team not duplicated", async () => {
    const referral = teamOfOne();
    const { fake, client } = await setup({ referrals: [referral], faults: [{ kind: "drop", method: "PATCH" }] });
    const id = referral.id as string;
    const updated = await client.updateReferral(id, addMember, { etag: referral.eTag as string, correlationId: "op-1" });
    expect(teamMembers(updated?.team).map((m) => m.email)).toEqual(["first@fabrikam.example", "added@fabrikam.example"]);
    expect(fake.requests.map((r) => [r.method, r.status])).toEqual([
      ["PATCH", 0],
      ["GET", 200],
    ]);
    expect(fake.requests.map((r) => r.headers["ms-correlationid"])).toEqual(["op-1", "op-1"]);
    expect(await teamOf(client, id)).toHaveLength(2);
  });

  it("item 10: connection lost after the server applied it, without If-Match: write_unconfirmed with landed null, sent once", async () => {
    const referral = teamOfOne();
    const { fake, client } = await setup({ referrals: [referral], faults: [{ kind: "drop", method: "PATCH" }] });
    const error = await rejectionOf(client.updateReferral(referral.id as string, addMember));
    expect(error).toBeInstanceOf(UnconfirmedWriteError);
    expect(error).toMatchObject({ code: "write_unconfirmed", landed: null });
    expect(PcReferralsError.hasCode((error as Error).cause, "network_error")).toBe(true);
    expect(fake.requests.filter((r) => r.method === "PATCH")).toHaveLength(1);
    expect(await teamOf(client, referral.id as string)).toHaveLength(2);
  });

  it("item 10: reset mid-body after a 200: not resent, the change is read back", async () => {
    const referral = teamOfOne();
    const { fake, client } = await setup({ referrals: [referral], faults: [{ kind: "reset", method: "PATCH" }] });
    const updated = await client.updateReferral(referral.id as string, addMember);
    expect(updated?.team).toHaveLength(2);
    expect(fake.requests.map((r) => r.method)).toEqual(["PATCH", "GET"]);
  });

  it("item 10: a timeout before the server applied it, with If-Match: landed false, and resending with the same etag applies once", async () => {
    const referral = teamOfOne();
    const etag = referral.eTag as string;
    const { fake, client } = await setup({
      referrals: [referral],
      // The first PATCH is held past the client's timeout, so the re-read still sees the old eTag.
      faults: [{ kind: "slow", method: "PATCH", times: 1, delayMs: 600 }],
      client: { timeoutMs: 150 },
    });
    const id = referral.id as string;
    const error = await rejectionOf(client.updateReferral(id, addMember, { etag }));
    expect(error).toMatchObject({ code: "write_unconfirmed", landed: false });
    expect(PcReferralsError.hasCode((error as Error).cause, "timeout")).toBe(true);

    await expect(client.updateReferral(id, addMember, { etag })).resolves.toMatchObject({ team: expect.any(Array) });
    // The held first PATCH arrives late and is refused by If-Match: the member is added once.
    await vi.waitFor(() => expect(fake.requests[0]?.status).toBe(412), { timeout: 5_000 });
    expect(await teamOf(client, id)).toHaveLength(2);
  });
});

describe("item 14: Retry-After dates against the fake's clock", () => {
  it("item 14: a client clock an hour behind still waits the 30 s the server asked for", async () => {
    const referrals = generateReferrals(3, { seed: 8, invalidRatio: 0 });
    const serverStart = Date.parse("2026-03-02T10:00:00Z");
    const retryAt = new Date(serverStart + 30_000).toUTCString();
    let clientNow = serverStart - 3_600_000;
    const waits: number[] = [];
    const { client } = await setup({
      referrals,
      startMs: serverStart,
      faults: [{ kind: "rate_limit", onRequest: 1, retryAfter: retryAt }],
      client: {
        now: () => clientNow,
        sleep: async (ms) => {
          waits.push(ms);
          clientNow += ms;
        },
      },
    });
    const pages = await collect(client.listReferrals());
    expect(pages.flatMap((p) => p.referrals)).toHaveLength(3);
    expect(waits).toEqual([30_000]);
  });
});
