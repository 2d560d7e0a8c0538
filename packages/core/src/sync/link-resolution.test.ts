import { describe, expect, it, vi } from "vitest";
import type { Company } from "../store/store.js";
import { decideLink, keptLink, resolveLinks, type MatchLeadInput } from "./link-resolution.js";

function company(id: string, domain: string, normalizedName: string | null = null): Company {
  const at = "2025-01-01T00:00:00.000Z";
  return { id, domain, name: null, normalizedName, provider: null, azureTenantId: null, segment: null, score: null, reasons: [], externalId: null, createdAt: at, updatedAt: at };
}

const input = (referralId: string, domain: string | null, normalizedName: string | null = null): MatchLeadInput => ({
  referralId,
  domain,
  customerName: normalizedName,
  normalizedName,
});

describe("decideLink", () => {
  it.each([
    [[], { status: "unlinked", companyId: null, candidateIds: [] }],
    [["c1"], { status: "auto_linked", companyId: "c1", candidateIds: ["c1"] }],
    [["c1", "c1"], { status: "auto_linked", companyId: "c1", candidateIds: ["c1"] }],
    [["c1", "c2"], { status: "multi_candidate", companyId: null, candidateIds: ["c1", "c2"] }],
  ])("%j → %j", (ids, expected) => {
    expect(decideLink(ids)).toEqual(expected);
  });
});

describe("keptLink", () => {
  it.each([
    ["auto_linked", "c1", { status: "auto_linked", companyId: "c1", candidateIds: ["c1"] }],
    ["auto_linked", null, { status: "unlinked", companyId: null, candidateIds: [] }],
    ["multi_candidate", null, { status: "multi_candidate", companyId: null, candidateIds: [] }],
    ["manual_linked", "c9", { status: "unlinked", companyId: null, candidateIds: [] }],
  ] as const)("%s (%s)", (status, id, expected) => {
    expect(keptLink(status, id)).toEqual(expected);
  });
});

describe("resolveLinks", () => {
  const companies = [company("c1", "contoso.com", "contoso"), company("c2", "fabrikam.com", "fabrikam"), company("c3", "contoso.de", "contoso")];

  it("matches by domain or normalized name with ONE findCompanies call per page", async () => {
    const findCompanies = vi.fn(async () => companies);
    const result = await resolveLinks(
      [input("r1", "fabrikam.com"), input("r2", "contoso.com", "contoso"), input("r3", "new.com", "brand new"), input("r4", null, "fabrikam")],
      { findCompanies },
    );
    expect(findCompanies).toHaveBeenCalledTimes(1);
    expect(findCompanies).toHaveBeenCalledWith({
      domains: ["fabrikam.com", "contoso.com", "new.com"],
      normalizedNames: ["contoso", "brand new", "fabrikam"],
    });
    expect(result.map((r) => (r.ok ? r.link.status : "error"))).toEqual(["auto_linked", "multi_candidate", "unlinked", "auto_linked"]);
    expect(result[1]).toEqual({ ok: true, link: { status: "multi_candidate", companyId: null, candidateIds: ["c1", "c3"] } });
  });

  it("uses the host's matchLead first and falls back to the store for null answers", async () => {
    const findCompanies = vi.fn(async () => companies);
    const matchLead = vi.fn(async ({ referralId }: MatchLeadInput) => (referralId === "r1" ? { companyIds: ["crm-7"] } : null));
    const result = await resolveLinks([input("r1", "fabrikam.com"), input("r2", "fabrikam.com")], { findCompanies, matchLead });
    expect(result).toEqual([
      { ok: true, link: { status: "auto_linked", companyId: "crm-7", candidateIds: ["crm-7"] } },
      { ok: true, link: { status: "auto_linked", companyId: "c2", candidateIds: ["c2"] } },
    ]);
    expect(findCompanies).toHaveBeenCalledWith({ domains: ["fabrikam.com"], normalizedNames: [] });
  });

  it("skips the store when the hook answered every referral", async () => {
    const findCompanies = vi.fn(async () => companies);
    await resolveLinks([input("r1", "a.com")], { findCompanies, matchLead: async () => ({ companyIds: [] }) });
    expect(findCompanies).not.toHaveBeenCalled();
  });

  it.each([
    ["throws", async () => Promise.reject(new Error("crm down"))],
    ["answers garbage", async () => ({ companyIds: "c1" }) as unknown as { companyIds: string[] }],
  ])("fails only the referral whose hook %s", async (_name, bad) => {
    const matchLead = async (i: MatchLeadInput) => (i.referralId === "bad" ? bad() : null);
    const result = await resolveLinks([input("bad", "x.com"), input("good", "contoso.com")], { findCompanies: async () => companies, matchLead });
    expect(result[0]?.ok).toBe(false);
    expect(result[1]).toEqual({ ok: true, link: { status: "auto_linked", companyId: "c1", candidateIds: ["c1"] } });
  });

  it("rejects when the store fails (run-level)", async () => {
    await expect(resolveLinks([input("r1", "a.com")], { findCompanies: async () => Promise.reject(new Error("down")) })).rejects.toThrow("down");
  });
});
