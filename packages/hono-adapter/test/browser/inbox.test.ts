// Issue 10, the inbox page in Chromium: the real routes over the memory store and the fake
// Partner Center, driven the way a person uses the page.
import { AuthRequiredError, createMemoryStore } from "@pc-referrals/core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, HOSTILE_ID, HOSTILE_NAME, referralsWithHostileName, rowIds } from "./fixtures.js";
import { closeAll, launchChromium, openPage, screenshot, seriousA11yViolations, startInboxServer } from "./harness.js";
import type { InboxServer } from "./harness.js";

const PAGE_SIZE = 25;
let browser: Browser;
let context: BrowserContext;
let server: InboxServer;
let page: Page;
let problems: string[];

beforeAll(async () => {
  [browser, server] = await Promise.all([
    launchChromium(),
    startInboxServer({ referrals: referralsWithHostileName(240, 10), store: createMemoryStore() }),
  ]);
  ({ context, page, problems } = await openPage(browser, { width: 1280, height: 900 }));
});

afterAll(() => closeAll(browser, server));

const storeIds = async (query: Parameters<InboxServer["store"]["queryInbox"]>[0]) =>
  (await server.store.queryInbox({ pageSize: PAGE_SIZE, ...query })).items.map((r) => r.referralId);
const pageInfo = () => page.locator("#page-info").textContent();

