// Issue 13, write-back on the inbox page in Chromium: the detail panel's Accept / Decline (reason
// picker) / Close buttons over the real routes, core's ReferralActions and the fake Partner Center.
import { createMemoryStore } from "@pc-referrals/core";
import { generateReferrals } from "@pc-referrals/core/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "./fixtures.js";
import { closeAll, launchChromium, openPage, screenshot, seriousA11yViolations, startInboxServer } from "./harness.js";
import type { InboxServer } from "./harness.js";

let browser: Browser;
let server: InboxServer;
let page: Page;
let problems: string[];

beforeAll(async () => {
  [browser, server] = await Promise.all([
    launchChromium(),
    startInboxServer({ referrals: generateReferrals(60, { seed: 13 }), store: createMemoryStore(), actions: true }),
  ]);
  ({ page, problems } = await openPage(browser, { width: 1280, height: 900 }));
  await server.seedEngine.run({ trigger: "manual" });
});

afterAll(() => closeAll(browser, server));

/** A stored New referral on the first inbox page that no test has used yet. */
const used = new Set<string>();
async function newReferral(): Promise<string> {
  const { items } = await server.store.queryInbox({ pageSize: 25 });
  const row = items.find((r) => r.status === "New" && !used.has(r.referralId));
  if (row === undefined) throw new Error("no New referral on the first page");
  used.add(row.referralId);
  return row.referralId;
}

const button = (name: string) => page.locator("#actions").getByRole("button", { name, exact: true });
const rowStatus = (id: string) => page.locator(`#rows tr[data-id="${id}"] .cell-status`);

async function openReferral(id: string): Promise<void> {
  await page.goto(`${server.pageUrl}?referral=${encodeURIComponent(id)}`);
  await page.locator("#detail .facts").getByText(id).waitFor();
  await page.locator("#actions").waitFor();
}

describe("issue 13: write-back buttons on the detail panel", () => {
  it("a New referral offers Accept and Decline, not Close; Accept shows the new status in the row and the panel", async () => {
    const id = await newReferral();
    await openReferral(id);
    expect(await button("Accept").isEnabled()).toBe(true);
    expect(await button("Decline…").isEnabled()).toBe(true);
    expect(await button("Close as won or lost…").isDisabled()).toBe(true);
    expect(await rowStatus(id).textContent()).toMatch(/^New( · |$)/);
    await screenshot(page, "actions.png");
    await button("Accept").click();
    await page.locator(".toast--ok", { hasText: "Accepted: now Active · Accepted." }).waitFor();
    await eventually(() => rowStatus(id).textContent()).toBe("Active · Accepted");
    expect(await server.store.getReferral(id)).toMatchObject({ status: "Active", substatus: "Accepted" });
    // Wide enough for the table to keep its status column beside the panel.
    await page.setViewportSize({ width: 1600, height: 900 });
    await screenshot(page, "accepted.png");
    await page.setViewportSize({ width: 1280, height: 900 });
    // The panel re-renders from the store: now only Close is possible.
    await eventually(() => button("Close as won or lost…").isEnabled()).toBe(true);
    expect(await button("Accept").isDisabled()).toBe(true);
    expect(await button("Decline…").isDisabled()).toBe(true);
    expect((await server.store.listReferralActions({ referralId: id }))[0]).toMatchObject({ action: "accept", outcome: "succeeded", actor: "browser-test" });
  });

  it("Decline opens the reason picker, sends the chosen reason with the details, and the row shows Closed · Declined", async () => {
    const id = await newReferral();
    await openReferral(id);
    await button("Decline…").click();
    expect(await button("Decline…").getAttribute("aria-expanded")).toBe("true");
    // Focus moves into the picker, and every field has its label.
    expect(await page.locator(":focus").getAttribute("id")).toBe("decline-reason");
    await page.getByLabel("Reason", { exact: true }).selectOption("No capacity to take it on");
    await page.getByLabel("Details (optional, required for Other)").fill("Booked until March <b>sorry</b>");
    await page.getByRole("button", { name: "Send decline" }).scrollIntoViewIfNeeded();
    await screenshot(page, "decline.png");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Send decline" }).click();
    await page.locator(".toast--ok", { hasText: "Declined: now Closed · Declined." }).waitFor();
    await eventually(() => rowStatus(id).textContent()).toBe("Closed · Declined");
    const stored = await server.store.getReferral(id);
    expect(stored?.payload["statusReason"]).toBe("No capacity to take it on: Booked until March <b>sorry</b>");
    expect(await page.locator("#detail b").count()).toBe(0);
  });

  it("a Closed referral has every button disabled, with the reason in words", async () => {
    const [declined] = [...used].slice(-1);
    await openReferral(declined ?? "");
    for (const name of ["Accept", "Decline…", "Close as won or lost…"]) expect(await button(name).isDisabled()).toBe(true);
    expect(await page.locator("#actions-hint").textContent()).toBe("This referral is Closed · Declined: Partner Center takes no further status change.");
    await screenshot(page, "closed.png");
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("Other needs a description; Cancel closes the picker and gives focus back", async () => {
    const id = await newReferral();
    await openReferral(id);
    await button("Decline…").click();
    await page.getByLabel("Reason", { exact: true }).selectOption("other");
    const before = server.fake.requests.filter((r) => r.method === "PATCH").length;
    await page.getByRole("button", { name: "Send decline" }).click();
    await page.locator(".toast--error", { hasText: "Describe the reason for declining." }).waitFor();
    expect(await page.locator(":focus").getAttribute("id")).toBe("decline-note");
    await page.getByRole("button", { name: "Cancel" }).click();
    expect(await page.locator("#decline-form").isHidden()).toBe(true);
    expect(await page.locator(":focus").textContent()).toBe("Decline…");
    expect(server.fake.requests.filter((r) => r.method === "PATCH").length).toBe(before);
  });

  it("Close as won after an accept; a change made at Partner Center meanwhile is a conflict the page explains", async () => {
    const id = await newReferral();
    await openReferral(id);
    await button("Accept").click();
    await eventually(() => rowStatus(id).textContent()).toBe("Active · Accepted");
    await button("Close as won or lost…").click();
    await page.getByLabel("Lost").check();
    await page.getByLabel("Reason (optional)").fill("Budget cut");
    await page.getByRole("button", { name: "Close referral" }).click();
    await eventually(() => rowStatus(id).textContent()).toBe("Closed · Lost");

    const other = await newReferral();
    await openReferral(other);
    server.fake.update(other, { customerProfile: { name: "Changed Elsewhere Ltd" } });
    await button("Accept").click();
    await page.locator(".toast--error", { hasText: "Changed in Partner Center meanwhile" }).waitFor();
    // The current copy was stored and shown: the row has the new name, still New.
    await page.locator(`#rows tr[data-id="${other}"] .row-open`, { hasText: "Changed Elsewhere Ltd" }).waitFor();
    expect(await rowStatus(other).textContent()).toMatch(/^New( · |$)/);
    // Chromium logs every failed fetch; the 409 is the answer this test asked for, nothing else may appear.
    expect(problems).toEqual(["console: Failed to load resource: the server responded with a status of 409 (Conflict)"]);
  });
});
