// Migration 0007: the write-back audit trail (referral_actions) and companies.external_id.
import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../src/index.js";
import { migrate, rollback } from "../src/migrate.js";
import { BACKENDS, useBackend } from "./backends.js";

// The store's code reads and writes the newest schema, so the database is populated in SQL below
// 0007, and the store is used only with every migration applied (0007 and whatever follows it).
const FROM_0007 = MIGRATIONS.filter((m) => m.id >= 7).map(({ id, name }) => ({ id, name }));
const COMPANY_ID = "6f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f";

describe.each(BACKENDS)("migration 0007 (referral actions) on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename, { migrate: false });

  it("migration 0007: up on a populated database, down, up again; referrals, companies and the audit kept where they can be", async () => {
    const schema = h.schemaNamed("m0007");
    const target = { db: h.db(), schema };
    await migrate({ ...target, migrations: MIGRATIONS.filter((m) => m.id < 7) });
    await h.sql(`INSERT INTO "${schema}".companies (id, domain, name, normalized_name) VALUES ($1, 'contoso.com', 'Contoso Ltd', 'contoso')`, [COMPANY_ID]);
    await h.sql(
      `WITH lead AS (INSERT INTO "${schema}".raw_leads (referral_id, run_id, payload, content_hash) VALUES ('kept', 'run-1', '{"id":"kept"}', 'hash-1'))
       INSERT INTO "${schema}".referrals (referral_id, referral_type, type_evidence, status, substatus, status_key, domain, link_status,
         content_hash, first_seen_at, last_synced_at, last_run_id, search_text)
       VALUES ('kept', 'co-sell', 'type=Shared', 'New', 'Pending', 'new', 'contoso.com', 'unlinked', 'hash-1', now(), now(), 'run-1', 'kept')`,
    );
    const store = h.store({ schema });
    const companyId = COMPANY_ID;

    expect(await migrate({ ...target, migrations: MIGRATIONS })).toEqual(FROM_0007);
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

    expect(await rollback({ ...target, migrations: MIGRATIONS }, FROM_0007.length)).toEqual([...FROM_0007].reverse());
    expect(await h.sql(`SELECT to_regclass('"${schema}".referral_actions') AS v`)).toEqual([{ v: null }]);
    const columns = await h.sql<{ c: string }>(
      `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'companies' AND column_name = 'external_id'`,
      [schema],
    );
    expect(columns).toEqual([]);
    expect(await h.sql(`SELECT referral_id FROM "${schema}".referrals`)).toEqual([{ referral_id: "kept" }]);
    expect(await h.sql(`SELECT count(*)::int AS n FROM "${schema}".companies`)).toEqual([{ n: 1 }]);

    expect(await migrate({ ...target, migrations: MIGRATIONS })).toEqual(FROM_0007);
    expect(await store.getCompany(companyId)).toMatchObject({ domain: "contoso.com", externalId: null });
    expect(await store.listReferralActions()).toEqual([]);
    expect((await store.getReferral("kept"))?.referralId).toBe("kept");
  });
});
