// Behaviour contracts of docs/architecture.md through the engine: status changes, links, scans, options, logs.
import { afterEach, describe, expect, it } from "vitest";
import { PcReferralsError } from "../src/errors.js";
import { referenceExamples } from "./fixtures/reference-examples.js";
import { createMemoryStore } from "../src/store/memory-store.js";
import { generateReferrals } from "../src/testing/generate-referrals.js";
import { createSyncEngine } from "../src/sync/engine.js";
import { createDnsProviderScanner } from "../src/sync/dns-provider-scanner.js";
import { startHarness, type Harness } from "./engine-harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

let clock = Date.parse("2025-06-01T00:00:00Z");

/** Reference example A with its own id, customer, domain and a later updatedDateTime each time. */
function coSell(id: string, customer: string, domain: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  clock += 60_000;
  const a = structuredClone(referenceExamples.A) as Record<string, unknown> & { customerProfile: Record<string, unknown> };
  return {
    ...a,
    id,
    updatedDateTime: new Date(clock).toISOString(),
    customerProfile: { ...a.customerProfile, name: customer, team: [{ firstName: "Jana", lastName: "K", email: `jana@${domain}` }] },
    details: { notes: `Customer site: https://www.${domain}/about` },
    ...extra,
  };
}

describe("sync engine behaviour", () => {
  it("keeps a stored referral current when it closes: row updated, referral.status_changed fired", async () => {
    const open = coSell("r-open", "Alpenblick Logistik GmbH", "alpenblick-logistik.de");
    h = await startHarness({ referrals: [open] });
    await h.engine.run({ trigger: "manual" });
    h.fake.update("r-open", { status: "Closed", substatus: "Declined" });

    const report = await h.engine.run({ trigger: "manual" });

    expect(report.counts).toMatchObject({ updated: 1, skipped: { status: 0 } });
    expect(h.eventsOf("referral.status_changed", report.runId)).toEqual([
      expect.objectContaining({ referralId: "r-open", from: { status: "New", substatus: "Pending" }, to: { status: "Closed", substatus: "Declined" } }),
    ]);
    expect((await h.memory.queryInbox({ status: "New" })).total).toBe(0);
    expect((await h.memory.queryInbox({ status: "Closed" })).items).toEqual([expect.objectContaining({ referralId: "r-open", substatus: "Declined" })]);
  });

  it("links to companies that existed before the referral, never to those its own page or itself created", async () => {
    h = await startHarness({
      referrals: [coSell("r1", "Contoso Ltd", "contoso.com"), coSell("r1-sibling", "Contoso Ltd", "contoso.com")],
    });
    const first = await h.engine.run({ trigger: "manual" });
    expect(h.eventsOf("referral.ingested", first.runId).map((e) => e.linkStatus)).toEqual(["unlinked", "unlinked"]);
    const contoso = (await h.memory.findCompanies({ domains: ["contoso.com"], normalizedNames: [] }))[0];

    h.fake.setReferrals([
      coSell("r1", "Contoso Ltd", "contoso.com", { substatus: "Received" }),
      coSell("r1-sibling", "Contoso Ltd", "contoso.com"),
      coSell("r2", "Contoso", "contoso.com"),
      coSell("r3", "Fabrikam", "fabrikam.de"),
      coSell("r4", "Fabrikam", "fabrikam.at"),
    ]);
    await h.engine.run({ trigger: "manual" });
    h.fake.setReferrals([coSell("r5", "Fabrikam", "fabrikam.ch")]);
    await h.engine.run({ trigger: "manual", full: true });

    const link = async (id: string) => {
      const r = await h!.memory.getReferral(id);
      return [r?.linkStatus, r?.linkedCompanyId];
    };
    expect(await link("r1")).toEqual(["unlinked", null]); // its own company never links it later
    expect(await link("r2")).toEqual(["auto_linked", contoso?.id]);
    expect(await link("r3")).toEqual(["unlinked", null]);
    expect(await link("r4")).toEqual(["unlinked", null]);
    expect(await link("r5")).toEqual(["multi_candidate", null]); // fabrikam.de and fabrikam.at share the name
  });

  it("never overwrites a manual link", async () => {
    h = await startHarness({ referrals: [coSell("a", "Contoso", "contoso.com"), coSell("b", "Fabrikam", "fabrikam.com")] });
    await h.engine.run({ trigger: "manual" });
    const fabrikam = (await h.memory.findCompanies({ domains: ["fabrikam.com"], normalizedNames: [] }))[0]!;
    await h.memory.setManualLink({ referralId: "a", companyId: fabrikam.id });
    h.fake.update("a", { details: { notes: "Customer site: https://www.contoso.com, call back" } });

    const report = await h.engine.run({ trigger: "manual" });

    expect(report.counts.updated).toBe(1);
    expect(await h.memory.getReferral("a")).toMatchObject({ linkStatus: "manual_linked", linkedCompanyId: fabrikam.id });
  });

  it("keeps the company of changed auto-linked referrals from getKnownReferrals alone, with no getReferral read", async () => {
    h = await startHarness({ referrals: [coSell("a", "Contoso", "contoso.com"), coSell("b", "Fabrikam", "fabrikam.com")] });
    await h.engine.run({ trigger: "manual" });
    const companyOf = async (domain: string) => (await h!.memory.findCompanies({ domains: [domain], normalizedNames: [] }))[0]?.id;
    const contoso = await companyOf("contoso.com");
    const fabrikam = await companyOf("fabrikam.com");
    h.fake.setReferrals([coSell("c", "Contoso", "contoso.com"), coSell("d", "Fabrikam", "fabrikam.com")]);
    await h.engine.run({ trigger: "manual" });
    const link = async (id: string) => {
      const r = await h!.memory.getReferral(id);
      return [r?.linkStatus, r?.linkedCompanyId];
    };
    expect([await link("c"), await link("d")]).toEqual([
      ["auto_linked", contoso],
      ["auto_linked", fabrikam],
    ]);
    h.fake.update("c", { substatus: "Received" });
    h.fake.update("d", { details: { notes: "Customer site: https://www.fabrikam.com, call back" } });
    // The memory store answers getKnownReferrals through readPageContext (one round trip a page).
    const reads = () => (h!.storeCalls.getKnownReferrals ?? 0) + (h!.storeCalls.readPageContext ?? 0);
    const readsBefore = reads();

    const report = await h.engine.run({ trigger: "manual" });

    expect(report.counts.updated).toBe(2);
    expect(reads()).toBeGreaterThan(readsBefore);
    expect(h.storeCalls.getReferral ?? 0).toBe(0);
    expect([await link("c"), await link("d")]).toEqual([
      ["auto_linked", contoso],
      ["auto_linked", fabrikam],
    ]);
  });

  it("asks the host's matchLead hook first", async () => {
    const seen: unknown[] = [];
    h = await startHarness({
      referrals: [coSell("a", "Contoso Ltd.", "contoso.com")],
      engine: {
        matchLead: async (input) => {
          seen.push(input);
          return { companyIds: ["crm-42"] };
        },
      },
    });
    await h.engine.run({ trigger: "manual" });
    expect(seen).toEqual([{ referralId: "a", domain: "contoso.com", customerName: "Contoso Ltd.", normalizedName: expect.any(String) }]);
    expect(await h.memory.getReferral("a")).toMatchObject({ linkStatus: "auto_linked", linkedCompanyId: "crm-42" });
  });

  it("runs at most matchLeadConcurrency matchLead calls at once", async () => {
    let active = 0;
    let most = 0;
    h = await startHarness({
      referrals: ["a", "b", "c", "d"].map((id) => coSell(id, `Customer ${id}`, `customer-${id}.com`)),
      engine: {
        matchLeadConcurrency: 2,
        matchLead: async () => {
          active += 1;
          most = Math.max(most, active);
          await new Promise((resolve) => setImmediate(resolve));
          active -= 1;
          return null;
        },
      },
    });
    const report = await h.engine.run({ trigger: "manual" });
    expect(report.counts.ingested).toBe(4);
    expect(most).toBe(2);
  });

  it("upserts the company with provider M365 when the referral carries an Azure tenant id", async () => {
    const tenant = "6f2c1d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f";
    h = await startHarness({ referrals: [coSell("a", "Contoso", "contoso.com", { azureTenantId: tenant })] });
    await h.engine.run({ trigger: "manual" });
    expect(await h.memory.findCompanies({ domains: ["contoso.com"], normalizedNames: [] })).toEqual([
      expect.objectContaining({ provider: "M365", azureTenantId: tenant, segment: "Existing", score: 70 }),
    ]);
    expect(h.eventsOf("company.upserted")).toEqual([expect.objectContaining({ domain: "contoso.com", created: true })]);
  });

  it("claims no scans without a scanner, so a scanner added later still scans the domain", async () => {
    h = await startHarness({ referrals: [coSell("a", "Contoso", "contoso.com")], engine: { scanner: undefined } });
    const first = await h.engine.run({ trigger: "manual" });
    expect(first.counts.domainScansRequested).toBe(0);
    expect(h.eventsOf("domain.scan_requested")).toEqual([]);
    expect(await h.memory.listDomainScans()).toEqual([]);

    const scanned: string[] = [];
    const withScanner = h.secondEngine({ scanner: { scan: async (domain) => void scanned.push(domain) } });
    h.fake.setReferrals([coSell("a", "Contoso", "contoso.com"), coSell("b", "Contoso", "contoso.com")]);
    const second = await withScanner.run({ trigger: "manual" });
    expect(second.counts.domainScansRequested).toBe(1);
    expect(scanned).toEqual(["contoso.com"]);
  });

  it("scans each domain once across runs with the DNS scanner; a failing scan never fails the run", async () => {
    const lookups: string[] = [];
    const resolver = {
      async resolveMx(domain: string) {
        lookups.push(domain);
        if (domain === "broken.com") throw Object.assign(new Error("timeout"), { code: "ETIMEOUT" });
        return [{ exchange: `${domain.replace(".", "-")}.mail.protection.outlook.com`, priority: 0 }];
      },
      async resolveTxt() {
        return [["v=spf1 include:spf.protection.outlook.com -all"]];
      },
    };
    h = await startHarness({
      referrals: [coSell("a", "Contoso", "contoso.com"), coSell("b", "Contoso", "contoso.com"), coSell("c", "Broken", "broken.com")],
      engine: { scanner: createDnsProviderScanner({ resolver }) },
    });
    const first = await h.engine.run({ trigger: "manual" });
    h.fake.update("a", { details: { notes: "https://contoso.com again" } });
    const second = await h.engine.run({ trigger: "manual" });

    expect(first.status).toBe("succeeded");
    expect(first.counts.domainScansRequested).toBe(2);
    expect(second.counts.domainScansRequested).toBe(0);
    expect(lookups.sort()).toEqual(["broken.com", "contoso.com"]);
    const scans = await h.memory.listDomainScans();
    expect(scans).toContainEqual(expect.objectContaining({ domain: "contoso.com", status: "done", result: expect.objectContaining({ provider: "M365" }) }));
    expect(scans).toContainEqual(expect.objectContaining({ domain: "broken.com", status: "failed" }));
    expect(h.engine.metrics().domainScans).toEqual({ requested: 2, succeeded: 1, failed: 1 });
  });

  it("re-reads everything on full: true and still writes nothing for unchanged referrals", async () => {
    const referrals = generateReferrals(450, { seed: 5 });
    h = await startHarness({ referrals });
    const first = await h.engine.run({ trigger: "manual" });
    const rows = h.writes.rows;
    const full = await h.engine.run({ trigger: "manual", full: true });
    expect(full.counts).toMatchObject({ pages: 5, fetched: 450, ingested: 0, updated: 0, unchanged: first.counts.ingested });
    expect(h.writes.rows).toBe(rows);
    expect(full.full).toBe(true);
  });

  it("sends updatedDateTime gt mark − overlap only when useUpdatedSinceFilter is on", async () => {
    const referrals = generateReferrals(250, { seed: 9 });
    h = await startHarness({ referrals, filterComparisons: true, engine: { useUpdatedSinceFilter: true, overlapMs: 60_000 } });
    const first = await h.engine.run({ trigger: "manual" });
    expect(h.fake.requests.every((r) => r.query.$filter === undefined)).toBe(true);
    const before = h.fake.requests.length;

    const second = await h.engine.run({ trigger: "manual" });

    const mark = Date.parse(first.cursor.next ?? "");
    const sent = h.fake.requests.slice(before).map((r) => r.query.$filter);
    expect(sent).toEqual([`updatedDateTime gt ${new Date(mark - 60_000).toISOString()}`]);
    expect(second.counts.fetched).toBeLessThan(10);
  });

  it("never logs contact data", async () => {
    h = await startHarness({ referrals: [coSell("a", "Contoso", "contoso.com"), referenceExamples.A, referenceExamples.B, referenceExamples.D] });
    await h.engine.run({ trigger: "manual" });
    const logged = JSON.stringify(h.logLines);
    expect(h.logLines.map((l) => l.msg)).toEqual(expect.arrayContaining(["sync_started", "sync_completed"]));
    for (const secret of ["jana@contoso.com", "office@brightdental.co.uk", "tom.hale@pacificafoods.co.nz", "j.krueger@alpenblick-logistik.de", "Krüger"]) {
      expect(logged).not.toContain(secret);
    }
  });
});

