import { describe, expect, it } from "vitest";
import { PcReferralsError } from "../errors.js";
import { describeTenantRegistryConformance } from "../testing/tenant-registry-conformance.js";
import { createMemoryTenantRegistry } from "./memory-tenant-registry.js";

describeTenantRegistryConformance("memory", ({ now }) => createMemoryTenantRegistry([], { now }));

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    return PcReferralsError.is(error) ? error.code : String(error);
  }
  return "no error";
}

describe("createMemoryTenantRegistry", () => {
  it("starts with the initial tenants, a later entry updating an earlier one", async () => {
    const registry = createMemoryTenantRegistry([{ id: "contoso", intervalMs: 5000 }, { id: "fabrikam" }, { id: "contoso", enabled: false }]);
    expect((await registry.list()).map((t) => [t.id, t.enabled, t.intervalMs])).toEqual([
      ["contoso", false, 5000],
      ["fabrikam", true, 600_000],
    ]);
  });

  it("refuses bad initial tenants and unknown options", async () => {
    expect(await codeOf(() => createMemoryTenantRegistry([{ id: "Bad Id" }]))).toBe("invalid_input");
    expect(await codeOf(() => createMemoryTenantRegistry({ id: "contoso" } as never))).toBe("invalid_input");
    expect(await codeOf(() => createMemoryTenantRegistry([], { clock: Date.now } as never))).toBe("config_invalid");
  });

  it("stamps records and claims with the injected clock", async () => {
    let t = Date.parse("2025-03-04T10:00:00.000Z");
    const registry = createMemoryTenantRegistry([], { now: () => t });
    const created = await registry.put({ id: "contoso", intervalMs: 1000 });
    expect([created.createdAt, created.updatedAt]).toEqual(["2025-03-04T10:00:00.000Z", "2025-03-04T10:00:00.000Z"]);
    expect((await registry.claimDue()).map((r) => r.id)).toEqual(["contoso"]);
    t += 999;
    expect(await registry.claimDue()).toEqual([]);
    t += 1;
    await registry.markLoginRequired("contoso", "revoked\r\nby admin");
    expect((await registry.get("contoso"))?.loginRequired).toEqual({ since: "2025-03-04T10:00:01.000Z", reason: "revoked  by admin" });
    expect(await registry.claimDue()).toEqual([]);
  });
});
