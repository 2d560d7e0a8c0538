// Issue 13, write-back over HTTP: every route through authorize to core's ReferralActions and the
// fake Partner Center (real PATCH with If-Match), and every outcome a caller has to handle.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReferralRoutes, ERROR_STATUS, type Problem } from "../src/index.js";
import { HOST_TOKEN, startHarness, syncThroughRoute, type Harness } from "./route-harness.js";

let h: Harness;
let plain: Harness;
/** The host's check with a named user: the actor the audit trail records. */
const actorAuthorize = (c: { req: { header(name: string): string | undefined } }) =>
  c.req.header("authorization") === `Bearer ${HOST_TOKEN}` ? { actor: "jane@contoso.example" } : false;

beforeAll(async () => {
  h = await startHarness({ count: 80, seed: 21, actions: true, routes: { authorize: actorAuthorize } });
  plain = await startHarness({ count: 10, seed: 21 });
  await syncThroughRoute(h);
  await syncThroughRoute(plain);
});
afterAll(async () => {
  await h.stop();
  await plain.stop();
});

/** Stored referrals with this status, not yet used by another test. */
const used = new Set<string>();
async function take(status: "New" | "Active"): Promise<string> {
  const { items } = await h.store.queryInbox({ status, pageSize: 100 });
  const row = items.find((r) => !used.has(r.referralId));
  if (row === undefined) throw new Error(`no unused ${status} referral`);
  used.add(row.referralId);
  return row.referralId;
}

const post = (path: string, json?: unknown) => h.request(path, { method: "POST", ...(json === undefined ? {} : { json }) });
const put = (path: string, json: unknown) => h.request(path, { method: "PUT", json });
const patches = () => h.fake.requests.filter((r) => r.method === "PATCH").length;

async function problemOf(res: Response, status: number): Promise<Problem> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as Problem;
}

describe("write-back routes: 200", () => {
  it("POST /referrals/:id/accept moves a New referral to Active · Accepted, in the answer, the row and the store", async () => {
    const id = await take("New");
    const res = await post(`/referrals/${id}/accept`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ referralId: id, action: "accept", status: "Active", substatus: "Accepted" });
    expect(body["auditId"]).toEqual(expect.any(String));
    expect(body["row"]).toMatchObject({ referralId: id, status: "Active", substatus: "Accepted" });
    expect(await h.store.getReferral(id)).toMatchObject({ status: "Active", substatus: "Accepted" });
  });

  it("POST /referrals/:id/decline { reason } closes it as Declined and sends the reason", async () => {
    const id = await take("New");
    const res = await post(`/referrals/${id}/decline`, { reason: "Outside our region" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ action: "decline", status: "Closed", substatus: "Declined", row: { status: "Closed" } });
    const stored = await h.store.getReferral(id);
    expect(stored?.payload["statusReason"]).toBe("Outside our region");
  });

  it("POST /referrals/:id/close { outcome } closes an accepted referral as Won or Lost", async () => {
    const won = await take("New");
    const lost = await take("New");
    for (const id of [won, lost]) expect((await post(`/referrals/${id}/accept`)).status).toBe(200);
    expect(await (await post(`/referrals/${won}/close`, { outcome: "won" })).json()).toMatchObject({ status: "Closed", substatus: "Won" });
    const res = await post(`/referrals/${lost}/close`, { outcome: "lost", reason: "Went with a competitor" });
    expect(await res.json()).toMatchObject({ status: "Closed", substatus: "Lost" });
    expect((await h.store.getReferral(lost))?.payload["statusReason"]).toBe("Went with a competitor");
  });

  it("PUT /referrals/:id/external-reference and /deal-value write the values to Partner Center", async () => {
    const id = await take("New");
    expect((await put(`/referrals/${id}/external-reference`, { value: "CRM-1042" })).status).toBe(200);
    const res = await put(`/referrals/${id}/deal-value`, { value: 25_000, currency: "USD" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ action: "setDealValue", status: "New" });
    const payload = (await h.store.getReferral(id))?.payload as { externalReferenceId?: unknown; details?: Record<string, unknown> };
    expect(payload.externalReferenceId).toBe("CRM-1042");
    expect(payload.details).toMatchObject({ dealValue: 25_000, currency: "USD" });
  });

  it("GET /referrals/:id/actions lists the audit rows newest first, with the authorize verdict's actor", async () => {
    const id = await take("New");
    await post(`/referrals/${id}/accept`);
    await post(`/referrals/${id}/accept`); // refused: already Active
    const res = await h.request(`/referrals/${id}/actions`);
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Array<Record<string, unknown>> };
    expect(items.map((i) => [i["action"], i["outcome"], i["actor"]])).toEqual([
      ["accept", "refused", "jane@contoso.example"],
      ["accept", "succeeded", "jane@contoso.example"],
    ]);
    expect((await h.request(`/referrals/${id}/actions?limit=1`)).status).toBe(200);
    expect((await h.request(`/referrals/${id}/actions?limit=0`)).status).toBe(400);
  });

  it("GET /referrals/:id sends the allowed actions, so the page needs no copy of the rules", async () => {
    const id = await take("New");
    const detail = (await (await h.request(`/referrals/${id}`)).json()) as { writeBack: boolean; allowedActions: string[] };
    expect(detail.writeBack).toBe(true);
    expect([...detail.allowedActions].sort()).toEqual(["accept", "decline", "setDealValue", "setExternalReference"]);
    await post(`/referrals/${id}/decline`, { reason: "Duplicate" });
    expect(((await (await h.request(`/referrals/${id}`)).json()) as { allowedActions: string[] }).allowedActions).toEqual([]);
  });
});

