// A tenant can only see its own referrals through the routes: two tenants in one store (the memory
// store and pg-store on PGlite), tenant a's inbox, referral, link, status, runs and lead-list reads
// never show tenant b's rows, and nothing in a request lets a reach b.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStore, type InboxRow, type Store } from "@pc-referrals/core";
import { createPgStore } from "@pc-referrals/pg-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { B_CUSTOMER, startTenantHarness, type TenantHarness } from "./tenant-harness.js";

interface Backend {
  name: string;
  open(): Promise<{ store: Store; close(): Promise<void> }>;
}

const BACKENDS: Backend[] = [
  { name: "memory store", open: async () => ({ store: createMemoryStore(), close: async () => {} }) },
  {
    name: "pg-store on PGlite",
    async open() {
      const dataDir = mkdtempSync(join(tmpdir(), "pcr-tenant-routes-"));
      const store = createPgStore({ dataDir });
      await store.migrate();
      return {
        store,
        async close() {
          await store.close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
];

describe.each(BACKENDS)("tenant isolation through the routes ($name)", (backend) => {
  let h: TenantHarness;
  let close: () => Promise<void>;
  let rowsA: InboxRow[];
  let rowsB: InboxRow[];
  let onlyB: InboxRow;

  beforeAll(async () => {
    const opened = await backend.open();
    close = opened.close;
    h = await startTenantHarness(opened.store);
    rowsA = (await h.store.forTenant?.("a").queryInbox({ pageSize: 500 }))?.items ?? [];
    rowsB = (await h.store.forTenant?.("b").queryInbox({ pageSize: 500 }))?.items ?? [];
    const idsA = new Set(rowsA.map((r) => r.referralId));
    onlyB = rowsB.find((r) => !idsA.has(r.referralId) && r.domain !== null) as InboxRow;
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await close?.();
  });

  const json = async <T>(as: "a" | "b", path: string): Promise<T> => (await (await h.request(as, path)).json()) as T;

  it("has data for both tenants, one referral id stored for each", () => {
    expect(rowsA.length).toBeGreaterThan(5);
    expect(rowsB.length).toBeGreaterThan(5);
    expect(onlyB).toBeDefined();
    expect(rowsB.some((r) => r.referralId === h.sharedId)).toBe(true);
  });

  it("GET /inbox shows each tenant its own rows only, each marked with its tenant", async () => {
    for (const [tenant, rows] of [["a", rowsA], ["b", rowsB]] as const) {
      const page = await json<{ items: InboxRow[]; total: number }>(tenant, "/inbox?pageSize=100");
      expect(page.total).toBe(rows.length);
      expect(page.items.map((r) => r.referralId).sort()).toEqual(rows.map((r) => r.referralId).sort());
      expect(new Set(page.items.map((r) => r.tenant))).toEqual(new Set([tenant]));
    }
    const search = await json<{ total: number }>("a", `/inbox?q=${encodeURIComponent(onlyB.referralId)}`);
    expect(search.total).toBe(0);
  });

  it("GET /referrals/:id: 404 for b's id as a; the shared id shows each tenant its own copy", async () => {
    const res = await h.request("a", `/referrals/${onlyB.referralId}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "not_found" });
    expect((await h.request("b", `/referrals/${onlyB.referralId}`)).status).toBe(200);
    const asA = await json<{ customerName: string; tenant: string }>("a", `/referrals/${h.sharedId}`);
    const asB = await json<{ customerName: string; tenant: string }>("b", `/referrals/${h.sharedId}`);
    expect(asA.tenant).toBe("a");
    expect(asA.customerName).not.toBe(B_CUSTOMER);
    expect(asB).toMatchObject({ tenant: "b", customerName: B_CUSTOMER });
  });

  it("PUT and DELETE /referrals/:id/link: a cannot link b's referral, and a's link of the shared id leaves b's copy alone", async () => {
    const sharedA = rowsA.find((r) => r.referralId === h.sharedId);
    const [company] = (await h.store.forTenant?.("a").findCompanies({ domains: [sharedA?.domain ?? ""], normalizedNames: [] })) ?? [];
    const companyId = company?.id ?? "";
    const refused = await h.request("a", `/referrals/${onlyB.referralId}/link`, { method: "PUT", json: { companyId } });
    expect(refused.status).toBe(404);
    expect((await h.request("a", `/referrals/${onlyB.referralId}/link`, { method: "DELETE" })).status).toBe(404);
    const before = await json<InboxRow>("b", `/referrals/${h.sharedId}`);

    const linked = await h.request("a", `/referrals/${h.sharedId}/link`, { method: "PUT", json: { companyId } });
    expect(linked.status).toBe(200);
    expect(await linked.json()).toMatchObject({ tenant: "a", referralId: h.sharedId, linkStatus: "manual_linked", linkedCompanyId: companyId });
    const after = await json<InboxRow>("b", `/referrals/${h.sharedId}`);
    expect({ linkStatus: after.linkStatus, linkedCompanyId: after.linkedCompanyId }).toEqual({ linkStatus: before.linkStatus, linkedCompanyId: before.linkedCompanyId });
    expect((await json<InboxRow>("b", `/referrals/${onlyB.referralId}`)).linkStatus).toBe(onlyB.linkStatus);

    const unlinked = await h.request("a", `/referrals/${h.sharedId}/link`, { method: "DELETE" });
    expect(await unlinked.json()).toMatchObject({ tenant: "a", linkStatus: "manual_unlinked" });
  });

  it("GET /sync/status and /sync/runs: each tenant's own run and count; b's run is a 404 for a", async () => {
    const status = await json<{ referralCount: number; lastRun: { runId: string }; enabled: boolean; loginRequired: boolean }>("a", "/sync/status");
    expect(status).toMatchObject({ referralCount: rowsA.length, lastRun: { runId: h.runIds.a }, enabled: true, loginRequired: false });
    expect((await json<{ referralCount: number }>("b", "/sync/status")).referralCount).toBe(rowsB.length);
    const runs = await json<{ items: Array<{ runId: string }> }>("a", "/sync/runs");
    expect(runs.items.map((r) => r.runId)).toEqual([h.runIds.a]);
    expect((await h.request("a", `/sync/runs/${h.runIds.b}`)).status).toBe(404);
    expect((await h.request("b", `/sync/runs/${h.runIds.b}`)).status).toBe(200);
  });

  it("GET /referral-types and /referral-domains answer from the tenant's rows", async () => {
    const domain = onlyB.domain ?? "";
    const fromA = await json<Record<string, string[]>>("a", `/referral-types?domain=${encodeURIComponent(domain)}`);
    const fromB = await json<Record<string, string[]>>("b", `/referral-types?domain=${encodeURIComponent(domain)}`);
    expect(fromB[domain]).toBeDefined();
    if (!rowsA.some((r) => r.domain === domain)) expect(fromA[domain]).toBeUndefined();
    const domainsA = await json<{ items: Array<{ domain: string }> }>("a", "/referral-domains?pageSize=500");
    expect(new Set(domainsA.items.map((d) => d.domain))).toEqual(new Set(rowsA.map((r) => r.domain).filter((d) => d !== null)));
  });

  it("no request names another tenant: a query parameter, a header or a path segment still serves a", async () => {
    const viaQuery = await h.request("a", "/inbox?pageSize=100&tenant=b");
    const viaHeader = await h.request("a", "/inbox?pageSize=100", { headers: { "x-tenant": "b", "x-pc-referrals-tenant": "b" } });
    for (const res of [viaQuery, viaHeader]) {
      const page = (await res.json()) as { items: InboxRow[] };
      expect(page.items.every((r) => r.tenant === "a")).toBe(true);
    }
    expect((await h.request("a", "/b/inbox")).status).toBe(404);
    expect((await h.request("a", "/tenants/b/inbox")).status).toBe(404);
  });

  it("the page is served to a tenant, and what it reads is that tenant's", async () => {
    const page = await h.request("a", "/ui");
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain(B_CUSTOMER);
    const inbox = await json<{ items: InboxRow[] }>("a", "/inbox?pageSize=100");
    expect(inbox.items.some((r) => r.customerName === B_CUSTOMER)).toBe(false);
  });
});
