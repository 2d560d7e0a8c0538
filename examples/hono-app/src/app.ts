// An existing Hono service (home page, lead list, its own JSON API and login) that mounts the
// pc-referrals routes and inbox page under /partner-center, behind its own session auth, and
// shows the referral badge on its own lead list.
import type { Scheduler, Store, SyncEngine } from "@pc-referrals/core";
import { createReferralRoutes } from "@pc-referrals/hono-adapter";
import { Hono } from "hono";
import { html } from "hono/html";
import { HTTPException } from "hono/http-exception";
import { requireUser, sessionMiddleware, signIn, signOut, type HostEnv, type SessionOptions } from "./session.js";

/** Where the referral routes live in this service. */
export const MOUNT = "/partner-center";

/** One lead of the host's own lead system. */
export interface Lead {
  company: string;
  domain: string;
}

export interface HostAppOptions {
  engine: SyncEngine;
  store: Store;
  scheduler?: Scheduler;
  session: SessionOptions;
  /** The host's own leads (its CRM); shown at /leads with a referral badge each. */
  leads: () => Promise<readonly Lead[]>;
}

/** A relative path of this site only, so `?next=` cannot send a user elsewhere. */
function localPath(next: string | undefined): string {
  return next !== undefined && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function createHostApp(options: HostAppOptions): Hono<HostEnv> {
  const app = new Hono<HostEnv>();
  app.use("*", sessionMiddleware(options.session));

  app.get("/login", (c) =>
    c.html(html`<!doctype html>
      <title>Sign in</title>
      <form method="post" action="/login">
        <input type="hidden" name="next" value="${localPath(c.req.query("next"))}" />
        <label>User <input name="user" autocomplete="username" /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" /></label>
        <button>Sign in</button>
      </form>`),
  );
  app.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const ok = await signIn(c, options.session, String(form.user ?? ""), String(form.password ?? ""));
    if (!ok) return c.html(html`<!doctype html><p>Wrong user or password. <a href="/login">Try again</a></p>`, 401);
    return c.redirect(localPath(typeof form.next === "string" ? form.next : undefined), 303);
  });
  app.post("/logout", (c) => {
    signOut(c);
    return c.redirect("/login", 303);
  });

  // The host's own pages and API, behind its own guard.
  app.use("/leads", requireUser);
  app.use("/api/*", async (c, next) => (c.get("user") === undefined ? c.json({ error: "sign in" }, 401) : next()));

  app.get("/", (c) =>
    c.html(html`<!doctype html>
      <title>Acme CRM</title>
      <h1>Acme CRM</h1>
      <p>${c.get("user") ? `Signed in as ${c.get("user")?.name}.` : "Not signed in."}</p>
      <ul>
        <li><a href="/leads">Leads</a> (with the Partner Center referral badge)</li>
        <li><a href="${MOUNT}/ui">Partner Center inbox</a></li>
      </ul>`),
  );

  app.get("/api/leads", async (c) => c.json({ items: await options.leads() }));

  app.get("/leads", async (c) => {
    const leads = await options.leads();
    // The badge element batches every domain of the page into one GET <mount>/referral-types.
    return c.html(html`<!doctype html>
      <title>Leads · Acme CRM</title>
      <script type="module" src="${MOUNT}/ui/badge.js"></script>
      <h1>Leads</h1>
      <table>
        <thead><tr><th>Company</th><th>Domain</th><th>Partner Center</th></tr></thead>
        <tbody>
          ${leads.map(
            (l) => html`<tr><td>${l.company}</td><td>${l.domain}</td><td><pc-referral-badge domain="${l.domain}"></pc-referral-badge></td></tr>`,
          )}
        </tbody>
      </table>`);
  });

  app.route(
    MOUNT,
    createReferralRoutes({
      engine: options.engine,
      store: options.store,
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
      ui: true,
      // The same session as the rest of the service: a signed-out browser goes to the login
      // form for the page, API clients get a 401 problem.
      authorize: (c) => {
        const user = c.get("user") as { name: string } | undefined;
        if (user !== undefined) return { actor: user.name };
        if (c.req.method === "GET" && c.req.path === `${MOUNT}/ui`) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 302);
        throw new HTTPException(401, { message: "Sign in to Acme CRM first (POST /login)." });
      },
    }),
  );
  return app;
}