describe("write-back routes: refusals", () => {
  it("409 invalid_transition names the allowed moves and sends nothing to Partner Center", async () => {
    const id = await take("New");
    const before = patches();
    const early = await problemOf(await post(`/referrals/${id}/close`, { outcome: "won" }), 409);
    expect(early).toMatchObject({ code: "invalid_transition", type: "urn:pc-referrals:error:invalid_transition" });
    expect([...(early.allowed ?? [])].sort()).toEqual(["accept", "decline", "setDealValue", "setExternalReference"]);
    await post(`/referrals/${id}/decline`, { reason: "Not a fit" });
    const closed = await problemOf(await post(`/referrals/${id}/accept`), 409);
    expect(closed).toMatchObject({ code: "invalid_transition", allowed: [] });
    expect(patches()).toBe(before + 1); // the decline only
  });

  it("409 referral_conflict after Partner Center changed the referral underneath, with its current state stored", async () => {
    const id = await take("New");
    h.fake.update(id, { customerProfile: { name: "Renamed Underneath Ltd" } });
    const conflict = await problemOf(await post(`/referrals/${id}/accept`), 409);
    expect(conflict.code).toBe("referral_conflict");
    expect(conflict.current).toMatchObject({ status: "New", eTag: expect.any(String) });
    const stored = await h.store.getReferral(id);
    expect(stored).toMatchObject({ status: "New", customerName: "Renamed Underneath Ltd" });
    // With the fresh eTag stored, the same request now goes through.
    expect((await post(`/referrals/${id}/accept`)).status).toBe(200);
  });

  it("404 not_found for a referral that is not stored", async () => {
    const res = await problemOf(await post("/referrals/no-such-referral/accept"), 404);
    expect(res.code).toBe("not_found");
    expect((await put("/referrals/no-such-referral/external-reference", { value: "x" })).status).toBe(404);
  });

  it("404 not_found naming the missing option when the routes got no actions, and the detail says writeBack false", async () => {
    const [row] = (await plain.store.queryInbox({ status: "New" })).items;
    const id = row?.referralId ?? "";
    for (const [method, path, json] of [
      ["POST", "accept", undefined],
      ["POST", "decline", { reason: "x" }],
      ["POST", "close", { outcome: "won" }],
      ["PUT", "external-reference", { value: "x" }],
      ["PUT", "deal-value", { value: 1, currency: "EUR" }],
    ] as const) {
      const res = await plain.request(`/referrals/${id}/${path}`, { method, ...(json === undefined ? {} : { json }) });
      const body = await problemOf(res, 404);
      expect(body).toMatchObject({ code: "not_found" });
      expect(body.detail).toContain("Write-back is not configured");
    }
    expect(plain.fake.requests.filter((r) => r.method === "PATCH")).toEqual([]);
    expect(await (await plain.request(`/referrals/${id}`)).json()).toMatchObject({ writeBack: false, allowedActions: [] });
  });

  it("400 invalid_input names every bad body field, before anything is sent", async () => {
    const id = await take("New");
    const before = patches();
    const cases: Array<[string, string, unknown, string[]]> = [
      ["POST", "decline", {}, ["body.reason"]],
      ["POST", "decline", { reason: "   " }, ["body.reason"]],
      ["POST", "close", { outcome: "maybe", extra: 1 }, ["body.outcome", "body.extra"]],
      ["PUT", "external-reference", { value: 42 }, ["body.value"]],
      ["PUT", "deal-value", { value: -5, currency: "dollars" }, ["body.value", "body.currency"]],
    ];
    for (const [method, path, json, fields] of cases) {
      const body = await problemOf(await h.request(`/referrals/${id}/${path}`, { method, json }), 400);
      expect(body.code).toBe("invalid_input");
      expect((body.errors ?? []).map((e) => e.path).sort()).toEqual([...fields].sort());
    }
    const notJson = await h.request(`/referrals/${id}/decline`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect((await problemOf(notJson, 400)).code).toBe("invalid_input");
    expect(patches()).toBe(before);
  });

  it("401 and 403 come from authorize, before any action runs", async () => {
    const id = await take("New");
    const before = patches();
    const anonymous = await h.request(`/referrals/${id}/accept`, { method: "POST", headers: { authorization: "" } });
    expect((await problemOf(anonymous, 403)).code).toBe("forbidden");
    const host = await startHarness({ count: 0, actions: true });
    try {
      expect((await host.request("/referrals/x/accept", { method: "POST", headers: { authorization: "" } })).status).toBe(401);
      expect((await host.request("/referrals/x/accept", { method: "POST", headers: { authorization: "Bearer guess" } })).status).toBe(403);
    } finally {
      await host.stop();
    }
    expect(patches()).toBe(before);
    expect(await h.store.listReferralActions({ referralId: id })).toEqual([]);
  });

  it("PUT /referrals/:id/link with writeBack.setExternalReferenceOnLink writes the company's external id, audited under the actor", async () => {
    const w = await startHarness({ count: 40, seed: 21, actions: true, writeBackOnLink: true, routes: { authorize: actorAuthorize } });
    try {
      await syncThroughRoute(w);
      const rows = (await w.store.queryInbox({ status: "New", pageSize: 100 })).items.filter((r) => r.domain !== null);
      const row = rows[0];
      const [company] = await w.store.findCompanies({ domains: [row?.domain ?? ""], normalizedNames: [] });
      await w.store.setCompanyExternalId({ companyId: company?.id ?? "", externalId: "CRM-ACME-9" });
      const res = await w.request(`/referrals/${row?.referralId}/link`, { method: "PUT", json: { companyId: company?.id } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ referralId: row?.referralId, linkStatus: "manual_linked" });
      expect((await w.store.getReferral(row?.referralId ?? ""))?.payload["externalReferenceId"]).toBe("CRM-ACME-9");
      const [audit] = await w.store.listReferralActions({ referralId: row?.referralId ?? "" });
      expect(audit).toMatchObject({ action: "setExternalReference", outcome: "succeeded", actor: "jane@contoso.example" });
    } finally {
      await w.stop();
    }
  });

  it("ERROR_STATUS lists the write-back codes as 409", () => {
    expect(ERROR_STATUS["invalid_transition"]).toBe(409);
    expect(ERROR_STATUS["referral_conflict"]).toBe(409);
  });

  it("createReferralRoutes refuses an actions option that is not ReferralActions", () => {
    expect(() => createReferralRoutes({ engine: h.engine, store: h.store, unsafeAllowAll: true, actions: {} as never })).toThrow(
      /createReferralRoutes\.actions/,
    );
  });
});
