/**
 * The executable form of the {@link TenantRegistry} contract: every registry (memory, pg-store's
 * `tenants` table, yours) runs this vitest suite and must pass it unchanged.
 *
 * ```ts
 * import { describeTenantRegistryConformance } from "@pc-referrals/core/testing";
 * describeTenantRegistryConformance("my registry", ({ now }) => createMyRegistry({ now }));
 * ```
 *
 * `makeRegistry` gets the suite's clock (`now`, epoch ms, fixed at 2025-03-04T10:00:00Z unless a
 * test moves it) and must return an empty registry; give the clock to your registry if it takes
 * one. The suite only asserts timestamps as instants and passes `now` to `claimDue` wherever time
 * matters, so a registry on its own clock passes too. After each test `cleanup` (if given) runs.
 *
 * Rules the suite pins down beyond the TSDoc of `tenant.ts`: `get`, `remove`, `markLoginRequired`
 * and `clearLoginRequired` with a malformed id are `invalid_input` (not null/false); a bad `now`
 * for `claimDue` is `invalid_input`; a claim runs until `now + intervalMs` inclusive (due again at
 * exactly that instant); `claimDue` returns tenants by id; a removed and re-added tenant is due at once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TenantRegistry } from "../tenants/tenant.js";
import { expectErrorCode } from "./conformance/context.js";

/** Options of {@link describeTenantRegistryConformance}. */
export interface TenantRegistryConformanceOptions<R extends TenantRegistry = TenantRegistry> {
  /** Runs after each test: drop or truncate what the test wrote. */
  cleanup?: (registry: R) => Promise<void>;
}

const T0 = "2025-03-04T10:00:00.000Z";
const at = (offsetMs: number): string => new Date(Date.parse(T0) + offsetMs).toISOString();
const ids = (records: readonly { id: string }[]): string[] => records.map((r) => r.id);
const isInstant = (value: string): boolean => !Number.isNaN(Date.parse(value));

