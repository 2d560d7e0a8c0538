// GET /inbox, /referral-types, /referral-domains, /referrals/:id and the manual link routes.
import type { InboxRow, StoredReferral } from "@pc-referrals/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, syncThroughRoute, type Harness } from "./route-harness.js";

const INBOX_ROW_KEYS = [
  "referralId",
  "referralType",
  "status",
  "substatus",
  "customerName",
  "domain",
  "linkStatus",
  "linkedCompanyId",
  "azureTenantId",
  "updatedAt",
  "syncedAt",
  "expiresAt",
  "tenant",
].sort();

let h: Harness;
let rows: InboxRow[];
beforeAll(async () => {
  h = await startHarness({ count: 120, seed: 5 });
  await syncThroughRoute(h);
  rows = (await h.store.queryInbox({ pageSize: 500 })).items;
});
afterAll(() => h.stop());

const json = async <T>(path: string): Promise<T> => (await (await h.request(path)).json()) as T;

async function expectInvalid(path: string, fields: string[], init?: Parameters<Harness["request"]>[1]) {
  const res = await h.request(path, init);
  expect(res.status).toBe(400);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const problem = (await res.json()) as { code: string; errors?: Array<{ path: string }> };
  expect(problem.code).toBe("invalid_input");
  expect((problem.errors ?? []).map((e) => e.path)).toEqual(fields);
}

describe("GET /inbox", () => {
  it("pages the inbox with the total, and every item has exactly the InboxRow keys", async () => {
    const page = await json<{ items: InboxRow[]; total: number; page: number; pageSize: number }>("/inbox?page=2&pageSize=10");
    expect(page).toMatchObject({ total: rows.length, page: 2, pageSize: 10 });
    expect(page.items).toHaveLength(10);
    for (const item of page.items) expect(Object.keys(item).sort()).toEqual(INBOX_ROW_KEYS);
    expect(page.items.map((r) => r.referralId)).toEqual(rows.slice(10, 20).map((r) => r.referralId));
  });

  it("expiry: expiresWithinDays keeps referrals with a deadline, sort=urgency puts the soonest first (as the store does)", async () => {
    const withDeadline = rows.filter((r) => r.expiresAt !== null);
    expect(withDeadline.length).toBeGreaterThan(0);
    expect(withDeadline.every((r) => r.status === "New")).toBe(true);
    const within = await json<{ items: InboxRow[]; total: number }>("/inbox?expiresWithinDays=9999&pageSize=100");
    expect(within.total).toBe(withDeadline.length);
    expect(within.items.every((r) => r.expiresAt !== null)).toBe(true);
    const urgent = await json<{ items: InboxRow[] }>("/inbox?sort=urgency&pageSize=100");
    const expected = await h.store.queryInbox({ sort: "urgency", pageSize: 100 });
    expect(urgent.items.map((r) => r.referralId)).toEqual(expected.items.map((r) => r.referralId));
    const deadlines = urgent.items.map((r) => r.expiresAt).filter((e): e is string => e !== null);
    expect(deadlines).toEqual([...deadlines].sort((a, b) => Date.parse(a) - Date.parse(b)));
    expect(urgent.items[0]?.expiresAt).not.toBeNull();
  });

  it.each([
    ["-1", "query.expiresWithinDays"],
    ["three", "query.expiresWithinDays"],
    ["", "query.expiresWithinDays"],
  ])("expiry: answers 400 invalid_input for expiresWithinDays=%j", async (value, field) => {
    await expectInvalid(`/inbox?expiresWithinDays=${encodeURIComponent(value)}`, [field]);
  });

  it("expiry: answers 400 invalid_input for an unknown sort", async () => {
    await expectInvalid("/inbox?sort=soonest", ["query.sort"]);
  });

  it("filters by referralType, status, linkStatus and q", async () => {
    const coSell = await json<{ items: InboxRow[]; total: number }>("/inbox?referralType=co-sell&pageSize=100");
    expect(coSell.total).toBe(rows.filter((r) => r.referralType === "co-sell").length);
    expect(coSell.items.every((r) => r.referralType === "co-sell")).toBe(true);
    const active = await json<{ total: number }>("/inbox?status=Active");
    expect(active.total).toBe(rows.filter((r) => r.status === "Active").length);
    const unlinked = await json<{ total: number }>("/inbox?linkStatus=unlinked");
    expect(unlinked.total).toBe(rows.filter((r) => r.linkStatus === "unlinked").length);
    const target = rows[0];
    const found = await json<{ items: InboxRow[] }>(`/inbox?q=${encodeURIComponent(target?.domain ?? "")}`);
    expect(found.items.map((r) => r.referralId)).toContain(target?.referralId);
  });

  it.each([
    ["/inbox?pageSize=0", ["query.pageSize"]],
    ["/inbox?pageSize=101", ["query.pageSize"]],
    ["/inbox?page=0", ["query.page"]],
    ["/inbox?page=two", ["query.page"]],
    ["/inbox?referralType=partner", ["query.referralType"]],
    ["/inbox?linkStatus=linked", ["query.linkStatus"]],
    [`/inbox?q=${"a".repeat(201)}`, ["query.q"]],
    ["/inbox?pageSize=0&referralType=x", ["query.referralType", "query.pageSize"]],
  ])("rejects %s with 400 invalid_input listing %j", async (path, fields) => {
    await expectInvalid(path, fields);
  });
});

