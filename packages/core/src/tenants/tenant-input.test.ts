import { describe, expect, it } from "vitest";
import { PcReferralsError } from "../errors.js";
import { normalizeLoginRequiredReason, normalizeTenantInput } from "./tenant-input.js";
import type { TenantInput } from "./tenant.js";

const NOW = "2025-03-04T10:00:00.000Z";
const LATER = "2025-03-04T11:00:00.000Z";

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return PcReferralsError.is(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return "no error";
}

describe("normalizeTenantInput", () => {
  it("stamps a new record with the given time (the defaults are in the registry conformance suite)", () => {
    const created = normalizeTenantInput({ id: "contoso" }, null, "2025-03-04T11:00:00+01:00");
    expect([created.createdAt, created.updatedAt, created.loginRequired]).toEqual([NOW, NOW, null]);
  });

  it.each<[string, Partial<TenantInput>, Partial<ReturnType<typeof normalizeTenantInput>>]>([
    ["trims the display name", { displayName: "  Contoso Ltd " }, { displayName: "Contoso Ltd" }],
    ["stores a blank display name as null", { displayName: "   " }, { displayName: null }],
    ["lower-cases a GUID", { entraTenantId: "0A1B2C3D-4E5F-6789-ABCD-EF0123456789" }, { entraTenantId: "0a1b2c3d-4e5f-6789-abcd-ef0123456789" }],
    ["lower-cases a domain", { entraTenantId: "Contoso.OnMicrosoft.com" }, { entraTenantId: "contoso.onmicrosoft.com" }],
    ["keeps an empty scoring override", { overrides: { scoring: {} } }, { overrides: { scoring: {} } }],
    ["accepts the longest interval", { intervalMs: 2 ** 31 - 1 }, { intervalMs: 2 ** 31 - 1 }],
  ])("%s", (_, input, expected) => {
    expect(normalizeTenantInput({ id: "contoso", ...input }, null, NOW)).toMatchObject(expected);
  });

  it("updates the given fields of an existing record and keeps the rest", () => {
    const existing = {
      ...normalizeTenantInput({ id: "contoso", displayName: "Contoso", intervalMs: 5000 }, null, NOW),
      loginRequired: { since: NOW, reason: "revoked" },
    };
    const updated = normalizeTenantInput({ id: "contoso", enabled: false }, existing, LATER);
    expect(updated).toEqual({ ...existing, enabled: false, updatedAt: LATER });
    expect(updated.loginRequired).not.toBe(existing.loginRequired);
  });

  it.each<[string, unknown, string, RegExp]>([
    ["a non-object", "contoso", NOW, /^invalid_input: A tenant must be an object with an id\.$/],
    ["an unknown field", { id: "contoso", interval: 5 }, NOW, /^invalid_input: Unknown tenant field "interval"\.$/],
    ["a bad id", { id: "Contoso" }, NOW, /^invalid_input: tenant id "Contoso" is not valid/],
    ["a bad time", { id: "contoso" }, "soon", /^invalid_input: now must be an ISO-8601 timestamp\.$/],
  ])("refuses %s", (_, input, now, message) => {
    expect(codeOf(() => normalizeTenantInput(input as TenantInput, null, now))).toMatch(message);
  });

  it("refuses a record of another tenant as the existing one", () => {
    const other = normalizeTenantInput({ id: "fabrikam" }, null, NOW);
    expect(codeOf(() => normalizeTenantInput({ id: "contoso" }, other, NOW))).toMatch(/^invalid_input/);
  });
});

describe("normalizeLoginRequiredReason", () => {
  it.each([
    ["refresh token revoked", "refresh token revoked"],
    ["  line one\nline two\u0000 ", "line one line two"],
    ["", "login required"],
    [42, "login required"],
    ["x".repeat(600), "x".repeat(500)],
  ])("%j → %j", (input, expected) => {
    expect(normalizeLoginRequiredReason(input)).toBe(expected);
  });
});