describe("issue 10: the inbox page over the memory store", () => {
  it("loads with the sync button enabled, 'Never synced' and an empty inbox", async () => {
    await page.goto(server.pageUrl);
    await page.getByText("Never synced").waitFor();
    expect(await page.getByRole("button", { name: "Partner Center sync" }).isEnabled()).toBe(true);
    await page.getByText("No referrals yet").waitFor();
    expect(await rowIds(page)).toEqual([]);
  });

  it("clicking sync shows the started and finished toasts, then the first page of rows", async () => {
    await page.getByRole("button", { name: "Partner Center sync" }).click();
    await page.locator(".toast", { hasText: "Sync started." }).waitFor();
    await page.locator(".toast", { hasText: /Sync finished · \d+ new/ }).waitFor();
    const { total } = await server.store.queryInbox({});
    expect(total).toBeGreaterThan(PAGE_SIZE * 2);
    await eventually(() => rowIds(page)).toEqual(await storeIds({ page: 1 }));
    const last = (await server.store.listRuns({ limit: 1 }))[0];
    await eventually(() => page.locator("#status-line").textContent()).toBe(`Last sync just now · OK · ${last?.counts.ingested} new`);
    expect(await pageInfo()).toBe(`Page 1 of ${Math.ceil(total / PAGE_SIZE)} · ${total} referrals`);
    await screenshot(page, "inbox.png", { fullPage: true });
  });

  it("the hostile customer name renders as text and runs no script", async () => {
    const row = page.locator(`#rows tr[data-id="${HOSTILE_ID}"]`);
    expect(await row.locator(".row-open").textContent()).toBe(HOSTILE_NAME);
    expect(await page.locator("#rows img").count()).toBe(0);
    await row.locator(".row-open").click();
    await eventually(() => page.locator("#detail-title").textContent()).toBe(HOSTILE_NAME);
    expect(await page.locator("#detail img, #rows img").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.getByRole("button", { name: "Close" }).click();
  });

  it("filtering by type shows only that type, keeps it in the URL and survives a reload", async () => {
    await page.getByLabel("Type").selectOption("solution-provider");
    const expected = await storeIds({ referralType: "solution-provider" });
    expect(expected.length).toBeGreaterThan(0);
    await eventually(() => rowIds(page)).toEqual(expected);
    expect(new URL(page.url()).searchParams.get("referralType")).toBe("solution-provider");
    const badges = page.locator("#rows .pcr-type");
    expect(new Set(await badges.allTextContents())).toEqual(new Set(["SP"]));
    expect(await badges.first().getAttribute("title")).toBe("Solution Provider");
    await screenshot(page, "filtered.png");
    await page.reload();
    await eventually(() => rowIds(page)).toEqual(expected);
    expect(await page.getByLabel("Type").inputValue()).toBe("solution-provider");
  });

  it("the search box is debounced and finds a referral by its domain", async () => {
    await page.getByRole("button", { name: "Clear filters" }).click();
    const target = (await server.store.queryInbox({ page: 3, pageSize: PAGE_SIZE })).items[0];
    const domain = target?.domain ?? "";
    expect(domain).not.toBe("");
    await eventually(() => rowIds(page)).toEqual(await storeIds({ page: 1 }));
    const before = server.requests.filter((r) => r.startsWith("GET /inbox")).length;
    await page.getByLabel("Search").pressSequentially(domain, { delay: 15 });
    const expected = await storeIds({ q: domain });
    await eventually(() => rowIds(page)).toEqual(expected);
    expect(expected).toContain(target?.referralId);
    // One request for the whole word, not one per key (two if a busy machine paused the typing).
    const searches = server.requests.filter((r) => r.startsWith("GET /inbox")).length - before;
    expect(domain.length).toBeGreaterThan(5);
    expect(searches).toBeGreaterThanOrEqual(1);
    expect(searches).toBeLessThanOrEqual(2);
    expect(new URL(page.url()).searchParams.get("q")).toBe(domain);
  });

  it("pagination moves through the pages with the total, and the page is in the URL", async () => {
    await page.getByRole("button", { name: "Clear filters" }).click();
    const { total } = await server.store.queryInbox({});
    const pages = Math.ceil(total / PAGE_SIZE);
    await eventually(() => rowIds(page)).toEqual(await storeIds({ page: 1 }));
    expect(await page.getByRole("button", { name: "Previous" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Next" }).click();
    await eventually(() => rowIds(page)).toEqual(await storeIds({ page: 2 }));
    expect(await pageInfo()).toBe(`Page 2 of ${pages} · ${total} referrals`);
    expect(new URL(page.url()).searchParams.get("page")).toBe("2");
    await page.goBack();
    await eventually(() => rowIds(page)).toEqual(await storeIds({ page: 1 }));
  });

  it("keyboard: Tab reaches a row, Enter opens its details, Escape closes them and returns focus", async () => {
    const firstId = (await rowIds(page))[0] ?? "";
    await page.locator("#f-clear").focus();
    await page.keyboard.press("Tab");
    expect(await page.locator("#rows tr:has(:focus)").getAttribute("data-id")).toBe(firstId);
    await page.keyboard.press("Enter");
    await eventually(() => page.locator(":focus").getAttribute("id")).toBe("detail-title");
    await page.keyboard.press("Escape");
    expect(await page.locator("#detail").isHidden()).toBe(true);
    expect(await page.locator("#rows tr:has(:focus)").getAttribute("data-id")).toBe(firstId);
  });

  it("opening a row shows its facts and candidates; link and unlink reach the store and the row", async () => {
    const target = (await server.store.queryInbox({ page: 1, pageSize: PAGE_SIZE, linkStatus: "unlinked" })).items.find(
      (r) => r.referralId !== HOSTILE_ID,
    );
    const id = target?.referralId ?? "";
    const candidates = await server.store.findCompanies({ domains: [target?.domain ?? ""], normalizedNames: [] });
    const company = candidates[0];
    expect(company).toBeDefined();
    await page.goto(`${server.pageUrl}?referral=${encodeURIComponent(id)}`);
    await page.locator("#detail .facts").getByText(id).waitFor();
    expect(await page.locator("#detail-title").textContent()).toBe(target?.customerName);
    await page.getByRole("button", { name: `Link to ${company?.name ?? company?.domain}` }).click();
    await page.locator(".toast", { hasText: `Linked to company ${company?.id}.` }).waitFor();
    await eventually(async () => (await server.store.getReferral(id))?.linkStatus).toBe("manual_linked");
    await page.locator("#detail .link", { hasText: "Linked by hand" }).waitFor();
    await page.locator(`#rows tr[data-id="${id}"] .link`, { hasText: "Linked by hand" }).waitFor();
    await screenshot(page, "detail.png");
    await page.getByRole("button", { name: "Unlink" }).click();
    await eventually(async () => (await server.store.getReferral(id))?.linkStatus).toBe("manual_unlinked");
    await page.locator(`#rows tr[data-id="${id}"] .link`, { hasText: "Unlinked by hand" }).waitFor();
  });

  it("axe-core finds no serious or critical violation with the details and a toast open", async () => {
    await page.locator(".toast").first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("a live update arrives without a reload: a server-side edit, then a sync started outside the page", async () => {
    await page.evaluate("window.notReloaded = true");
    const id = (await rowIds(page))[3] ?? "";
    server.fake.update(id, { customerProfile: { name: "Renamed Live Ltd" } });
    // The scheduler's path: the routes' engine runs without the page asking for it.
    const report = await server.engine.run({ trigger: "schedule" });
    expect(report.counts.updated).toBeGreaterThanOrEqual(1);
    await page.locator(`#rows tr[data-id="${id}"] .row-open`, { hasText: "Renamed Live Ltd" }).waitFor();
    await eventually(() => rowIds(page)).toEqual(await storeIds({ page: 1 }));
    await page.locator("#status-line", { hasText: /1 updated/ }).waitFor();
    expect(await page.evaluate("window.notReloaded")).toBe(true);
    expect(problems).toEqual([]);
  });

  it("while a run is in flight the sync button is disabled with the reason, then comes back", async () => {
    // The first listing request waits, so the run stays in flight long enough to see.
    server.fake.setFaults([{ kind: "slow", delayMs: 1_500, times: 1 }]);
    const button = page.getByRole("button", { name: "Partner Center sync" });
    await button.click();
    await page.locator("#sync-reason", { hasText: "A sync is running." }).waitFor();
    expect(await button.isDisabled()).toBe(true);
    await page.locator("#status-line", { hasText: "Sync running" }).waitFor();
    await eventually(() => button.isEnabled()).toBe(true);
    expect(await page.locator("#sync-reason").textContent()).toBe("");
    await page.locator("#status-line", { hasText: /^Last sync just now · OK/ }).waitFor();
    server.fake.setFaults([]);
  });
});

describe("issue 10: the inbox page when the sign-in is gone", () => {
  it("a sync that needs a login shows the error toast and the sign-in banner", async () => {
    const expired = await startInboxServer({
      referrals: [],
      tokenProvider: {
        getAccessToken: async () => {
          throw new AuthRequiredError("The refresh token expired.");
        },
      },
    });
    try {
      const tab = await context.newPage();
      await tab.goto(expired.pageUrl);
      await tab.getByText("Never synced").waitFor();
      expect(await tab.locator("#login-banner").isHidden()).toBe(true);
      await tab.getByRole("button", { name: "Partner Center sync" }).click();
      await tab.locator(".toast--error", { hasText: "Sync failed" }).waitFor();
      await tab.getByText("Sign-in required.").waitFor();
      await tab.locator("#status-line", { hasText: "Failed (auth_required)" }).waitFor();
      expect(await seriousA11yViolations(tab)).toEqual([]);
      await tab.close();
    } finally {
      await expired.close();
    }
  });
});
