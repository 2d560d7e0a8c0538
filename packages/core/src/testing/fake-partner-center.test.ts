import { PublicClientApplication } from "@azure/msal-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PcReferralsError } from "../errors.js";
import { coSellFromMicrosoft } from "../../test/fixtures/reference-examples.js";
import { toTicks } from "./fake-odata.js";
import { startFakePartnerCenter } from "./fake-partner-center.js";
import type { FakePartnerCenter } from "./fake-partner-center.js";
import { generateReferrals } from "./generate-referrals.js";
import { teamMembers } from "../referral.js";
import { wireSchemaErrors, withDocumentedTeams, type WireDefinition } from "../../test/support/wire-schema.js";

function expectSchema(def: WireDefinition, body: unknown): void {
  // Single-object teams are part of the wire texture; the schema (like the docs) says array.
  expect(wireSchemaErrors(def, withDocumentedTeams(body))).toBeNull();
}

const LIST = "/v1.0/engagements/referrals";
let clock = Date.UTC(2026, 0, 15, 12);
const now = () => clock;
const referrals = generateReferrals(250, { seed: 3, now: clock, invalidRatio: 0 });
const fakes: FakePartnerCenter[] = [];

async function start(options: Parameters<typeof startFakePartnerCenter>[0] = {}): Promise<FakePartnerCenter> {
  const fake = await startFakePartnerCenter({ referrals, now, ...options });
  fakes.push(fake);
  return fake;
}
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.stop()));
});
afterEach(() => {
  clock = Date.UTC(2026, 0, 15, 12);
});

