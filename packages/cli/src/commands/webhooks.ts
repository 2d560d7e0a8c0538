// `webhooks register --url <url> [--force] [--events …] | status | test | unregister`: the Partner
// Center webhooks API, on its own host and scope (docs/partner-center-setup.md "Webhooks").
import { createWebhookRegistrationClient, DEFAULT_WEBHOOK_EVENTS } from "@pc-referrals/core";
import type { WebhookRegistration, WebhookRegistrationClient } from "@pc-referrals/core";
import type { PgStore } from "@pc-referrals/pg-store";
import type { CommandContext } from "../command.js";
import { resolveConfig } from "../config.js";
import type { CliConfig } from "../config.js";
import { openStore, tokenProvider } from "../context.js";
import { CliError, EXIT, printJson, println } from "../output.js";
import { wholeFlag } from "./read.js";

const ACTIONS = ["register", "status", "test", "unregister"] as const;

/** The webhooks API client of the configuration: the login's cache, the webhooks scope. */
async function withClient<T>(config: CliConfig, work: (client: WebhookRegistrationClient) => Promise<T>): Promise<T> {
  const store: PgStore | null = config.tokenStore === "db" ? openStore(config) : null;
  try {
    const tokens = tokenProvider(config, store, { scopes: [config.webhooksScope] });
    return await work(createWebhookRegistrationClient({ tokenProvider: tokens, baseUrl: config.webhooksBaseUrl }));
  } finally {
    await store?.close().catch(() => undefined);
  }
}

function describeRegistration(r: WebhookRegistration): string[] {
  return [
    `URL:    ${r.webhookUrl}`,
    `Events: ${r.webhookEvents.join(", ") || "(none)"}`,
    `Header: ${r.signatureTokenToMsSignatureHeader ? "x-ms-signature" : "Authorization: Signature"}`,
  ];
}

function parseEvents(raw: unknown): string[] {
  if (typeof raw !== "string") return [...DEFAULT_WEBHOOK_EVENTS];
  const events = raw.split(",").map((e) => e.trim().toLowerCase()).filter(Boolean);
  if (events.length === 0 || events.some((e) => !/^[a-z0-9-]+$/.test(e))) {
    throw new CliError(EXIT.config, "--events expects comma-separated event names.", `E.g. --events ${DEFAULT_WEBHOOK_EVENTS.join(",")}`);
  }
  return events;
}

function parseUrl(raw: unknown): string {
  if (typeof raw !== "string" || raw.trim() === "") {
    throw new CliError(EXIT.config, "webhooks register needs --url.", "Pass the public HTTPS URL of POST <mount>/webhooks/partner-center, e.g. --url https://crm.example.com/api/referrals/webhooks/partner-center");
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new CliError(EXIT.config, `--url "${raw}" is not a URL.`, "Pass an absolute https:// URL.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new CliError(EXIT.config, "--url must be an http(s) URL.", "Partner Center posts to a public https:// URL.");
  return url.href;
}

export async function run({ io, values, positionals }: CommandContext): Promise<number> {
  const action = positionals[0] ?? "";
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw new CliError(EXIT.config, `Unknown webhooks action "${action}".`, "Use `pc-referrals webhooks register --url <url> [--force]`, `webhooks status`, `webhooks test` or `webhooks unregister`.");
  }
  const config = resolveConfig(io, { tokenStore: values["token-store"] as string | undefined });
  const json = values.json === true;

  if (action === "register") {
    const webhookUrl = parseUrl(values.url);
    const events = parseEvents(values.events);
    return withClient(config, async (client) => {
      const result = await client.register({ webhookUrl, events, force: values.force === true, signatureTokenToMsSignatureHeader: values["ms-signature-header"] === true });
      if (json) printJson(io, result);
      else {
        if (result.replacedUrl !== null) println(io, `Replaced the registration of ${result.replacedUrl}.`);
        println(io, result.action === "unchanged" ? "Already registered:" : result.action === "created" ? "Registered:" : "Updated the registration:");
        for (const line of describeRegistration(result.registration)) println(io, `  ${line}`);
        println(io, "Check delivery with `pc-referrals webhooks test`.");
      }
      return EXIT.ok;
    });
  }

  if (action === "status") {
    return withClient(config, async (client) => {
      const registration = await client.getRegistration(io.signal);
      if (json) printJson(io, { registration });
      else if (registration === null) println(io, "No webhook registration: Partner Center posts no events (polling still runs).");
      else for (const line of describeRegistration(registration)) println(io, line);
      return EXIT.ok;
    });
  }

  if (action === "unregister") {
    return withClient(config, async (client) => {
      const removed = await client.unregister(io.signal);
      if (json) printJson(io, { removed });
      else println(io, removed ? "Removed the webhook registration." : "There was no webhook registration.");
      return EXIT.ok;
    });
  }

  // test: a validation event, then its delivery attempts until it settles or the wait runs out.
  const waitSeconds = wholeFlag("wait", values.wait, 0, 600) ?? 30;
  return withClient(config, async (client) => {
    const correlationId = await client.sendValidationEvent(io.signal);
    if (!json) println(io, `Validation event ${correlationId} requested; waiting up to ${waitSeconds} s for its delivery…`);
    const deadline = Date.now() + waitSeconds * 1000;
    let state = await client.getValidationEvent(correlationId, io.signal);
    while (state !== null && state.status.toLowerCase() === "pending" && Date.now() < deadline && !io.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      state = await client.getValidationEvent(correlationId, io.signal);
    }
    const delivered = state?.results.some((r) => r.responseCode.toUpperCase() === "OK") === true;
    if (json) printJson(io, { correlationId, delivered, validation: state });
    else {
      println(io, `Status: ${state?.status ?? "unknown"}${state?.callbackUrl ? ` (to ${state.callbackUrl})` : ""}`);
      for (const r of state?.results ?? []) println(io, `  ${r.dateTimeUtc}  ${r.responseCode}${r.systemError ? " (system error)" : ""}${r.responseMessage ? `  ${r.responseMessage}` : ""}`);
      println(io, delivered ? "Delivered: the endpoint answered 2xx." : "Not delivered: check that the URL is public, serve runs with PARTNER_CENTER_WEBHOOKS_RECEIVE=true, and the certificate host is allowed.");
    }
    return delivered ? EXIT.ok : EXIT.runFailed;
  });
}