describe("GET /referral-types", () => {
  it("answers { domain: types } for stored domains and leaves out domains without a referral", async () => {
    const domains = [...new Set(rows.map((r) => r.domain).filter((d): d is string => d !== null))].slice(0, 5);
    const query = [...domains, "no-referral.example"].map((d) => `domain=${encodeURIComponent(d)}`).join("&");
    const body = await json<Record<string, string[]>>(`/referral-types?${query}`);
    expect(Object.keys(body).sort()).toEqual([...domains].sort());
    for (const domain of domains) {
      expect(body[domain]).toEqual(expect.arrayContaining([...new Set(rows.filter((r) => r.domain === domain).map((r) => r.referralType))]));
    }
  });

  it("takes one domain and up to 500 domains; 501 is a 400", async () => {
    const one = rows[0]?.domain ?? "";
    expect(Object.keys(await json(`/referral-types?domain=${encodeURIComponent(one)}`))).toEqual([one]);
    const many = (n: number) => Array.from({ length: n }, (_, i) => `domain=d${i}.example`).join("&");
    expect((await h.request(`/referral-types?${many(500)}`)).status).toBe(200);
    await expectInvalid(`/referral-types?${many(501)}`, ["query.domain"]);
  });

  it.each([
    ["/referral-types", ["query.domain"]],
    ["/referral-types?domain=", ["query.domain.0"]],
  ])("rejects %s with 400 invalid_input", async (path, fields) => {
    await expectInvalid(path, fields);
  });
});

describe("GET /referral-domains", () => {
  it.each([
    ["/referral-domains?type=partner", ["query.type"]],
    ["/referral-domains?pageSize=501", ["query.pageSize"]],
    ["/referral-domains?page=0", ["query.page"]],
  ])("rejects %s with 400 invalid_input", async (path, fields) => {
    await expectInvalid(path, fields);
  });

  it("lists the domains with a referral of the type, ordered by domain", async () => {
    const res = await h.request("/referral-domains?type=co-sell&pageSize=500");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: Array<{ domain: string; referralTypes: string[] }>; total: number };
    const expected = [...new Set(rows.filter((r) => r.referralType === "co-sell" && r.domain !== null).map((r) => r.domain))].sort();
    expect(body.total).toBe(expected.length);
    expect(body.items.map((i) => i.domain)).toEqual(expected);
    expect(body.items.every((i) => i.referralTypes.includes("co-sell"))).toBe(true);
  });
});

