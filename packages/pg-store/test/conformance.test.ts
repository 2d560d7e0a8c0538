// The Store and TenantRegistry conformance suites from core, on PGlite and (with DATABASE_URL,
// always in CI) PostgreSQL: the store itself (tenant `default`), a tenant view of it, and the
// registry on the tenants table.
import { describeStoreConformance, describeTenantRegistryConformance } from "@pc-referrals/core/testing";
import { describe } from "vitest";
import type { PgStore, PgTenantStore } from "../src/index.js";
import { BACKENDS, useBackend } from "./backends.js";

describe.each(BACKENDS)("pg-store on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename);
  const inspect = {
    rawLeads: (store: PgTenantStore) => store.listRawLeads(),
    domainScans: (store: PgTenantStore) => store.listDomainScans(),
  };
  // Each test's store is closed after it: a run lock a test leaves held keeps a pool connection.
  let root: PgStore | null = null;
  const fresh = (): PgStore => (root = h.store());
  const cleanup = async (): Promise<void> => {
    await root?.close();
    await h.reset();
  };
  describeStoreConformance<PgStore>(`pg-store (${backend})`, fresh, { cleanup, inspect });
  describeStoreConformance<PgTenantStore>(`pg-store tenant view (${backend})`, () => fresh().forTenant("contoso"), { cleanup, inspect });
  describeTenantRegistryConformance(`pg-store tenants table (${backend})`, () => h.store().tenants, { cleanup: () => h.reset() });
});
