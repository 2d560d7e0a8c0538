// The host's own auth, as an existing service already has it: a login form, a signed HttpOnly
// session cookie, and a middleware that puts the signed-in user on the context. The referral
// routes reuse it through `authorize`, so there is one sign-in for the whole service.
import { timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";

export const SESSION_COOKIE = "host_session";

export interface User {
  name: string;
}

/** Context variables of the host app. */
export interface HostEnv {
  Variables: { user: User | undefined };
}

export interface SessionOptions {
  /** Signs the session cookie. */
  secret: string;
  /** user name → password. */
  users: ReadonlyMap<string, string>;
}

function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads the session cookie on every request; never rejects (the routes decide). */
export function sessionMiddleware(options: SessionOptions): MiddlewareHandler<HostEnv> {
  return async (c, next) => {
    const name = await getSignedCookie(c, options.secret, SESSION_COOKIE);
    c.set("user", typeof name === "string" && options.users.has(name) ? { name } : undefined);
    await next();
  };
}

/** The host's guard for its own pages: to the login form when signed out. */
export const requireUser: MiddlewareHandler<HostEnv> = async (c, next) => {
  if (c.get("user") === undefined) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 302);
  await next();
};

/** Checks the form; on success sets the cookie and returns true. */
export async function signIn(c: Context<HostEnv>, options: SessionOptions, name: string, password: string): Promise<boolean> {
  const expected = options.users.get(name);
  if (expected === undefined || !samePassword(password, expected)) return false;
  await setSignedCookie(c, SESSION_COOKIE, name, options.secret, { httpOnly: true, sameSite: "Lax", path: "/" });
  return true;
}

export function signOut(c: Context<HostEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}
