// Migration 0007: the write-back audit trail (referral_actions) and companies.external_id.
import { makeCompanyUpsert, makeProcessedPage, makeProcessedReferral } from "@pc-referrals/core/testing";
import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../src/index.js";
import { migrate, rollback } from "../src/migrate.js";
import { BACKENDS, useBackend } from "./backends.js";

const UP_TO_0007 = MIGRATIONS.filter((m) => m.id <= 7);

describe.each(BACKENDS)("migration 0007 (referral actions) on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename, { migrate: false });

  it("migration 0007: up on a populated database, down, up again; referrals, companies and the audit kept where they can be", async () => {
    const schema = h.schemaNamed("m0007");
    const target = { db: h.db(), schema };
    await migrate({ ...target, migrations: UP_TO_0007.filter((m) => m.id < 7) });
    const store = h.store({ schema });
    const page = makeProcessedPage([makeProcessedReferral({ referralId: "kept", domain: "contoso.com" })], {
      companies: [makeCompanyUpsert({ domain: "contoso.com" })],
    });
    const outcome = await store.applyBatch(page);
    const companyId = outcome.companies[0]?.companyId as string;

    expect(await migrate({ ...target, migrations: UP_TO_0007 })).toEqual([{ id: 7, name: "referral-actions" }]);
    expect(await store.getCompany(companyId)).toMatchObject({ domain: "contoso.com", externalId: null });
    await store.setCompanyExternalId({ companyId, externalId: "CRM-1" });
    const record = {
      id: "audit-1",
      referralId: "kept",
      action: "accept" as const,
      actor: "jana",
      outcome: "succeeded" as const,
      requestId: "req-1",
      input: {},
      error: null,
      at: "2025-10-01T08:00:00.000Z",
    };
    await store.recordReferralAction(record);
    expect(await store.listReferralActions()).toEqual([record]);

    expect(await rollback({ ...target, migrations: UP_TO_0007 }, 1)).toEqual([{ id: 7, name: "referral-actions" }]);
    expect(await h.sql(`SELECT to_regclass('"${schema}".referral_actions') AS v`)).toEqual([{ v: null }]);
    const columns = await h.sql<{ c: string }>(
      `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'companies' AND column_name = 'external_id'`,
      [schema],
    );
    expect(columns).toEqual([]);
    expect((await store.getReferral("kept"))?.referralId).toBe("kept");
    expect(await h.sql(`SELECT count(*)::int AS n FROM "${schema}".companies`)).toEqual([{ n: 1 }]);

    expect(await migrate({ ...target, migrations: UP_TO_0007 })).toEqual([{ id: 7, name: "referral-actions" }]);
    expect(await store.getCompany(companyId)).toMatchObject({ domain: "contoso.com", externalId: null });
    expect(await store.listReferralActions()).toEqual([]);
    expect((await store.getReferral("kept"))?.referralId).toBe("kept");
  });
});
