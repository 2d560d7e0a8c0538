// writeBack.setExternalReferenceOnLink (issue 13): a referral linked to a company with the host's
// own id gets it as externalReferenceId, for auto links (runs, syncReferral) and manual ones.
import { afterEach, describe, expect, it } from "vitest";
import { PcReferralsError } from "../src/errors.js";
import { AUTO_LINK_ACTOR } from "../src/sync/link-write-back.js";
import { createSyncEngine } from "../src/sync/engine.js";
import { referenceExamples } from "./fixtures/reference-examples.js";
import { startHarness, type Harness } from "./engine-harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

let clock = Date.parse("2025-06-01T00:00:00Z");
function coSell(id: string, domain: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  clock += 60_000;
  const a = structuredClone(referenceExamples.A) as Record<string, unknown> & { customerProfile: Record<string, unknown> };
  return {
    ...a,
    id,
    eTag: `"etag-${id}"`,
    updatedDateTime: new Date(clock).toISOString(),
    customerProfile: { ...a.customerProfile, name: `Customer ${id}`, team: [{ firstName: "Jana", lastName: "K", email: `jana@${domain}` }] },
    details: { notes: `Customer site: https://www.${domain}/about` },
    ...extra,
  };
}

const patches = (harness: Harness) => harness.fake.requests.filter((r) => r.method === "PATCH");
const remoteRef = async (harness: Harness, id: string) => (await harness.client.getReferral(id))?.externalReferenceId ?? null;

/** A harness whose store holds contoso.com (from r-first), with the given external id. */
async function withCompany(externalId: string | null, setExternalReferenceOnLink = true) {
  h = await startHarness({ referrals: [coSell("r-first", "contoso.com")], engine: { writeBack: { setExternalReferenceOnLink } } });
  await h.engine.run({ trigger: "manual" });
  const [company] = await h.memory.findCompanies({ domains: ["contoso.com"], normalizedNames: [] });
  if (externalId !== null) await h.memory.setCompanyExternalId({ companyId: company?.id as string, externalId });
  return { harness: h, companyId: company?.id as string };
}

