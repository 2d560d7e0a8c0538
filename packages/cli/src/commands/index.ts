// The command table: names, summaries, flags; each command's code loads only when it runs.
import type { CommandSpec, OptionSpec } from "../command.js";

const json: OptionSpec = { type: "boolean", description: "Print JSON only" };
const tokenStore: OptionSpec = { type: "string", value: "file|db", description: "Where the login's tokens are cached (PARTNER_CENTER_TOKEN_STORE; default file)" };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "login",
    summary: "Sign in with a device code and cache the tokens",
    options: { "token-store": tokenStore },
    load: async () => ({ run: (await import("./auth.js")).login }),
  },
  {
    name: "logout",
    summary: "Remove the cached tokens",
    options: { "token-store": tokenStore },
    load: async () => ({ run: (await import("./auth.js")).logout }),
  },
  {
    name: "whoami",
    summary: "Show the signed-in account and tenant (never the token)",
    options: { "token-store": tokenStore, json },
    load: async () => ({ run: (await import("./auth.js")).whoami }),
  },
  {
    name: "sync",
    summary: "Run one sync, with a progress line and a summary",
    options: {
      full: { type: "boolean", description: "Re-read everything instead of stopping at the incremental mark" },
      "dry-run": { type: "boolean", description: "Fetch and decide, write nothing (report what would be written)" },
      json: { type: "boolean", description: "Print only the SyncReport as JSON" },
    },
    load: async () => import("./sync.js"),
  },
  {
    name: "watch",
    summary: "Run the scheduler in the foreground, one log line per run",
    options: { interval: { type: "string", value: "<seconds>", description: "Pause between runs (PARTNER_CENTER_SYNC_INTERVAL)" } },
    load: async () => import("./watch.js"),
  },
  {
    name: "status",
    summary: "Last runs, the incremental mark, quarantine and warnings",
    options: { json },
    load: async () => ({ run: (await import("./read.js")).status }),
  },
  {
    name: "runs",
    summary: "The latest sync runs",
    options: { limit: { type: "string", value: "<n>", description: "How many runs", default: "20" }, json },
    load: async () => ({ run: (await import("./read.js")).runs }),
  },
  {
    name: "inbox",
    summary: "The referral inbox as a table",
    options: {
      type: { type: "string", value: "<type>", description: "Referral type: co-sell, marketplace, solution-provider" },
      status: { type: "string", value: "<status>", description: "Partner Center status, e.g. New, Active, Closed" },
      "link-status": { type: "string", value: "<status>", description: "auto_linked, multi_candidate, unlinked, manual_linked, manual_unlinked" },
      search: { type: "string", value: "<text>", description: "Search customer names and domains" },
      expiring: { type: "string", value: "<days>", description: "Only New referrals whose deadline is at most this many days away (past ones too), most urgent first" },
      sort: { type: "string", value: "<order>", description: "updated (newest first, the default) or urgency (soonest deadline first)" },
      page: { type: "string", value: "<n>", description: "Page number", default: "1" },
      "page-size": { type: "string", value: "<n>", description: "Rows per page (at most 200)", default: "25" },
      json,
    },
    load: async () => ({ run: (await import("./read.js")).inbox }),
  },
  {
    name: "show",
    summary: "One stored referral",
    args: ["<referralId>"],
    options: { json },
    load: async () => ({ run: (await import("./read.js")).show }),
  },
  {
    name: "link",
    summary: "Link a referral to a company by hand (later syncs keep it)",
    args: ["<referralId>", "<companyId>"],
    options: {},
    load: async () => ({ run: (await import("./link.js")).link }),
  },
  {
    name: "unlink",
    summary: "Unlink a referral by hand (later syncs keep it)",
    args: ["<referralId>"],
    options: {},
    load: async () => ({ run: (await import("./link.js")).unlink }),
  },
  {
    name: "accept",
    summary: "Accept a New referral at Partner Center (Active / Accepted)",
    args: ["<referralId>"],
    options: { json },
    load: async () => ({ run: (await import("./actions.js")).accept }),
  },
  {
    name: "decline",
    summary: "Decline a New referral at Partner Center with a reason (Closed / Declined)",
    args: ["<referralId>"],
    options: { reason: { type: "string", value: "<text>", description: "Why (required; sent as the referral's status reason)" }, json },
    load: async () => ({ run: (await import("./actions.js")).decline }),
  },
  {
    name: "close",
    summary: "Close an Active referral at Partner Center as won or lost",
    args: ["<referralId>"],
    options: {
      won: { type: "boolean", description: "The deal was won (Closed / Won)" },
      lost: { type: "boolean", description: "The deal was lost (Closed / Lost)" },
      reason: { type: "string", value: "<text>", description: "Optional status reason" },
      json,
    },
    load: async () => ({ run: (await import("./actions.js")).close }),
  },
  {
    name: "set-ref",
    summary: "Set your own lead or opportunity id on a referral at Partner Center",
    args: ["<referralId>", "<value>"],
    options: { json },
    load: async () => ({ run: (await import("./actions.js")).setRef }),
  },
  {
    name: "set-deal-value",
    summary: "Set a referral's deal value and currency at Partner Center",
    args: ["<referralId>", "<value>", "<currency>"],
    options: { json },
    load: async () => ({ run: (await import("./actions.js")).setDealValue }),
  },
  {
    name: "migrate",
    summary: "Database migrations: up, down [--steps N], status",
    args: ["up|down|status"],
    options: { steps: { type: "string", value: "<n>", description: "Migrations to roll back with down", default: "1" }, json },
    load: async () => import("./migrate.js"),
  },
  {
    name: "webhooks",
    summary: "Partner Center webhooks: register --url <url> [--force], status, test, unregister",
    args: ["register|status|test|unregister"],
    options: {
      url: { type: "string", value: "<url>", description: "register: the public URL of POST <mount>/webhooks/partner-center" },
      force: { type: "boolean", description: "register: replace a registration that points at another URL (e.g. Microsoft's CRM connector)" },
      events: { type: "string", value: "<a,b>", description: "register: event names (default: the four referral events and test-created)" },
      "ms-signature-header": { type: "boolean", description: "register: sign in x-ms-signature instead of Authorization" },
      wait: { type: "string", value: "<seconds>", description: "test: how long to wait for the delivery", default: "30" },
      "token-store": tokenStore,
      json,
    },
    load: async () => import("./webhooks.js"),
  },
  {
    name: "serve",
    summary: "Serve the routes and the inbox page, with the scheduler running",
    options: {
      port: { type: "string", value: "<port>", description: "Port to listen on", default: "8787" },
      host: { type: "string", value: "<host>", description: "Host to bind", default: "127.0.0.1" },
      schedule: { type: "boolean", description: "Run the scheduler (--no-schedule to turn it off)", default: true },
      "unsafe-no-auth": { type: "boolean", description: "Serve without a token (loopback hosts only)" },
    },
    load: async () => import("./serve.js"),
  },
  {
    name: "fake-partner-center",
    summary: "Run the fake Partner Center and Entra ID; prints the export lines that point the CLI at it",
    options: {
      referrals: { type: "string", value: "<file.json>", description: "Serve these referrals" },
      generate: { type: "string", value: "<n>", description: "Serve n generated referrals", default: "200" },
      port: { type: "string", value: "<port>", description: "Port (default: any free one)" },
      latency: { type: "string", value: "<ms>", description: "Delay every response" },
    },
    load: async () => import("./fake-partner-center.js"),
  },
  {
    name: "demo",
    summary: "Everything against the fakes: login, sync into PGlite, summary, inbox, the page",
    options: {
      serve: { type: "boolean", description: "Serve the inbox page afterwards (--no-serve stops after the sync)", default: true },
      port: { type: "string", value: "<port>", description: "Port of the inbox page", default: "8787" },
    },
    load: async () => import("./demo.js"),
  },
];
