// The HTTP server of `serve` and `demo`: the adapter's routes and inbox page, a sign-in form that
// turns the serve token into an HttpOnly cookie, request logs, and a clean stop.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { Logger, ReferralActions, Store, SyncEngine, WebhookReceiver, WebhookVerifier } from "@pc-referrals/core";
import { createReferralRoutes } from "@pc-referrals/hono-adapter";
import type { Problem, StatusScheduler } from "@pc-referrals/hono-adapter";
import { CliError, EXIT } from "./output.js";

/** Where the adapter's routes are mounted; the page is at `${MOUNT}/ui`. */
export const MOUNT = "/api/referrals";
const COOKIE = "pc_referrals_session";

/** How requests are let in: the bearer token (or its cookie), or nothing at all (loopback only). */
export type ServeAuth = { token: string } | { unsafeNoAuth: true };

export interface ServerOptions {
  engine: SyncEngine;
  /** Write-back for the page's Accept / Decline / Close buttons and the routes; none: read-only. */
  actions?: ReferralActions;
  store: Store;
  scheduler: StatusScheduler | null;
  auth: ServeAuth;
  host: string;
  port: number;
  logger: Logger;
  /** Mounts the signed `POST /api/referrals/webhooks/partner-center` (outside the token check). */
  webhooks?: { receiver: WebhookReceiver; verifier: WebhookVerifier } | null;
}

export interface RunningServer {
  /** `http://host:port`. */
  origin: string;
  /** The inbox page. */
  pageUrl: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** True for hosts only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

// The cookie never holds the token itself: a value derived from it, so a leaked cookie is not the API token.
const sessionValue = (token: string): string => createHmac("sha256", token).update("pc-referrals session").digest("base64url");

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const LOGIN_PAGE = (failed: boolean): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · pc-referrals</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 28rem; margin: 4rem auto; padding: 0 1rem">
<h1>pc-referrals</h1>
<form method="post" action="/login">
<label for="token">Serve token (PARTNER_CENTER_SERVE_TOKEN)</label><br>
<input id="token" name="token" type="password" autocomplete="current-password" required style="width: 100%; margin: .5rem 0">
${failed ? '<p role="alert" style="color: #b00020">That token is not the one this server was started with.</p>' : ""}
<button type="submit">Sign in</button>
</form></body></html>`;

/** 401 in the adapter's problem+json shape, with the challenge a client needs. */
function unauthorized(): Response {
  const body: Problem = {
    type: "urn:pc-referrals:error:unauthorized",
    title: "Unauthorized",
    status: 401,
    code: "unauthorized",
    detail: "Send Authorization: Bearer <PARTNER_CENTER_SERVE_TOKEN>, or sign in at /login.",
  };
  return new Response(JSON.stringify(body), {
    status: 401,
    headers: { "content-type": "application/problem+json", "www-authenticate": 'Bearer realm="pc-referrals"' },
  });
}

/** Builds the Hono app (exported for tests that call `app.request`). */
export function createServeApp(options: Omit<ServerOptions, "host" | "port">): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    options.logger.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, "request");
  });
  const { auth } = options;
  const authorized = (c: Context): boolean => {
    if ("unsafeNoAuth" in auth) return true;
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    if (bearer !== undefined) return equal(bearer, auth.token);
    const cookie = getCookie(c, COOKIE);
    return cookie !== undefined && equal(cookie, sessionValue(auth.token));
  };
  app.get("/", (c) => c.redirect(`${MOUNT}/ui`));
  if ("token" in auth) {
    app.get("/login", (c) => c.html(LOGIN_PAGE(c.req.query("failed") !== undefined)));
    app.post("/login", async (c) => {
      const form = await c.req.parseBody();
      const token = typeof form.token === "string" ? form.token : "";
      if (!equal(token, auth.token)) return c.redirect("/login?failed=1", 303);
      setCookie(c, COOKIE, sessionValue(auth.token), { httpOnly: true, sameSite: "Strict", path: "/", secure: c.req.url.startsWith("https:") });
      return c.redirect(`${MOUNT}/ui`, 303);
    });
  }
  const webhooks = options.webhooks ? { webhooks: { ...options.webhooks, logger: options.logger } } : {};
  const common = {
    engine: options.engine,
    store: options.store,
    ui: true,
    ...(options.scheduler === null ? {} : { scheduler: options.scheduler }),
    ...(options.actions === undefined ? {} : { actions: options.actions }),
    ...webhooks,
  };
  const routes =
    "unsafeNoAuth" in auth
      ? createReferralRoutes({ ...common, unsafeAllowAll: true })
      : createReferralRoutes({
          ...common,
          // A person opening the page is sent to the form; API callers get the adapter's 401.
          authorize: (c) => authorized(c) || (c.req.method === "GET" && c.req.path === `${MOUNT}/ui` ? c.redirect("/login") : unauthorized()),
        });
  app.route(MOUNT, routes);
  return app;
}

/** Starts listening; resolves once the port is bound. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const app = createServeApp(options);
  const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port }) as Server;
  await new Promise<void>((resolve, reject) => {
    if (server.listening) resolve();
    server.once("listening", () => resolve());
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new CliError(EXIT.config, `Port ${options.port} on ${options.host} is already in use.`, "Pass --port with another port (0 picks a free one).")
          : error,
      ),
    );
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const origin = `http://${host}:${port}`;
  return {
    origin,
    pageUrl: `${origin}${MOUNT}/ui`,
    async close() {
      // Open event streams would keep the server from closing.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
