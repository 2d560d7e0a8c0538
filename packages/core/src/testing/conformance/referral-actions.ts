// The write-back audit trail (recordReferralAction, listReferralActions) and the host's company
// external id (getCompany, setCompanyExternalId).
import { describe, expect, it } from "vitest";
import type { ReferralActionRecord, Store } from "../../store/store.js";
import { makeCompanyUpsert, makeProcessedReferral } from "../processed-fixtures.js";
import { applyReferrals, expectErrorCode, instant, seedCompanies, type ConformanceContext } from "./context.js";

let sequence = 0;
function makeRecord(overrides: Partial<ReferralActionRecord> = {}): ReferralActionRecord {
  sequence += 1;
  return {
    id: `audit-${String(sequence).padStart(4, "0")}`,
    referralId: "ref-1",
    action: "accept",
    actor: "jana@example.com",
    outcome: "succeeded",
    requestId: "req-1",
    input: {},
    error: null,
    at: "2025-10-01T08:00:00.000Z",
    ...overrides,
  };
}

const withInstant = (r: ReferralActionRecord): ReferralActionRecord => ({ ...r, at: instant(r.at) });

async function listed(store: Store, query?: Parameters<Store["listReferralActions"]>[0]): Promise<ReferralActionRecord[]> {
  return (await store.listReferralActions(query)).map(withInstant);
}

export function describeReferralActions<S extends Store>(ctx: ConformanceContext<S>): void {
  describe("recordReferralAction / listReferralActions: the audit trail", () => {
    it("keeps every field of every outcome, newest first", async () => {
      const succeeded = makeRecord({ input: { reason: "Outside our region", nested: { n: 1 } }, at: "2025-10-01T08:00:00.000Z" });
      const conflict = makeRecord({
        action: "decline",
        outcome: "conflict",
        requestId: null,
        error: { code: "referral_conflict", message: "changed at Partner Center" },
        at: "2025-10-01T09:00:00.000Z",
      });
      const refused = makeRecord({ action: "close", outcome: "refused", actor: null, requestId: null, error: { code: "invalid_transition", message: "no" }, at: "2025-10-01T10:00:00.000Z" });
      const failed = makeRecord({ action: "setDealValue", outcome: "failed", input: { value: 12.5, currency: "EUR" }, error: { code: "write_unconfirmed", message: "?" }, at: "2025-10-01T11:00:00.000Z" });
      for (const r of [succeeded, conflict, refused, failed]) await ctx.store.recordReferralAction(r);

      expect(await listed(ctx.store)).toEqual([failed, refused, conflict, succeeded]);
    });

    it("filters by referral, limits, and breaks ties of `at` by id descending", async () => {
      const at = "2025-10-02T08:00:00.000Z";
      const a = makeRecord({ id: "a-1", referralId: "ref-a", at });
      const b = makeRecord({ id: "a-2", referralId: "ref-a", at });
      const other = makeRecord({ id: "b-1", referralId: "ref-b", at: "2025-10-03T08:00:00.000Z" });
      for (const r of [a, other, b]) await ctx.store.recordReferralAction(r);

      expect(await listed(ctx.store, { referralId: "ref-a" })).toEqual([b, a]);
      expect(await listed(ctx.store, { limit: 2 })).toEqual([other, b]);
      expect(await listed(ctx.store, { referralId: "ref-none" })).toEqual([]);
    });

    it("keeps the first record when an id is written twice", async () => {
      const first = makeRecord({ id: "dup", outcome: "succeeded" });
      await ctx.store.recordReferralAction(first);
      await ctx.store.recordReferralAction({ ...first, outcome: "failed", error: { code: "x", message: "y" } });
      expect(await listed(ctx.store)).toEqual([first]);
    });

    it("returns 50 by default and refuses limits outside 1..500", async () => {
      for (let i = 0; i < 55; i += 1) await ctx.store.recordReferralAction(makeRecord({ at: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString() }));
      expect(await ctx.store.listReferralActions()).toHaveLength(50);
      for (const limit of [0, 501, 1.5, -1]) await expectErrorCode(ctx.store.listReferralActions({ limit }), "invalid_input");
    });

    it("refuses a record with an unknown action or outcome, a missing id or a bad timestamp, and stores none of them", async () => {
      await expectErrorCode(ctx.store.recordReferralAction(makeRecord({ action: "delete" as never })), "invalid_input");
      await expectErrorCode(ctx.store.recordReferralAction(makeRecord({ outcome: "maybe" as never })), "invalid_input");
      await expectErrorCode(ctx.store.recordReferralAction(makeRecord({ id: "" })), "invalid_input");
      await expectErrorCode(ctx.store.recordReferralAction(makeRecord({ at: "yesterday" })), "invalid_input");
      expect(await ctx.store.listReferralActions()).toEqual([]);
    });

    it("keeps an audit row for a referral it does not store (a refused attempt is still recorded)", async () => {
      const record = makeRecord({ referralId: "never-synced", outcome: "refused", error: { code: "not_found", message: "not stored" } });
      await ctx.store.recordReferralAction(record);
      expect(await listed(ctx.store, { referralId: "never-synced" })).toEqual([record]);
    });
  });

  describe("getCompany / setCompanyExternalId", () => {
    it("sets, reads back and clears a company's external id; syncs keep it", async () => {
      const ids = await seedCompanies(ctx.store, [makeCompanyUpsert({ domain: "contoso.com" })]);
      const id = ids["contoso.com"] as string;
      expect(await ctx.store.getCompany(id)).toMatchObject({ id, domain: "contoso.com", externalId: null });

      expect(await ctx.store.setCompanyExternalId({ companyId: id, externalId: "CRM-0042" })).toMatchObject({ id, externalId: "CRM-0042" });
      await seedCompanies(ctx.store, [makeCompanyUpsert({ domain: "contoso.com", segment: "Existing" })]);
      await applyReferrals(ctx.store, [makeProcessedReferral({ referralId: "ref-1", domain: "contoso.com" })]);
      expect(await ctx.store.getCompany(id)).toMatchObject({ externalId: "CRM-0042", segment: "Existing" });
      expect((await ctx.store.findCompanies({ domains: ["contoso.com"], normalizedNames: [] }))[0]?.externalId).toBe("CRM-0042");

      expect(await ctx.store.setCompanyExternalId({ companyId: id, externalId: null })).toMatchObject({ externalId: null });
      expect((await ctx.store.getCompany(id))?.externalId).toBeNull();
    });

    it("answers null for a company id that names none (any shape), and refuses a bad external id", async () => {
      const ids = await seedCompanies(ctx.store, [makeCompanyUpsert({ domain: "contoso.com" })]);
      for (const missing of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", ""]) {
        expect(await ctx.store.getCompany(missing)).toBeNull();
        expect(await ctx.store.setCompanyExternalId({ companyId: missing, externalId: "X" })).toBeNull();
      }
      const id = ids["contoso.com"] as string;
      for (const bad of ["", "   ", "a\u0000b", "line\nbreak", "x".repeat(201), 42 as never]) {
        await expectErrorCode(ctx.store.setCompanyExternalId({ companyId: id, externalId: bad }), "invalid_input");
      }
      expect((await ctx.store.getCompany(id))?.externalId).toBeNull();
    });
  });
}
