// Shared set-up of the browser tests: Debian's Chromium through playwright-core, and the real
// routes (createReferralRoutes) over a real store and the fake Partner Center, served over HTTP.
import { existsSync, mkdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { createMemoryStore, createPartnerCenterClient, createSyncEngine } from "@pc-referrals/core";
import type { Store, SyncEngine, TokenProvider } from "@pc-referrals/core";
import { startFakePartnerCenter } from "@pc-referrals/core/testing";
import type { FakePartnerCenter } from "@pc-referrals/core/testing";
import axe from "axe-core";
import { Hono } from "hono";
import { chromium } from "playwright-core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createReferralRoutes } from "../../src/index.js";

const DEFAULT_MOUNT = "/api/referrals";
// The committed pictures (README) change only on purpose: `PCR_UPDATE_SCREENSHOTS=1 pnpm test` rewrites
// them; an ordinary run writes beside the report in .vitest/ (ignored), so tests leave the tree clean.
export const SCREENSHOTS = fileURLToPath(
  new URL(process.env["PCR_UPDATE_SCREENSHOTS"] === "1" ? "../screenshots/" : "../../../../.vitest/screenshots/", import.meta.url),
);
export const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
// Without the networking flags Chromium's background services hit the closed network and stall.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const CHROMIUM_MISSING = `Chromium not found at ${CHROMIUM}: the browser tests need it. Install it (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH.`;

/** Launches Chromium; a missing binary fails the suite loudly (CI must never skip these tests). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(CHROMIUM_MISSING);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** The host's own lead list: the badge element dropped into a page the adapter does not serve. */
export function hostLeadListHtml(mount: string, domains: readonly string[]): string {
  const rows = domains.map((d) => `<tr><td>${d}</td><td><pc-referral-badge domain="${d}"></pc-referral-badge></td></tr>`).join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Leads</title><link rel="icon" href="data:,">
<script type="module" src="${mount}/ui/badge.js"></script></head>
<body><main><h1>Leads</h1><table><thead><tr><th scope="col">Domain</th><th scope="col">Referral</th></tr></thead>
<tbody>${rows}</tbody></table></main></body></html>`;
}

export interface InboxServer {
  /** Where the routes are mounted, e.g. `/api/referrals`. */
  mount: string;
  /** Origin of the server, e.g. `http://127.0.0.1:40123`. */
  origin: string;
  /** The inbox page. */
  pageUrl: string;
  fake: FakePartnerCenter;
  store: Store;
  engine: SyncEngine;
  /** Another engine on the same fake and store, enabled, for seeding a server whose engine is not. */
  seedEngine: SyncEngine;
  /** Requests the browser sent to the routes, path and query. */
  requests: string[];
  /** Serves `html` at `path` (a host page). */
  hostPage(path: string, html: string): void;
  close(): Promise<void>;
}

export async function startInboxServer(init: {
  referrals: readonly unknown[];
  store?: Store;
  enabled?: boolean;
  tokenProvider?: TokenProvider;
  /** Default `/api/referrals`. */
  mount?: string;
}): Promise<InboxServer> {
  const mount = init.mount ?? DEFAULT_MOUNT;
  const fake = await startFakePartnerCenter({ referrals: init.referrals });
  const tokenProvider = init.tokenProvider ?? { getAccessToken: async () => fake.entra.issueAccessToken() };
  const client = createPartnerCenterClient({ tokenProvider, baseUrl: fake.url });
  const store = init.store ?? createMemoryStore();
  const engine = createSyncEngine({ client, store, enabled: init.enabled ?? true });
  const seedEngine = createSyncEngine({ client, store, enabled: true });
  const requests: string[] = [];
  const hostPages = new Map<string, string>();
  const app = new Hono();
  app.use(async (c, next) => {
    const url = new URL(c.req.url);
    if (url.pathname.startsWith(mount)) requests.push(c.req.method + " " + url.pathname.slice(mount.length) + url.search);
    await next();
  });
  app.route(mount, createReferralRoutes({ engine, store, authorize: () => true, ui: true }));
  app.get("*", (c) => {
    const html = hostPages.get(c.req.path);
    return html === undefined ? c.notFound() : c.html(html);
  });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once("listening", () => resolve())));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    mount,
    pageUrl: `${origin}${mount}/ui`,
    fake,
    store,
    engine,
    seedEngine,
    requests,
    hostPage: (path, html) => void hostPages.set(path, html),
    async close() {
      // Open event streams would keep the server from closing.
      (server as Server).closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client.close();
      await fake.stop();
    },
  };
}

/** A fresh context and page of `browser`, watched by {@link watchPage}; waits give up after `timeoutMs`. */
export async function openPage(browser: Browser, viewport: { width: number; height: number }, timeoutMs = 10_000) {
  const context: BrowserContext = await browser.newContext({ viewport });
  context.setDefaultTimeout(timeoutMs);
  const page = await context.newPage();
  return { context, page, problems: watchPage(page) };
}

/** Closes the browser and the server of a test file (either may be missing when set-up failed). */
export async function closeAll(browser: Browser | undefined, server: InboxServer | undefined): Promise<void> {
  await browser?.close();
  await server?.close();
}

/** Everything a page did that a user would call broken: script errors, console errors, dialogs. */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    void d.dismiss();
  });
  return problems;
}

/** axe-core run in the page (evaluated, so the page's CSP stays on); serious and critical only. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  // A string, evaluated in the page: this package's types have no DOM lib.
  const violations = await page.evaluate<Array<{ id: string; impact: string | null; targets: string[] }>>(
    `axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) =>
      ({ id: v.id, impact: v.impact || null, targets: v.nodes.map((n) => n.target.join(" ")) })))`,
  );
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.targets.join(", ")}`);
}

/** Saves <name> into {@link SCREENSHOTS}; `fullPage` for long lists (fixed panels then render at the top). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Finite animations (the fresh-row highlight) are fast-forwarded, so the pictures are stable.
  await page.screenshot({ path: `${SCREENSHOTS}${name}`, fullPage: options.fullPage ?? false, animations: "disabled" });
}