async function call(fake: FakePartnerCenter, path: string, init: RequestInit & { token?: string | null } = {}) {
  const { token, ...rest } = init;
  const headers = new Headers(rest.headers);
  const bearer = token === undefined ? fake.entra.issueAccessToken() : token;
  if (bearer !== null) headers.set("authorization", `Bearer ${bearer}`);
  const response = await fetch(`${fake.url}${path}`, { ...rest, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}
const ids = (body: Record<string, unknown> | null) => (body?.value as { id: string }[]).map((r) => r.id);

describe("listing", () => {
  let fake: FakePartnerCenter;
  beforeAll(async () => {
    fake = await start();
  });

  it("pages 250 referrals as 100 + 100 + 50 with wrong-path nextLinks whose $skiptoken works on the real path", async () => {
    const seen: string[] = [];
    let path: string | null = `${LIST}?$top=100&$orderby=updatedDateTime desc`;
    const links: string[] = [];
    while (path) {
      const page = await call(fake, path);
      expect(page.status).toBe(200);
      expectSchema("referral-page", page.body);
      expect(page.body?.["@odata.count"]).toBe(250);
      seen.push(...ids(page.body));
      const next = page.body?.["@odata.nextLink"] as string | undefined;
      if (next) {
        links.push(next);
        const link = new URL(next);
        expect(link.pathname).toBe("/v1.0/referrals");
        path = `${LIST}?$skiptoken=${encodeURIComponent(link.searchParams.get("$skiptoken") ?? "")}`;
      } else path = null;
    }
    expect(links).toHaveLength(2);
    expect(new Set(seen).size).toBe(250);
    const ticks = seen.map((id) => toTicks(referrals.find((r) => r.id === id)?.updatedDateTime));
    expect(ticks).toEqual([...ticks].sort((a, b) => (a! > b! ? -1 : a! < b! ? 1 : 0)));
    expect((await call(fake, new URL(links[0] as string).pathname + new URL(links[0] as string).search)).status).toBe(404);
  });

  it.each([
    ["updatedDateTime asc", 1],
    ["updatedDateTime desc", -1],
    ["createdDateTime asc", 1],
    ["createdDateTime desc", -1],
  ] as const)("orders by %s", async (orderBy, direction) => {
    const page = await call(fake, `${LIST}?$top=100&$orderby=${encodeURIComponent(orderBy)}`);
    const field = orderBy.split(" ")[0] as string;
    const ticks = (page.body?.value as Record<string, unknown>[]).map((r) => toTicks(r[field]) as bigint);
    for (let i = 1; i < ticks.length; i++) expect((ticks[i]! - ticks[i - 1]!) * BigInt(direction) >= 0n).toBe(true);
  });

  it.each([
    ["status eq 'New' and qualification eq 'SalesQualified'", (r: Record<string, any>) => r.status === "New" && r.qualification === "SalesQualified"],
    ["customerProfile/address/country eq 'US' and direction eq 'Incoming'", (r: Record<string, any>) => r.customerProfile?.address?.country === "US" && r.direction === "Incoming"],
    ["team/any(t:t/email eq 'sam.reyes@microsoft.com')", (r: Record<string, any>) => teamMembers(r.team).some((m) => m.email === "sam.reyes@microsoft.com")],
  ])("filters %s like the reference", async (filter, predicate) => {
    const expected = referrals.filter(predicate).map((r) => r.id);
    expect(expected.length).toBeGreaterThan(0);
    const page = await call(fake, `${LIST}?$filter=${encodeURIComponent(filter)}`);
    expect(page.body?.["@odata.count"]).toBe(expected.length);
    expect(ids(page.body)).toEqual(expected);
  });

  it.each([
    ["$filter=status ne 'New'"],
    ["$filter=name eq 'x'"],
    ["$orderby=name"],
    ["$top=0"],
    ["$top=ten"],
    ["$skiptoken=bogus"],
  ])("answers %s with 400 invalidRequest", async (query) => {
    const res = await call(fake, `${LIST}?${query.replace(/ /g, "%20")}`);
    expect(res.status).toBe(400);
    expectSchema("error", res.body);
    expect(res.body).toMatchObject({ error: { code: "invalidRequest", target: "referral" } });
  });

  it("clamps $top above 100 to 100", async () => {
    const page = await call(fake, `${LIST}?$top=500`);
    expect(ids(page.body)).toHaveLength(100);
  });

  it("invalidates skip tokens when the referrals are replaced", async () => {
    const other = await start();
    const first = await call(other, `${LIST}?$top=10`);
    const token = new URL(String(first.body?.["@odata.nextLink"])).searchParams.get("$skiptoken") ?? "";
    other.setReferrals(referrals.slice(0, 5));
    const stale = await call(other, `${LIST}?$skiptoken=${encodeURIComponent(token)}`);
    expect(stale.status).toBe(400);
    expect((await call(other, LIST)).body?.["@odata.count"]).toBe(5);
  });


  it("lists each referral as it is now after update(), PATCH and setReferrals, however often its page was served before", async () => {
    const other = await start({ referrals: referrals.slice(0, 3) });
    const byId = async () => new Map(((await call(other, LIST)).body?.value as Record<string, unknown>[]).map((r) => [r.id, r]));
    const [a, b] = referrals.filter((r) => r.status === "New").slice(0, 2) as Record<string, unknown>[];
    other.setReferrals([a, b, ...referrals.slice(5, 6)]);
    expect((await byId()).get(a?.id)).toEqual(a);
    await byId(); // served twice, so a cached copy would exist by now

    const edited = other.update(String(a?.id), { externalReferenceId: "CRM-cached" });
    const patched = await call(other, `${LIST}/${String(b?.id)}`, {
      method: "PATCH",
      headers: { "content-type": "application/json", prefer: "return=representation" },
      body: JSON.stringify([{ op: "replace", path: "/externalReferenceId", value: "CRM-patched" }]),
    });
    const listed = await byId();
    expect(listed.get(a?.id)).toEqual(edited);
    expect(listed.get(b?.id)).toEqual(patched.body);
    expect((await call(other, `${LIST}/${String(a?.id)}`)).body).toEqual(edited);

    // The caller's copy is not the fake's: changing it changes nothing served.
    (edited as Record<string, unknown>).externalReferenceId = "changed by the caller";
    expect((await byId()).get(a?.id)).toMatchObject({ externalReferenceId: "CRM-cached" });
    other.setReferrals(referrals.slice(7, 8));
    expect([...(await byId()).values()]).toEqual(referrals.slice(7, 8));
  });
  it("records requests with the token redacted and echoes the correlation headers", async () => {
    const res = await call(fake, `${LIST}?$top=1`, { headers: { "client-request-id": "crid-1", "MS-CorrelationId": "corr-1" } });
    expect(res.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("client-request-id")).toBe("crid-1");
    expect(res.headers.get("ms-correlationid")).toBe("corr-1");
    const record = fake.requests.at(-1);
    expect(record).toMatchObject({ method: "GET", path: LIST, query: { $top: "1" }, status: 200, fault: null, at: clock });
    expect(record?.headers.authorization).toBe("Bearer [REDACTED]");
  });
});

describe("one referral", () => {
  let fake: FakePartnerCenter;
  // Not the first New referral: the rejection cases below use that one.
  const target = referrals.filter((r) => r.status === "New")[1] as Record<string, unknown>;
  const id = String(target.id);
  beforeAll(async () => {
    fake = await start({ referrals: [...referrals, coSellFromMicrosoft] });
  });
  const patch = (ops: unknown, headers: Record<string, string> = {}) =>
    call(fake, `${LIST}/${id}`, { method: "PATCH", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(ops) });

  it("GETs by id with an ETag header, and 404 itemNotFound for an unknown id", async () => {
    const res = await call(fake, `${LIST}/${coSellFromMicrosoft.id as string}`);
    expect(res.body).toEqual(coSellFromMicrosoft);
    expect(res.headers.get("etag")).toBe(coSellFromMicrosoft.eTag);
    const missing = await call(fake, `${LIST}/00000000-0000-0000-0000-000000000000`);
    expect(missing.status).toBe(404);
    expectSchema("error", missing.body);
    expect(missing.body).toMatchObject({ error: { code: "itemNotFound" } });
  });

  it("PATCHes with If-Match: 204 and a new eTag, 412 on the stale eTag, 200 with return=representation", async () => {
    const before = (await call(fake, `${LIST}/${id}`)).body as Record<string, unknown>;
    clock += 1000;
    const ok = await patch([{ op: "replace", path: "/externalReferenceId", value: "CRM-1" }], { "if-match": String(before.eTag) });
    expect(ok.status).toBe(204);
    expect(ok.body).toBeNull();
    expect(ok.headers.get("etag")).not.toBe(before.eTag);

    const stale = await patch([{ op: "replace", path: "/externalReferenceId", value: "CRM-2" }], { "if-match": String(before.eTag) });
    expect(stale.status).toBe(412);
    expectSchema("error", stale.body);
    expect(stale.body).toMatchObject({ error: { code: "preconditionFailed" } });

    const shown = await patch(
      [{ op: "replace", path: "/status", value: "Active" }, { op: "replace", path: "/substatus", value: "Accepted" }],
      { prefer: "return=representation" },
    );
    expect(shown.status).toBe(200);
    expectSchema("referral", shown.body);
    expect(shown.body).toMatchObject({ status: "Active", substatus: "Accepted", externalReferenceId: "CRM-1" });
    expect(toTicks(shown.body?.updatedDateTime)! > toTicks(before.updatedDateTime)!).toBe(true);
  });

  const firstWith = (status: string) => String(referrals.find((r) => r.status === status)?.id);
  it.each([
    ["New", [{ op: "remove", path: "/name" }], "not supported"],
    ["New", [{ op: "replace", path: "/id", value: "x" }], "cannot be updated"],
    ["New", [{ op: "replace", path: "/substatus", value: "Won" }], "not allowed with status"],
    ["Active", [{ op: "replace", path: "/status", value: "New" }, { op: "replace", path: "/substatus", value: "Pending" }], "cannot move"],
    ["Closed", [{ op: "replace", path: "/statusReason", value: "x" }], "closed referral cannot be updated"],
    ["New", [{ op: "replace", path: "/status", value: "Closed" }, { op: "replace", path: "/substatus", value: "Won" }], "closes only as Declined"],
    ["Active", [{ op: "replace", path: "/status", value: "Closed" }, { op: "replace", path: "/substatus", value: "Declined" }], "closes only as Won or Lost"],
    ["Active", [{ op: "replace", path: "/status", value: "Closed" }], "not allowed with status"],
    ["New", { op: "replace" }, "JSON Patch array"],
    ["New", [{ op: "add", path: "/customerProfile/nothing/here", value: 1 }], "does not exist"],
  ])("rejects PATCH of a %s referral with %j: 400 invalidRequest", async (status, ops, message) => {
    const res = await call(fake, `${LIST}/${firstWith(status)}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ops),
    });
    expect(res.status).toBe(400);
    expectSchema("error", res.body);
    expect(String((res.body?.error as { message: string }).message)).toContain(message);
  });

  it("takes the documented moves (New → Active/Accepted or Closed/Declined, Active → Closed/Won or Lost), a new eTag on every write", async () => {
    const send = async (referralId: string, ops: unknown[], etag: string) =>
      call(fake, `${LIST}/${referralId}`, {
        method: "PATCH",
        headers: { "content-type": "application/json", prefer: "return=representation", "if-match": etag },
        body: JSON.stringify(ops),
      });
    const [declining, accepting] = referrals.filter((r) => r.status === "New").slice(2, 4).map((r) => String(r.id));
    const start = async (referralId: string) => String(((await call(fake, `${LIST}/${referralId}`)).body as Record<string, unknown>).eTag);
    const status = (value: string, substatus: string) => [
      { op: "replace", path: "/status", value },
      { op: "replace", path: "/substatus", value: substatus },
    ];

    const declined = await send(String(declining), [...status("Closed", "Declined"), { op: "add", path: "/statusReason", value: "Outside our region" }], await start(String(declining)));
    expect(declined.body).toMatchObject({ status: "Closed", substatus: "Declined", statusReason: "Outside our region" });

    const first = await start(String(accepting));
    const accepted = await send(String(accepting), status("Active", "Accepted"), first);
    expect(accepted.body).toMatchObject({ status: "Active", substatus: "Accepted" });
    const second = String(accepted.body?.eTag);
    expect(second).not.toBe(first);
    const won = await send(String(accepting), status("Closed", "Won"), second);
    expect(won.body).toMatchObject({ status: "Closed", substatus: "Won" });
    expect(won.body?.eTag).not.toBe(second);
  });

  it("adds to arrays with '-' and wants a JSON content type (415 otherwise)", async () => {
    const member = { firstName: "New", lastName: "Contact", email: "new.contact@example.org" };
    const res = await patch([{ op: "add", path: "/team/-", value: member }], { prefer: "return=representation" });
    expect((res.body?.team as unknown[]).at(-1)).toEqual(member);
    const text = await call(fake, `${LIST}/${id}`, { method: "PATCH", headers: { "content-type": "text/plain" }, body: "[]" });
    expect(text.status).toBe(415);
    expectSchema("error", text.body);
  });

  it("update() edits server-side: merged fields, a later updatedDateTime, a new eTag", async () => {
    const before = (await call(fake, `${LIST}/${coSellFromMicrosoft.id as string}`)).body as Record<string, any>;
    const after = fake.update(String(coSellFromMicrosoft.id), { status: "Closed", substatus: "Won", customerProfile: { size: "1to9employees" } }) as Record<string, any>;
    expect(after).toMatchObject({ status: "Closed", substatus: "Won", customerProfile: { name: before.customerProfile.name, size: "1to9employees" } });
    expect(after.eTag).not.toBe(before.eTag);
    expect(toTicks(after.updatedDateTime)! > toTicks(before.updatedDateTime)!).toBe(true);
    expect((await call(fake, `${LIST}/${coSellFromMicrosoft.id as string}`)).body).toEqual(after);
    expect(() => fake.update("nope", {})).toThrow(expect.objectContaining({ code: "not_found" }) as unknown as Error);
  });

  it("writes reproducibly: the same edits on the same clock give the same updatedDateTime and eTag", async () => {
    const edit = async () => {
      const twin = await start({ referrals: [coSellFromMicrosoft] });
      const updated = twin.update(String(coSellFromMicrosoft.id), { externalReferenceId: "CRM-9" });
      const res = await call(twin, `${LIST}/${coSellFromMicrosoft.id as string}`, {
        method: "PATCH",
        headers: { "content-type": "application/json", prefer: "return=representation" },
        body: JSON.stringify([{ op: "replace", path: "/externalReferenceId", value: "CRM-10" }]),
      });
      return [updated, res.body];
    };
    const [first, second] = [await edit(), await edit()];
    expect(first[0]).not.toEqual(first[1]);
    expect(second).toEqual(first);
  });
});

describe("authentication", () => {
  it.each([
    ["no token", () => null],
    ["a malformed token", () => "garbage"],
    ["a token for another audience", (f: FakePartnerCenter) => f.entra.issueAccessToken({ audience: "https://graph.microsoft.com" })],
  ])("answers 401 unauthenticated to %s", async (_name, token) => {
    const fake = await start();
    const res = await call(fake, LIST, { token: token(fake) });
    expect(res.status).toBe(401);
    expectSchema("error", res.body);
    expect(res.body).toMatchObject({ error: { code: "unauthenticated" } });
  });

  it("answers 401 once the token expires on the injected clock", async () => {
    const fake = await start();
    const token = fake.entra.issueAccessToken();
    expect((await call(fake, LIST, { token })).status).toBe(200);
    clock += 3601_000;
    expect((await call(fake, LIST, { token })).status).toBe(401);
  });

  it("accepts a token obtained through the device-code flow on the same server, and none when requireAuth is false", async () => {
    const fake = await start();
    const form = (body: Record<string, string>) => ({
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(body).toString(),
    });
    const { clientId, tenantId, scopes } = fake.tokenProviderOptions;
    const code = (await (await fetch(`${fake.url}/${tenantId}/oauth2/v2.0/devicecode`, form({ client_id: clientId, scope: scopes.join(" ") }))).json()) as Record<string, string>;
    expect(fake.approveDeviceCodes()).toBe(1);
    const tokens = (await (await fetch(`${fake.url}/${tenantId}/oauth2/v2.0/token`, form({ client_id: clientId, grant_type: "device_code", device_code: code.device_code ?? "" }))).json()) as Record<string, string>;
    expect((await call(fake, LIST, { token: tokens.access_token ?? "" })).status).toBe(200);
    expect(fake.requests.every((r) => r.path.startsWith("/v1.0/"))).toBe(true);

    const open = await start({ requireAuth: false });
    expect((await call(open, LIST, { token: null })).status).toBe(200);
  });

  it("lets real msal-node log in with tokenProviderOptions (auto-approved) and call the API", async () => {
    const fake = await start({ autoApproveDeviceCodes: true, now: Date.now });
    const { clientId, authority, knownAuthorities, authorityMetadata, cloudDiscoveryMetadata, networkClient, scopes } =
      fake.tokenProviderOptions;
    const app = new PublicClientApplication({
      auth: { clientId, authority, knownAuthorities, authorityMetadata, cloudDiscoveryMetadata },
      system: { networkClient },
    });
    const result = await app.acquireTokenByDeviceCode({ scopes, deviceCodeCallback: () => {} });
    expect((await call(fake, `${LIST}?$top=1`, { token: result?.accessToken ?? "" })).status).toBe(200);
    expect(fake.entra.stats).toMatchObject({ deviceCodeRequests: 1, tokenRequests: 1 });
  });

  it.each([
    [{ port: -1 }],
    [{ now: "yesterday" as never }],
    [{ faults: [{ kind: "explode" as never }] }],
  ])("rejects bad options %j with config_invalid", async (options) => {
    await expect(startFakePartnerCenter(options)).rejects.toSatisfy((e) => PcReferralsError.hasCode(e, "config_invalid"));
  });
});