describe("createSyncEngine options and arguments", () => {
  const client = { listReferrals: async function* () {} };

  it("rejects every run with FeatureDisabledError while the flag is off (the default)", async () => {
    const engine = createSyncEngine({ client, store: createMemoryStore() });
    expect(engine.enabled).toBe(false);
    const error = await engine.run({ trigger: "manual" }).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "feature_disabled")).toBe(true);
  });

  it.each([
    [{ trigger: "cron" }],
    [{ trigger: "manual", full: "yes" }],
    [{ trigger: "manual", signal: {} }],
  ])("rejects bad run arguments %j with invalid_input", async (args) => {
    const engine = createSyncEngine({ client, store: createMemoryStore(), enabled: true });
    const error = await engine.run(args as never).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "invalid_input")).toBe(true);
  });

  it("lists every bad option, including each store method missing, in one ConfigError", () => {
    const { applyBatch: _a, getCursor: _g, ...partial } = createMemoryStore();
    const attempt = (options: unknown) => {
      try {
        createSyncEngine(options as never);
        return [];
      } catch (error) {
        expect(PcReferralsError.hasCode(error, "config_invalid")).toBe(true);
        return (error as { issues: Array<{ path: string }> }).issues.map((i) => i.path).sort();
      }
    };
    expect(attempt({ client, store: partial, enabled: true })).toEqual(["createSyncEngine.store.applyBatch", "createSyncEngine.store.getCursor"]);
    expect(attempt({ client: {}, store: createMemoryStore(), overlapMs: -1, pageSize: 500, enabeld: true })).toEqual([
      "createSyncEngine.client",
      "createSyncEngine.enabeld",
      "createSyncEngine.overlapMs",
      "createSyncEngine.pageSize",
    ]);
  });

  it("completes a run over an empty tenant and leaves the cursor alone", async () => {
    const store = createMemoryStore();
    const engine = createSyncEngine({ client, store, enabled: true });
    const report = await engine.run({ trigger: "api" });
    expect(report).toMatchObject({ status: "succeeded", trigger: "api", counts: { pages: 0, fetched: 0 }, cursor: { previous: null, next: null } });
    expect(engine.metrics().runs).toEqual({ started: 1, succeeded: 1, partial: 0, failed: 0 });
  });
});
