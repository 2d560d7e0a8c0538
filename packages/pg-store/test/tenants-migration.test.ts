// Migration 0009 (tenants) on a database populated at 0008: every row lands in tenant `default`
// and reads back through the store; down gives back exactly the 0008 schema and rows; up again.
// Down refuses, changing nothing, while another tenant's rows or registry entries exist.
import { completeCounts, PcReferralsError, type TokenCachePlugin } from "@pc-referrals/core";
import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../src/index.js";
import { migrate, rollback } from "../src/migrate.js";
import { BACKENDS, useBackend } from "./backends.js";

const TENANTS = { id: 9, name: "tenants" };
const COMPANY = "00000000-0000-4000-8000-000000000001";

describe.each(BACKENDS)("migration 0009 on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename, { migrate: false });

  // Rows as the 0008 release wrote them (the store itself writes the newest schema).
  const seed = async (schema: string): Promise<void> => {
    const s = `"${schema}"`;
    await h.sql(
      `INSERT INTO ${s}.raw_leads (referral_id, run_id, domain, payload, payload_json, content_hash, created_at) VALUES
         ('r1', 'run-1', 'contoso.com', '{"id":"r1","v":1}', NULL, 'h1', '2025-01-01T00:00:00Z'),
         ('r1', 'run-2', 'contoso.com', '{"id":"r1","v":2}', NULL, 'h2', '2025-01-02T00:00:00Z'),
         ('r2', 'run-1', NULL, '{"id":"r2","note":"a\\ufffdb"}', '{"id":"r2","note":"a\\u0000b"}', 'h1', '2025-01-01T00:00:00Z')`,
    );
    await h.sql(
      `INSERT INTO ${s}.companies (id, domain, name, normalized_name, external_id) VALUES ($1, 'contoso.com', 'Contoso', 'contoso', 'crm-1')`,
      [COMPANY],
    );
    await h.sql(
      `INSERT INTO ${s}.referrals (referral_id, referral_type, type_evidence, status, status_key, customer_name, domain,
         link_status, linked_company_id, content_hash, first_seen_at, last_synced_at, remote_updated_at, last_run_id,
         search_text, expires_at) VALUES
         ('r1', 'co-sell', 'seed', 'New', 'new', 'Contoso', 'contoso.com', 'manual_linked', $1, 'h2',
          '2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z', '2025-01-02T00:00:00Z', 'run-2', 'contoso\ncontoso.com\nr1', '2025-01-20T00:00:00Z'),
         ('r2', 'marketplace', 'seed', 'Active', 'active', NULL, NULL, 'unlinked', NULL, 'h1',
          '2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z', '2025-01-01T00:00:00Z', 'run-1', '\n\nr2', NULL)`,
      [COMPANY],
    );
    await h.sql(
      `INSERT INTO ${s}.sync_runs (run_id, trigger, full_sync, status, started_at, finished_at, counts, errors, warnings) VALUES
         ('run-1', 'manual', true, 'succeeded', '2025-01-01T00:00:00Z', '2025-01-01T00:01:00Z', '{"pages":1}', '[]', '[]'),
         ('run-2', 'schedule', false, 'partial', '2025-01-02T00:00:00Z', '2025-01-02T00:01:00Z', '{"pages":1}',
          '[{"referralId":"r-bad","code":"invalid_payload","message":"bad"}]', '[]')`,
    );
    await h.sql(`INSERT INTO ${s}.sync_cursor (scope, updated_at, order_honoured) VALUES ('default', '2025-01-02T00:00:00Z', false)`);
    await h.sql(
      `INSERT INTO ${s}.run_lock (name, owner, token, acquired_at, expires_at)
       VALUES ('sync', 'run-2', '00000000-0000-4000-8000-0000000000aa', '2025-01-02T00:00:00Z', '2025-01-02T00:05:00Z')`,
    );
    await h.sql(
      `INSERT INTO ${s}.referral_failures (scope, referral_id, failures, content_hash, last_error_code, last_error_message, last_run_id, quarantined_at)
       VALUES ('default', 'r-bad', 3, 'hx', 'invalid_payload', 'bad', 'run-2', '2025-01-02T00:01:00Z')`,
    );
    await h.sql(`INSERT INTO ${s}.expiry_announcements (referral_id, threshold_days, expires_at) VALUES ('r1', 3, '2025-01-20T00:00:00Z')`);
    await h.sql(
      `INSERT INTO ${s}.referral_actions (id, referral_id, action, actor, outcome, request_id, input, at)
       VALUES ('a1', 'r1', 'accept', 'ops@contoso', 'succeeded', 'req-1', '{}', '2025-01-03T00:00:00Z')`,
    );
    await h.sql(`INSERT INTO ${s}.token_cache (cache_key, data, version) VALUES ('default', '{"Account":{"a":1}}', 4)`);
  };

  // Every row of every table and the schema's definitions, in a stable order.
  const dump = async (schema: string): Promise<Record<string, unknown>> => {
    const tables = await h.sql<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'pcr_migrations' ORDER BY 1`,
      [schema],
    );
    const out: Record<string, unknown> = {};
    for (const { name } of tables) {
      out[name] = (await h.sql<{ row: string }>(`SELECT x::text AS row FROM "${schema}".${name} x ORDER BY 1`)).map((r) => r.row);
    }
    const ns = `(SELECT oid FROM pg_namespace WHERE nspname = $1)`;
    out.columns = await h.sql(
      `SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default, collation_name
       FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
      [schema],
    );
    out.constraints = await h.sql(
      `SELECT conrelid::regclass::text AS rel, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE connamespace = ${ns} ORDER BY 1, 2`,
      [schema],
    );
    out.indexes = await h.sql(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1`, [schema]);
    out.functions = await h.sql(`SELECT proname, prosrc, proconfig FROM pg_proc WHERE pronamespace = ${ns} ORDER BY 1`, [schema]);
    out.triggers = await h.sql(
      `SELECT tgname, pg_get_triggerdef(t.oid) AS def FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       WHERE c.relnamespace = ${ns} AND NOT t.tgisinternal ORDER BY 1`,
      [schema],
    );
    out.views = await h.sql(
      `SELECT c.relname, pg_get_viewdef(c.oid) AS def, obj_description(c.oid, 'pg_class') AS comment FROM pg_class c
       WHERE c.relnamespace = ${ns} AND c.relkind = 'v' ORDER BY 1`,
      [schema],
    );
    out.comments = await h.sql(
      `SELECT c.relname, a.attname, col_description(c.oid, a.attnum) AS comment FROM pg_class c
       JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relnamespace = ${ns} AND col_description(c.oid, a.attnum) IS NOT NULL ORDER BY 1, 2`,
      [schema],
    );
    return out;
  };

  it("moves every row to tenant default: up on a populated database, readable, down identical to 0008, up again", async () => {
    const schema = h.schemaNamed("m0009");
    const target = { db: h.db(), schema };
    await migrate({ ...target, migrations: MIGRATIONS.filter((m) => m.id < 9) });
    await seed(schema);
    const at8 = await dump(schema);

    expect(await migrate(target)).toEqual([TENANTS]);
    const store = h.store({ schema });
    const read = async () => ({
      r1: await store.getReferral("r1"),
      r2: await store.getReferral("r2"),
      inbox: await store.queryInbox({}),
      newOnes: (await store.queryInbox({ status: "new" })).total,
      search: (await store.queryInbox({ q: "contoso" })).items.map((r) => r.referralId),
      domains: await store.listReferralDomains({}),
      types: Object.fromEntries(await store.referralTypesByDomain(["contoso.com"])),
      runs: (await store.listRuns()).map((r) => [r.runId, r.status]),
      cursor: await store.getCursor("default"),
      failures: (await store.listReferralFailures("default")).map((f) => [f.referralId, f.failures, f.quarantinedAt]),
      actions: (await store.listReferralActions()).map((a) => [a.id, a.referralId, a.actor]),
      company: await store.getCompany(COMPANY),
      leads: (await store.listRawLeads()).map((l) => [l.referralId, l.contentHash, l.payload]),
      urgent: (await store.queryInbox({ sort: "urgency" })).items.map((r) => [r.referralId, r.expiresAt]),
      // Already announced before the migration: not again.
      announced: await store.claimExpiryAnnouncements([{ referralId: "r1", thresholdDays: 3, expiresAt: "2025-01-20T00:00:00.000Z" }]),
    });
    const up = await read();
    expect(up.r1).toMatchObject({
      tenant: "default",
      contentHash: "h2",
      linkStatus: "manual_linked",
      linkedCompanyId: COMPANY,
      payload: { id: "r1", v: 2 },
    });
    expect(up.r2).toMatchObject({ tenant: "default", payload: { id: "r2", note: "a\u0000b" } });
    expect(up.inbox.total).toBe(2);
    expect(up.inbox.items.map((r) => [r.tenant, r.referralId])).toEqual([
      ["default", "r1"],
      ["default", "r2"],
    ]);
    expect(up.newOnes).toBe(1);
    expect(up.search).toEqual(["r1"]);
    expect(up.domains.items.map((d) => [d.domain, d.referralCount, d.latestReferralId])).toEqual([["contoso.com", 1, "r1"]]);
    expect(up.types).toEqual({ "contoso.com": ["co-sell"] });
    expect(up.runs).toEqual([
      ["run-2", "partial"],
      ["run-1", "succeeded"],
    ]);
    expect(up.cursor).toEqual({ updatedAt: "2025-01-02T00:00:00.000Z", orderHonoured: false });
    expect(up.failures).toEqual([["r-bad", 3, "2025-01-02T00:01:00.000Z"]]);
    expect(up.actions).toEqual([["a1", "r1", "ops@contoso"]]);
    expect(up.company).toMatchObject({ domain: "contoso.com", externalId: "crm-1" });
    expect(up.leads).toEqual([
      ["r1", "h1", { id: "r1", v: 1 }],
      ["r1", "h2", { id: "r1", v: 2 }],
      ["r2", "h1", { id: "r2", note: "a\u0000b" }],
    ]);
    expect(up.urgent).toEqual([
      ["r1", "2025-01-20T00:00:00.000Z"],
      ["r2", null],
    ]);
    expect(up.announced).toEqual([]);
    let cached: string | null = null;
    const context = { cacheHasChanged: false, tokenCache: { serialize: () => "", deserialize: (data: string) => void (cached = data) } };
    await store.tokenCache().beforeCacheAccess(context as unknown as Parameters<TokenCachePlugin["beforeCacheAccess"]>[0]);
    expect(cached).toBe('{"Account":{"a":1}}');
    // Another tenant sees none of it.
    const other = store.forTenant("contoso");
    expect((await other.queryInbox({})).total).toBe(0);
    expect(await other.getReferral("r1")).toBeNull();
    expect(await other.getCursor("default")).toBeNull();
    expect(await other.listRuns()).toEqual([]);
    expect(await other.getCompany(COMPANY)).toBeNull();

    expect(await rollback(target, 1)).toEqual([TENANTS]);
    expect(await dump(schema)).toEqual(at8);

    expect(await migrate(target)).toEqual([TENANTS]);
    expect(await read()).toEqual(up);
    // The store keeps working on the migrated rows: the expired lease is taken over, a new version written.
    expect((await store.acquireRunLock({ owner: "run-3", ttlMs: 60_000 })).acquired).toBe(true);
  });

  it("refuses down with migration_invalid, naming the tenants, while another tenant has rows or the registry has entries; nothing changes", async () => {
    const schema = h.schemaNamed("refuse");
    const store = h.store({ schema });
    await store.migrate();
    await store.advanceCursor("default", { updatedAt: "2025-01-01T00:00:00.000Z" });
    await store.forTenant("fabrikam").advanceCursor("default", { updatedAt: "2025-01-02T00:00:00.000Z" });
    await store.forTenant("contoso").recordRun({
      runId: "run-c",
      trigger: "manual",
      full: true,
      status: "running",
      startedAt: "2025-01-02T00:00:00.000Z",
      finishedAt: null,
      counts: completeCounts({}),
      errors: [],
      warnings: [],
    });
    const before = await dump(schema);
    const refused = await store.rollback().catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(refused, "migration_invalid")).toBe(true);
    expect(String((refused as Error).message)).toMatch(/0009-tenants.*\(contoso, fabrikam\)/s);
    expect(await dump(schema)).toEqual(before);
    expect((await store.status()).at(-1)).toMatchObject({ id: 9, state: "applied" });

    await h.sql(`DELETE FROM "${schema}".sync_cursor WHERE tenant <> 'default'`);
    await h.sql(`DELETE FROM "${schema}".sync_runs WHERE tenant <> 'default'`);
    await h.sql(`INSERT INTO "${schema}".tenants (id, interval_ms, created_at, updated_at) VALUES ('northwind', 60000, now(), now())`);
    const registered = await store.rollback().catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(registered, "migration_invalid")).toBe(true);
    expect(String((registered as Error).message)).toMatch(/registry holds northwind/);

    await h.sql(`DELETE FROM "${schema}".tenants`);
    expect(await store.rollback()).toEqual([TENANTS]);
    expect(await store.getCursor("default").catch((e: unknown) => e)).toBeInstanceOf(Error);
    expect(await h.sql(`SELECT scope FROM "${schema}".sync_cursor`)).toEqual([{ scope: "default" }]);
  });
});
