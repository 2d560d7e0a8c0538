// Issue 13 "Expiry watch", the inbox page in Chromium: the "days left" column, the "Expires"
// filter and the deadline order, over the real routes, the memory store and the fake Partner Center.
import { createMemoryStore } from "@pc-referrals/core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, rowIds } from "./fixtures.js";
import { closeAll, launchChromium, openPage, screenshot, seriousA11yViolations, startInboxServer, type InboxServer } from "./harness.js";

const DAY = 24 * 60 * 60_000;
// Deadlines relative to the moment the file starts: the page counts days left from the browser's clock.
const START = Date.now();
const inDays = (days: number) => new Date(START + days * DAY).toISOString();

function referral(id: string, name: string, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id,
    name: `${name} – Azure migration`,
    createdDateTime: inDays(-5),
    updatedDateTime: inDays(-1),
    status: "New",
    substatus: "Pending",
    type: "Shared",
    direction: "Incoming",
    customerProfile: { name, team: [{ firstName: "Avery", email: `buyer@${id}-corp.com` }] },
    ...fields,
  };
}

const REFERRALS = [
  referral("soon", "Alpenblick Logistik", { expirationDateTime: inDays(0.5), updatedDateTime: inDays(-3) }),
  referral("three", "Fabrikam Retail", { expirationDateTime: inDays(2.5), updatedDateTime: inDays(-2) }),
  referral("later", "Northwind Traders", { expirationDateTime: inDays(9.5) }),
  referral("default", "Tailspin Toys", { createdDateTime: inDays(-8.5) }), // 14 days: 5.5 left
  referral("answered", "Wide World Importers", { status: "Active", substatus: "Accepted", expirationDateTime: inDays(1), updatedDateTime: inDays(-0.5) }),
];

let browser: Browser;
let server: InboxServer;
let page: Page;
let problems: string[];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startInboxServer({ referrals: REFERRALS, store: createMemoryStore() })]);
  await server.seedEngine.run({ trigger: "manual" });
  ({ page, problems } = await openPage(browser, { width: 1280, height: 720 }));
});

afterAll(() => closeAll(browser, server));

const daysCell = (id: string) => page.locator(`#rows tr[data-id="${id}"] .cell-days`).textContent();

describe("issue 13: the expiry watch on the inbox page", () => {
  it("expiry: shows a Days left column: whole days rounded up, a dash for referrals without a deadline", async () => {
    await page.goto(server.pageUrl);
    await eventually(() => rowIds(page)).toHaveLength(REFERRALS.length);
    const headers = await page.locator("#inbox thead th").allTextContents();
    expect(headers).toContain("Days left");
    expect(await daysCell("soon")).toBe("1 day");
    expect(await daysCell("three")).toBe("3 days");
    expect(await daysCell("later")).toBe("10 days");
    expect(await daysCell("default")).toBe("6 days");
    expect(await daysCell("answered")).toBe("—");
    expect(await page.locator(`#rows tr[data-id="soon"] .days`).getAttribute("class")).toContain("days--now");
    expect(await page.locator(`#rows tr[data-id="three"] .days`).getAttribute("class")).toContain("days--soon");
  });

  it("expiry: 'Expires within 3 days' asks for expiresWithinDays=3 sorted by urgency, shows the soonest first and keeps it in the URL", async () => {
    await page.getByLabel("Expires").selectOption("3");
    await eventually(() => rowIds(page)).toEqual(["soon", "three"]);
    expect(new URL(page.url()).searchParams.get("expiresWithinDays")).toBe("3");
    expect(server.requests.some((r) => r.includes("expiresWithinDays=3") && r.includes("sort=urgency"))).toBe(true);
    await screenshot(page, "expiring.png");
    await page.reload();
    await eventually(() => rowIds(page)).toEqual(["soon", "three"]);
    expect(await page.getByLabel("Expires").inputValue()).toBe("3");
    expect(await page.getByLabel("Order").inputValue()).toBe("urgency");
  });

  it("expiry: 'Deadline first' orders every referral by deadline, those without one last", async () => {
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByLabel("Order").selectOption("urgency");
    await eventually(() => rowIds(page)).toEqual(["soon", "three", "default", "later", "answered"]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