/** Registers the TenantRegistry conformance suite under `describe("TenantRegistry conformance: <name>")`. */
export function describeTenantRegistryConformance<R extends TenantRegistry>(
  name: string,
  makeRegistry: (clock: { now: () => number }) => Promise<R> | R,
  options: TenantRegistryConformanceOptions<R> = {},
): void {
  describe(`TenantRegistry conformance: ${name}`, () => {
    let current: R | undefined;
    const registry = (): R => {
      if (current === undefined) throw new Error("The registry is only available inside a test.");
      return current;
    };

    beforeEach(async () => {
      let t = Date.parse(T0);
      current = await makeRegistry({ now: () => t++ });
    });

    afterEach(async () => {
      const done = current;
      current = undefined;
      if (done !== undefined) await options.cleanup?.(done);
    });

    describe("put, get, list, remove", () => {
      it("creates a tenant with the defaults and reads it back", async () => {
        const created = await registry().put({ id: "contoso" });
        expect(created).toMatchObject({
          id: "contoso",
          displayName: null,
          enabled: true,
          intervalMs: 600_000,
          entraTenantId: null,
          loginRequired: null,
          overrides: {},
        });
        expect(isInstant(created.createdAt) && isInstant(created.updatedAt)).toBe(true);
        expect(await registry().get("contoso")).toEqual(created);
        expect(await registry().get("fabrikam")).toBeNull();
      });

      it("stores every field given", async () => {
        const input = {
          id: "fabrikam",
          displayName: "Fabrikam, Inc.",
          enabled: false,
          intervalMs: 1000,
          entraTenantId: "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
          overrides: { scoring: { azureTenantScore: 40, coSellBonus: -2.5 } },
        };
        expect(await registry().put(input)).toMatchObject(input);
        expect(await registry().put({ id: "fabrikam", entraTenantId: "fabrikam.onmicrosoft.com" })).toMatchObject({
          entraTenantId: "fabrikam.onmicrosoft.com",
        });
      });

      it("lists tenants by id in code point order", async () => {
        for (const id of ["northwind", "a-1", "contoso", "a_1", "0day"]) await registry().put({ id });
        expect(ids(await registry().list())).toEqual(["0day", "a-1", "a_1", "contoso", "northwind"]);
      });

      it("updates only the fields given, keeping createdAt", async () => {
        const created = await registry().put({ id: "contoso", displayName: "Contoso", intervalMs: 5000, overrides: { scoring: { coSellBonus: 3 } } });
        const updated = await registry().put({ id: "contoso", enabled: false });
        expect(updated).toEqual({ ...created, enabled: false, updatedAt: updated.updatedAt });
        expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.createdAt));
        const cleared = await registry().put({ id: "contoso", displayName: null, overrides: {} });
        expect(cleared).toMatchObject({ displayName: null, overrides: {}, intervalMs: 5000, enabled: false });
      });

      it("removes a tenant; false when there was none", async () => {
        await registry().put({ id: "contoso" });
        expect(await registry().remove("contoso")).toBe(true);
        expect(await registry().remove("contoso")).toBe(false);
        expect(await registry().get("contoso")).toBeNull();
        expect(await registry().list()).toEqual([]);
      });

      it("returns copies: changing a returned record changes nothing stored", async () => {
        const created = await registry().put({ id: "contoso", overrides: { scoring: { coSellBonus: 1 } } });
        created.overrides.scoring = { coSellBonus: 99 };
        created.enabled = false;
        expect(await registry().get("contoso")).toMatchObject({ enabled: true, overrides: { scoring: { coSellBonus: 1 } } });
      });
    });

    describe("bad input", () => {
      const bad: [string, Record<string, unknown>][] = [
        ["an id with a space", { id: "Bad Id" }],
        ["an empty id", { id: "" }],
        ["a 64-character id", { id: "a".repeat(64) }],
        ["an interval below 1 s", { id: "contoso", intervalMs: 999 }],
        ["a fractional interval", { id: "contoso", intervalMs: 1500.5 }],
        ["an interval past 2^31-1 ms", { id: "contoso", intervalMs: 2 ** 31 }],
        ["a non-boolean enabled", { id: "contoso", enabled: "yes" }],
        ["a 201-character display name", { id: "contoso", displayName: "x".repeat(201) }],
        ["a display name with a newline", { id: "contoso", displayName: "Contoso\nLtd" }],
        ["an Entra tenant that is neither GUID nor domain", { id: "contoso", entraTenantId: "not a tenant" }],
        ["a 256-character Entra domain", { id: "contoso", entraTenantId: `${"a".repeat(60)}.`.repeat(4) + "abcdefghijkl" }],
        ["a non-finite score override", { id: "contoso", overrides: { scoring: { azureTenantScore: Number.POSITIVE_INFINITY } } }],
        ["a NaN bonus override", { id: "contoso", overrides: { scoring: { coSellBonus: Number.NaN } } }],
        ["an unknown override", { id: "contoso", overrides: { rules: {} } }],
      ];

      it.each(bad)("refuses %s with invalid_input and changes nothing", async (_, input) => {
        const before = await registry().put({ id: "contoso", displayName: "Contoso" });
        await expectErrorCode(registry().put(input as never), "invalid_input");
        expect(await registry().list()).toEqual([before]);
      });

      it("refuses a malformed id in get, remove and the login marks", async () => {
        await expectErrorCode(registry().get("Bad Id"), "invalid_input");
        await expectErrorCode(registry().remove(""), "invalid_input");
        await expectErrorCode(registry().markLoginRequired("a".repeat(64), "revoked"), "invalid_input");
        await expectErrorCode(registry().clearLoginRequired("Bad Id"), "invalid_input");
      });

      it("refuses a claimDue time that is not a timestamp", async () => {
        await expectErrorCode(registry().claimDue("yesterday"), "invalid_input");
      });
    });

    describe("login required", () => {
      it("marks and clears a tenant; false for an unknown tenant", async () => {
        await registry().put({ id: "contoso" });
        expect(await registry().markLoginRequired("contoso", "refresh token revoked")).toBe(true);
        const marked = await registry().get("contoso");
        expect(marked?.loginRequired?.reason).toBe("refresh token revoked");
        expect(isInstant(marked?.loginRequired?.since ?? "")).toBe(true);
        expect(await registry().clearLoginRequired("contoso")).toBe(true);
        expect((await registry().get("contoso"))?.loginRequired).toBeNull();
        expect(await registry().markLoginRequired("fabrikam", "revoked")).toBe(false);
        expect(await registry().clearLoginRequired("fabrikam")).toBe(false);
      });

      it("keeps the mark across puts", async () => {
        await registry().put({ id: "contoso" });
        await registry().markLoginRequired("contoso", "expired");
        expect((await registry().put({ id: "contoso", displayName: "Contoso" })).loginRequired?.reason).toBe("expired");
      });
    });

    describe("claimDue", () => {
      it("claims a never-claimed tenant at once, again only after its interval", async () => {
        await registry().put({ id: "contoso", intervalMs: 60_000 });
        expect(ids(await registry().claimDue(at(0)))).toEqual(["contoso"]);
        expect(await registry().claimDue(at(0))).toEqual([]);
        expect(await registry().claimDue(at(59_999))).toEqual([]);
        expect(ids(await registry().claimDue(at(60_000)))).toEqual(["contoso"]);
        expect(await registry().claimDue(at(60_001))).toEqual([]);
      });

      it("uses the registry's clock when no time is given", async () => {
        await registry().put({ id: "contoso" });
        expect(ids(await registry().claimDue())).toEqual(["contoso"]);
        expect(await registry().claimDue()).toEqual([]);
      });

      it("never returns disabled or login-required tenants", async () => {
        await registry().put({ id: "a-on" });
        await registry().put({ id: "b-off", enabled: false });
        await registry().put({ id: "c-login" });
        await registry().markLoginRequired("c-login", "revoked");
        expect(ids(await registry().claimDue(at(0)))).toEqual(["a-on"]);
        await registry().put({ id: "b-off", enabled: true });
        await registry().clearLoginRequired("c-login");
        expect(ids(await registry().claimDue(at(1)))).toEqual(["b-off", "c-login"]);
      });

      it("returns the claimed tenants' records, by id", async () => {
        await registry().put({ id: "zeta", intervalMs: 2000 });
        await registry().put({ id: "alpha", displayName: "Alpha" });
        const claimed = await registry().claimDue(at(0));
        expect(claimed.map((t) => [t.id, t.displayName, t.intervalMs])).toEqual([
          ["alpha", "Alpha", 600_000],
          ["zeta", null, 2000],
        ]);
      });

      it("treats a removed and re-added tenant as never claimed", async () => {
        await registry().put({ id: "contoso" });
        await registry().claimDue(at(0));
        await registry().remove("contoso");
        await registry().put({ id: "contoso" });
        expect(ids(await registry().claimDue(at(1)))).toEqual(["contoso"]);
      });

      it("never gives one tenant to two concurrent callers", async () => {
        for (const id of ["a", "b", "c", "d", "e"]) await registry().put({ id });
        const [first, second] = await Promise.all([registry().claimDue(at(0)), registry().claimDue(at(0))]);
        expect([...ids(first), ...ids(second)].sort()).toEqual(["a", "b", "c", "d", "e"]);
      });
    });
  });
}
