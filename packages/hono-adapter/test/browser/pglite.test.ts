// Issue 10, the inbox page on the embedded default: pg-store over PGlite, with a 1,000-row inbox
// whose timings are printed (measured, not asserted).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgStore } from "@pc-referrals/pg-store";
import type { PgStore } from "@pc-referrals/pg-store";
import { generateReferrals } from "@pc-referrals/core/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, rowIds } from "./fixtures.js";
import { closeAll, launchChromium, openPage, startInboxServer } from "./harness.js";
import type { InboxServer } from "./harness.js";

const PAGE_SIZE = 25;
const dataDir = mkdtempSync(join(tmpdir(), "pcr-ui-pglite-"));
let store: PgStore;
let browser: Browser;
let server: InboxServer;
let page: Page;
let problems: string[];
const timings: Array<[string, string]> = [];
let total = 0;

/** Runs `step` and records how long it took. */
async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await step();
  timings.push([label, `${Math.round(performance.now() - started)} ms`]);
  return result;
}

beforeAll(async () => {
  store = createPgStore({ dataDir });
  await store.migrate();
  // About 42 % of generated referrals pass the default filter: 2,400 gives an inbox of ~1,000.
  [browser, server] = await Promise.all([launchChromium(), startInboxServer({ referrals: generateReferrals(2_400, { seed: 5 }), store })]);
  ({ page, problems } = await openPage(browser, { width: 1280, height: 900 }, 15_000));
});

afterAll(async () => {
  await closeAll(browser, server);
  await store?.close?.();
  rmSync(dataDir, { recursive: true, force: true });
  if (timings.length > 0) {
    console.log(`inbox page on PGlite, ${total.toLocaleString("en-US")}-row inbox:\n` +
      timings.map(([label, value]) => `  ${label.padEnd(50)} ${value.padStart(9)}`).join("\n"));
  }
});

const storeIds = async (query: Parameters<PgStore["queryInbox"]>[0]) =>
  (await store.queryInbox({ pageSize: PAGE_SIZE, ...query })).items.map((r) => r.referralId);

describe("issue 10: the inbox page on pg-store over PGlite", () => {
  it("syncs ~1,000 referrals from the button and pages through them", { timeout: 180_000 }, async () => {
    await page.goto(server.pageUrl);
    await page.getByText("Never synced").waitFor();
    const inboxCalls = () => server.requests.filter((r) => r.startsWith("GET /inbox")).length;
    const callsBefore = inboxCalls();
    await timed("sync from the button until the toast", async () => {
      await page.getByRole("button", { name: "Partner Center sync" }).click();
      await page.locator(".toast", { hasText: /Sync finished/ }).waitFor({ timeout: 170_000 });
    });
    timings.push(["live refreshes of the table during that sync", `${inboxCalls() - callsBefore} GETs`]);
    ({ total } = await store.queryInbox({}));
    expect(total).toBeGreaterThan(900);
    await eventually(() => rowIds(page)).toEqual(await storeIds({ page: 1 }));
    await timed("reload until the first rows show", async () => {
      await page.reload();
      await page.locator("#rows tr[data-id]").first().waitFor();
    });
    expect(await page.locator("#page-info").textContent()).toBe(`Page 1 of ${Math.ceil(total / PAGE_SIZE)} · ${total.toLocaleString("en-US")} referrals`);
    const page2 = await storeIds({ page: 2 });
    await timed("Next page", async () => {
      await page.getByRole("button", { name: "Next" }).click();
      await page.locator(`#rows > tr:first-child[data-id="${page2[0]}"]`).waitFor();
    });
    expect(await rowIds(page)).toEqual(page2);
    const last = Math.ceil(total / PAGE_SIZE);
    await timed(`jump to the last page (${last}) by URL`, async () => {
      await page.goto(`${server.pageUrl}?page=${last}`);
      await page.locator("#rows tr[data-id]").first().waitFor();
    });
    expect(await rowIds(page)).toEqual(await storeIds({ page: last }));
    const marketplace = await storeIds({ page: 1, referralType: "marketplace" });
    await timed("type filter (marketplace)", async () => {
      await page.getByLabel("Type").selectOption("marketplace");
      await page.locator(`#rows > tr:first-child[data-id="${marketplace[0]}"]`).waitFor();
    });
    expect(await rowIds(page)).toEqual(marketplace);
    await timed("search 'ltd' (debounce included)", async () => {
      await page.getByLabel("Search").fill("ltd");
      await page.waitForURL(/q=ltd/);
      await page.locator("#inbox:not([aria-busy])").waitFor();
    });
    expect(await rowIds(page)).toEqual(await storeIds({ page: 1, referralType: "marketplace", q: "ltd" }));
  });

  it("links a row to a company id typed in the detail panel, and unlinks it", async () => {
    const row = (await store.queryInbox({ pageSize: 1, linkStatus: "unlinked" })).items[0];
    const companies = await store.findCompanies({ domains: [row?.domain ?? ""], normalizedNames: [] });
    const companyId = companies[0]?.id ?? "";
    expect(companyId).not.toBe("");
    await timed("open a row's details from a shared link", async () => {
      await page.goto(`${server.pageUrl}?referral=${encodeURIComponent(row?.referralId ?? "")}`);
      await page.locator("#detail .facts").getByText(row?.referralId ?? "").waitFor();
    });
    await page.getByLabel("Company id").fill(companyId);
    await page.getByRole("button", { name: "Link", exact: true }).click();
    await page.locator("#detail .link", { hasText: "Linked by hand" }).waitFor();
    expect((await store.getReferral(row?.referralId ?? ""))?.linkedCompanyId).toBe(companyId);
    await page.getByRole("button", { name: "Unlink" }).click();
    await page.locator("#detail .link", { hasText: "Unlinked by hand" }).waitFor();
    expect((await store.getReferral(row?.referralId ?? ""))?.linkStatus).toBe("manual_unlinked");
    expect(problems).toEqual([]);
  });
});