describe("GET /referrals/:id", () => {
  it("answers the stored referral with its payload and its link candidates", async () => {
    const linked = rows.find((r) => r.linkStatus === "auto_linked" || r.linkStatus === "multi_candidate") ?? rows[0];
    const detail = await json<StoredReferral & { candidates: Array<{ id: string; domain: string }> }>(`/referrals/${linked?.referralId}`);
    expect(detail).toMatchObject({ referralId: linked?.referralId, domain: linked?.domain, linkStatus: linked?.linkStatus });
    expect(detail.payload).toMatchObject({ id: linked?.referralId });
    expect(detail.candidates.length).toBeGreaterThan(0);
    expect(detail.candidates.some((c) => c.domain === linked?.domain)).toBe(true);
  });

  it("answers 404 not_found for an unknown referral, and 400 for an over-long id", async () => {
    const res = await h.request("/referrals/00000000-0000-0000-0000-000000000000");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "not_found", status: 404 });
    await expectInvalid(`/referrals/${"x".repeat(201)}`, ["path.id"]);
  });
});

describe("PUT and DELETE /referrals/:id/link", () => {
  it("links by hand, unlinks by hand, and the inbox and detail show each state", async () => {
    const row = rows.find((r) => r.domain !== null) as InboxRow;
    const company = (await h.store.findCompanies({ domains: [row.domain ?? ""], normalizedNames: [] }))[0];
    expect(company).toBeDefined();

    const linked = await h.request(`/referrals/${row.referralId}/link`, { method: "PUT", json: { companyId: company?.id } });
    expect(linked.status).toBe(200);
    const linkedRow = (await linked.json()) as InboxRow;
    expect(Object.keys(linkedRow).sort()).toEqual(INBOX_ROW_KEYS);
    expect(linkedRow).toMatchObject({ referralId: row.referralId, linkStatus: "manual_linked", linkedCompanyId: company?.id });
    expect(await json(`/inbox?linkStatus=manual_linked`)).toMatchObject({ total: 1, items: [{ referralId: row.referralId }] });

    const unlinked = await h.request(`/referrals/${row.referralId}/link`, { method: "DELETE" });
    expect(unlinked.status).toBe(200);
    expect(await unlinked.json()).toMatchObject({ referralId: row.referralId, linkStatus: "manual_unlinked", linkedCompanyId: null });
    expect(await json(`/referrals/${row.referralId}`)).toMatchObject({ linkStatus: "manual_unlinked", linkedCompanyId: null });
  });

  it("answers 404 for an unknown referral and 400 invalid_input for an unknown company", async () => {
    const unknown = "00000000-0000-0000-0000-000000000000";
    expect((await h.request(`/referrals/${unknown}/link`, { method: "PUT", json: { companyId: "c1" } })).status).toBe(404);
    expect((await h.request(`/referrals/${unknown}/link`, { method: "DELETE" })).status).toBe(404);
    const res = await h.request(`/referrals/${rows[0]?.referralId}/link`, { method: "PUT", json: { companyId: "no-such-company" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "invalid_input" });
  });

  it.each([
    ["no companyId", {}, ["body.companyId"]],
    ["an empty companyId", { companyId: "" }, ["body.companyId"]],
    ["a numeric companyId", { companyId: 7 }, ["body.companyId"]],
    ["an unknown field", { companyId: "c", note: "x" }, ["body.note"]],
  ])("rejects a link body with %s", async (_name, body, fields) => {
    await expectInvalid(`/referrals/${rows[0]?.referralId}/link`, fields, { method: "PUT", json: body });
  });

  it("rejects a link request without a JSON body", async () => {
    await expectInvalid(`/referrals/${rows[0]?.referralId}/link`, ["body.companyId"], { method: "PUT" });
  });
});
