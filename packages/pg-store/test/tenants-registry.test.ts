// The tenants table across processes (what the registry conformance suite cannot show with one
// store): claimDue from many processes at once gives each due tenant to exactly one of them, and
// removing a tenant from the registry leaves its stored rows.
import { makeProcessedPage, makeProcessedReferral } from "@pc-referrals/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { BACKENDS, itPostgresOnly, useBackend } from "./backends.js";

const NOW = "2025-06-01T12:00:00.000Z";

describe.each(BACKENDS)("tenants table on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename);
  afterEach(async () => {
    await h.closeStores();
    await h.reset();
  });

  itPostgresOnly(backend)("claimDue from three processes at once: every due tenant claimed exactly once", async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `tenant-${String(i).padStart(2, "0")}`);
    const setup = h.store();
    for (const id of ids) await setup.tenants.put({ id, intervalMs: 60_000 });
    const processes = [1, 2, 3].map(() => h.separateStore().store);
    const claimed = await Promise.all(processes.map((p) => p.tenants.claimDue(NOW)));
    expect(claimed.flat().map((t) => t.id).sort()).toEqual(ids);
    // Within the interval nobody gets any again, whichever process asks.
    expect((await Promise.all(processes.map((p) => p.tenants.claimDue(NOW)))).flat()).toEqual([]);
  });

  it("remove drops the registry entry only: the tenant's stored referrals stay", async () => {
    const store = h.store();
    await store.tenants.put({ id: "contoso", displayName: "Contoso" });
    await store.forTenant("contoso").applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "r1" })]));
    expect(await store.tenants.remove("contoso")).toBe(true);
    expect(await store.tenants.list()).toEqual([]);
    expect((await store.forTenant("contoso").getReferral("r1"))?.tenant).toBe("contoso");
  });

  it("refuses a tenant the table's checks would refuse before writing (invalid_input, nothing stored)", async () => {
    const store = h.store();
    await expect(store.tenants.put({ id: "Contoso Ltd" })).rejects.toMatchObject({ code: "invalid_input" });
    await expect(store.tenants.put({ id: "contoso", intervalMs: 10 })).rejects.toMatchObject({ code: "invalid_input" });
    expect(await h.sql(`SELECT id FROM "${h.schema}".tenants`)).toEqual([]);
  });
});