describe("writeBack.setExternalReferenceOnLink", () => {
  it("setExternalReferenceOnLink: a run that auto-links a new referral writes the company's externalId as externalReferenceId, audited", async () => {
    const { harness } = await withCompany("CRM-0042");
    harness.fake.setReferrals([coSell("r-first", "contoso.com"), coSell("r-second", "contoso.com")]);

    const report = await harness.engine.run({ trigger: "manual" });

    expect(harness.eventsOf("referral.ingested", report.runId).filter((e) => e.referralId === "r-second")).toEqual([
      expect.objectContaining({ outcome: "inserted", linkStatus: "auto_linked" }),
    ]);
    expect(await remoteRef(harness, "r-second")).toBe("CRM-0042");
    expect(patches(harness)).toHaveLength(1);
    expect((await harness.memory.getReferral("r-second"))?.payload.externalReferenceId).toBe("CRM-0042");
    expect(await harness.memory.listReferralActions()).toEqual([
      expect.objectContaining({ referralId: "r-second", action: "setExternalReference", actor: AUTO_LINK_ACTOR, outcome: "succeeded", input: { value: "CRM-0042" } }),
    ]);
    // The next run sees the referral updated by our own write, and writes nothing again.
    await harness.engine.run({ trigger: "manual" });
    expect(patches(harness)).toHaveLength(1);
  });

  it("setExternalReferenceOnLink: syncReferral of a new auto-linked referral writes it too", async () => {
    const { harness } = await withCompany("CRM-7");
    harness.fake.setReferrals([coSell("r-first", "contoso.com"), coSell("r-hook", "contoso.com")]);
    await harness.engine.syncReferral("r-hook", { reason: "webhook" });
    expect(await remoteRef(harness, "r-hook")).toBe("CRM-7");
  });

  it.each([
    ["the option is off", "CRM-1", false],
    ["the company has no externalId", null, true],
  ] as const)("setExternalReferenceOnLink: nothing is sent when %s", async (_name, externalId, on) => {
    const { harness } = await withCompany(externalId, on);
    harness.fake.setReferrals([coSell("r-first", "contoso.com"), coSell("r-second", "contoso.com")]);
    await harness.engine.run({ trigger: "manual" });
    expect((await harness.memory.getReferral("r-second"))?.linkStatus).toBe("auto_linked");
    expect(patches(harness)).toEqual([]);
    expect(await harness.memory.listReferralActions()).toEqual([]);
  });

  it("setExternalReferenceOnLink: engine.linkReferral links by hand, then writes the company's externalId under the caller's actor", async () => {
    const { harness, companyId } = await withCompany("CRM-9");
    harness.fake.setReferrals([coSell("r-first", "contoso.com"), coSell("r-other", "fabrikam.com")]);
    await harness.engine.run({ trigger: "manual" });

    const linked = await harness.engine.linkReferral("r-other", companyId, { actor: "jana" });

    expect(linked.row).toMatchObject({ referralId: "r-other", linkStatus: "manual_linked", linkedCompanyId: companyId });
    expect(linked.writeBack).toMatchObject({ status: "written", result: { action: "setExternalReference" } });
    expect(await remoteRef(harness, "r-other")).toBe("CRM-9");
    expect((await harness.memory.listReferralActions({ referralId: "r-other" }))[0]).toMatchObject({ actor: "jana", outcome: "succeeded" });
    expect((await harness.memory.getReferral("r-other"))?.linkStatus).toBe("manual_linked");

    const unlinked = await harness.engine.linkReferral("r-other", null);
    expect(unlinked).toMatchObject({ row: { linkStatus: "manual_unlinked" }, writeBack: null });
  });

  it("setExternalReferenceOnLink: a write-back that fails never undoes the manual link", async () => {
    const { harness, companyId } = await withCompany("CRM-9");
    harness.fake.setReferrals([coSell("r-first", "contoso.com"), coSell("r-other", "fabrikam.com")]);
    await harness.engine.run({ trigger: "manual" });
    harness.fake.update("r-other", { externalReferenceId: "someone-else" }); // the stored eTag is stale now

    const linked = await harness.engine.linkReferral("r-other", companyId, { actor: "jana" });

    expect(linked.writeBack).toEqual({ status: "failed", error: expect.objectContaining({ code: "referral_conflict" }) });
    expect((await harness.memory.getReferral("r-other"))?.linkStatus).toBe("manual_linked");
    expect(await remoteRef(harness, "r-other")).toBe("someone-else");
  });

  it("linkReferral: an unknown referral is not_found and an unknown company invalid_input, with the option on or off", async () => {
    const { harness } = await withCompany(null, false);
    const code = (p: Promise<unknown>) => p.then(() => "resolved", (e: unknown) => (PcReferralsError.is(e) ? e.code : String(e)));
    expect(await code(harness.engine.linkReferral("nope", null))).toBe("not_found");
    expect(await code(harness.engine.linkReferral("r-first", "no-such-company"))).toBe("invalid_input");
    await expect(harness.engine.linkReferral("r-first", null)).resolves.toMatchObject({ writeBack: null, row: { linkStatus: "manual_unlinked" } });
  });

  it("setExternalReferenceOnLink: a client that cannot PATCH is a ConfigError at createSyncEngine", async () => {
    const { harness } = await withCompany(null, false);
    expect(() =>
      createSyncEngine({ client: { listReferrals: harness.client.listReferrals }, store: harness.memory, writeBack: { setExternalReferenceOnLink: true } }),
    ).toThrow(expect.objectContaining({ code: "config_invalid", message: expect.stringContaining("createSyncEngine.client.updateReferral") }) as unknown as Error);
  });
});
