// Issue 10, the lead-list badge on a host's own page, and the page with the feature flag off.
import type { ReferralType } from "@pc-referrals/core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, referralsWithHostileName } from "./fixtures.js";
import { closeAll, hostLeadListHtml, launchChromium, openPage, screenshot, startInboxServer } from "./harness.js";
import type { InboxServer } from "./harness.js";

const LABELS: Record<ReferralType, string> = { "co-sell": "Co-sell", marketplace: "Marketplace", "solution-provider": "SP" };
let browser: Browser;
let server: InboxServer;
let page: Page;
let problems: string[];

beforeAll(async () => {
  // The routes' engine has the flag off; a second engine on the same store fills it. A mount of
  // its own shows that the page and the badge find the API wherever the host puts it.
  [browser, server] = await Promise.all([
    launchChromium(),
    startInboxServer({ referrals: referralsWithHostileName(240, 3), enabled: false, mount: "/crm/partner-center" }),
  ]);
  await server.seedEngine.run({ trigger: "manual" });
  ({ page, problems } = await openPage(browser, { width: 900, height: 700 }));
});

afterAll(() => closeAll(browser, server));

/** The text each badge element shows, in document order. */
const badgeTexts = () =>
  page.locator("pc-referral-badge").evaluateAll((badges) => badges.map((b) => b.shadowRoot?.textContent ?? ""));
const badgeRequests = () => server.requests.filter((r) => r.startsWith("GET /referral-types")).length;

/** Domains with each type, one with several types when the data has one, and one with none. */
async function sampleDomains(): Promise<{ domains: string[]; expected: string[] }> {
  const rows = (await server.store.queryInbox({ pageSize: 500 })).items;
  const all = [...new Set(rows.map((r) => r.domain).filter((d): d is string => d !== null))];
  const types = await server.store.referralTypesByDomain(all);
  const pick = (test: (t: ReferralType[]) => boolean) => all.find((d) => test(types.get(d) ?? []));
  const picked = [
    pick((t) => t.length === 1 && t[0] === "co-sell"),
    pick((t) => t.length === 1 && t[0] === "marketplace"),
    pick((t) => t.length === 1 && t[0] === "solution-provider"),
    pick((t) => t.length > 1),
  ].filter((d): d is string => d !== undefined);
  const domains = [...picked, "no-referral-here.com", ...all.filter((d) => !picked.includes(d)).slice(0, 15)];
  const expected = domains.map((d) => (types.get(d) ?? []).map((t) => LABELS[t]).join("") || "-");
  return { domains, expected };
}

describe("issue 10: the lead-list badge and the disabled flag, mounted at /crm/partner-center", () => {
  it("with the flag off the sync button is disabled and says why", async () => {
    await page.goto(server.pageUrl);
    const button = page.getByRole("button", { name: "Partner Center sync" });
    await page.locator("#sync-reason", { hasText: "Sync is turned off for this installation." }).waitFor();
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute("aria-describedby")).toBe("sync-reason");
    await page.locator("#rows tr[data-id]").first().waitFor();
  });

  it("<pc-referral-badge> on a host page: one /referral-types call for every domain, the same badges or '-'", async () => {
    const { domains, expected } = await sampleDomains();
    expect(expected.filter((e) => e === "-")).toHaveLength(1);
    server.hostPage("/leads", hostLeadListHtml(server.mount, domains));
    const before = badgeRequests();
    await page.goto(`${server.origin}/leads`);
    await eventually(badgeTexts).toEqual(expected);
    expect(badgeRequests() - before).toBe(1);
    // Playwright's CSS engine pierces the badges' open shadow roots.
    const sp = await page.locator("pc-referral-badge .pcr-type--solution-provider").evaluateAll((els) => els.map((e) => e.getAttribute("title")));
    expect(sp.length).toBeGreaterThan(0);
    expect(new Set(sp)).toEqual(new Set(["Solution Provider"]));
    await screenshot(page, "badge.png");
  });

  it("badges the host adds later reuse known answers and batch the new domains into one more call", async () => {
    const { domains, expected } = await sampleDomains();
    const before = badgeRequests();
    const more = JSON.stringify([domains[0] ?? "", "another-unknown.com", "third-unknown.org"]);
    // Three badges inserted in one task, as a host re-rendering its list would.
    await page.evaluate(`for (const domain of ${more}) {
      const badge = document.createElement("pc-referral-badge");
      badge.setAttribute("domain", domain);
      document.body.append(badge);
    }`);
    await eventually(badgeTexts).toEqual([...expected, expected[0], "-", "-"]);
    expect(badgeRequests() - before).toBe(1);
    expect(problems).toEqual([]);
  });
});
