// `serve [--port 8787] [--host 127.0.0.1] [--no-schedule] [--unsafe-no-auth]`: routes, page, scheduler.
import { createScheduler, createWebhookReceiver, createWebhookVerifier } from "@pc-referrals/core";
import type { Scheduler, WebhookReceiver } from "@pc-referrals/core";
import type { CommandContext } from "../command.js";
import { resolveConfig } from "../config.js";
import { createEngineAndActions, openStore, tokenProvider, withStore } from "../context.js";
import { untilInterrupted } from "../io.js";
import { createCliLogger } from "../log.js";
import { CliError, EXIT, println } from "../output.js";
import { isLoopbackHost, MOUNT, startServer } from "../server.js";
import type { RunningServer, ServeAuth } from "../server.js";
import { wholeFlag } from "./read.js";

/** Stops the scheduler (after the page in flight commits) and the server. */
export async function shutDown(server: RunningServer, scheduler: Scheduler | null, receiver: WebhookReceiver | null = null): Promise<void> {
  await scheduler?.stop();
  await server.close();
  // Syncs a delivery started finish before the store closes.
  await receiver?.close();
}

export async function run({ io, values, verbose }: CommandContext): Promise<number> {
  const config = resolveConfig(io);
  const host = typeof values.host === "string" ? values.host : "127.0.0.1";
  const port = wholeFlag("port", values.port, 0, 65_535) ?? 8787;
  let auth: ServeAuth;
  if (config.serveToken !== null) auth = { token: config.serveToken };
  else if (values["unsafe-no-auth"] === true && isLoopbackHost(host)) auth = { unsafeNoAuth: true };
  else if (values["unsafe-no-auth"] === true) {
    throw new CliError(EXIT.config, `--unsafe-no-auth is refused on ${host}: only a loopback host (127.0.0.1, ::1, localhost) may serve without a token.`, "Set PARTNER_CENTER_SERVE_TOKEN.");
  } else {
    throw new CliError(EXIT.config, "serve needs a token to authorize requests.", "Set PARTNER_CENTER_SERVE_TOKEN (a long random string), or pass --unsafe-no-auth on a loopback host.");
  }
  const { logger } = createCliLogger(io, { verbose });
  return withStore(openStore(config), async (store) => {
    // Fail here (exit 5) rather than on the first request when the database is unreachable.
    await store.getSyncStatus("default");
    const tokens = tokenProvider(config, store);
    const { engine, actions } = createEngineAndActions(config, store, tokens, logger);
    const schedule = values.schedule !== false && config.enabled;
    const scheduler = schedule ? createScheduler(engine, { intervalMs: config.syncIntervalSeconds * 1000, logger }) : null;
    const receiver = config.webhooksReceive ? createWebhookReceiver({ engine, logger }) : null;
    const webhooks = receiver === null ? null : { receiver, verifier: createWebhookVerifier({ allowedCertificateHosts: config.webhooksCertificateHosts }) };
    const server = await startServer({ engine, actions, store, scheduler, auth, host, port, logger, webhooks });
    scheduler?.start();
    logger.info({ url: server.pageUrl, schedule, auth: "token" in auth ? "token" : "none (loopback)", webhooks: receiver !== null }, "serving");
    println(io, `Inbox page: ${server.pageUrl}`);
    if (receiver !== null) println(io, `Webhook route: ${server.origin}${MOUNT}/webhooks/partner-center (register its public URL with \`pc-referrals webhooks register --url …\`)`);
    await untilInterrupted(io);
    await shutDown(server, scheduler, receiver);
    logger.info({}, "stopped");
    return EXIT.interrupted;
  });
}
