// The host service as its users meet it: its own login and pages, the mounted referral routes and
// inbox page behind the same session, and the badge on its own lead list.
import {
  createMemoryStore,
  createPartnerCenterClient,
  createStaticTokenProvider,
  createSyncEngine,
  type MemoryStore,
} from "@pc-referrals/core";
import { generateReferrals, startFakePartnerCenter, type FakePartnerCenter } from "@pc-referrals/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHostApp, MOUNT, type Lead } from "../src/app.js";
import { SESSION_COOKIE } from "../src/session.js";
import { startHostService } from "../src/server.js";

let fake: FakePartnerCenter;
let store: MemoryStore;
let app: ReturnType<typeof createHostApp>;
let closeClient: () => Promise<void>;
const leads: Lead[] = [];

beforeAll(async () => {
  fake = await startFakePartnerCenter({ referrals: generateReferrals(80, { seed: 12 }) });
  store = createMemoryStore();
  const client = createPartnerCenterClient({ baseUrl: fake.url, tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()) });
  closeClient = () => client.close();
  const engine = createSyncEngine({ client, store, enabled: true });
  app = createHostApp({
    engine,
    store,
    session: { secret: "test-secret-of-the-host-session", users: new Map([["ana", "correct horse"]]) },
    leads: async () => leads,
  });
});

afterAll(async () => {
  await closeClient();
  await fake.stop();
});

async function signIn(password = "correct horse"): Promise<Response> {
  return app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" },
    body: new URLSearchParams({ user: "ana", password, next: "/leads" }).toString(),
  });
}

async function sessionCookie(): Promise<string> {
  const res = await signIn();
  const cookie = res.headers.get("set-cookie") ?? "";
  expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
  return cookie.split(";")[0] ?? "";
}

describe("examples/hono-app", () => {
  it("signed out: its own pages go to the login form, the referral API answers 401 unauthorized, the inbox page redirects", async () => {
    expect((await app.request("/leads")).headers.get("location")).toBe("/login?next=%2Fleads");
    expect((await app.request("/api/leads")).status).toBe(401);
    const api = await app.request(`${MOUNT}/inbox`);
    expect(api.status).toBe(401);
    expect(((await api.json()) as { code: string }).code).toBe("unauthorized");
    const page = await app.request(`${MOUNT}/ui`);
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe(`/login?next=${encodeURIComponent(`${MOUNT}/ui`)}`);
  });

  it("a wrong password sets no session; a forged cookie is not a session", async () => {
    const wrong = await signIn("nope");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    const forged = await app.request(`${MOUNT}/inbox`, { headers: { cookie: `${SESSION_COOKIE}=ana` } });
    expect(forged.status).toBe(401);
  });

  it("signed in: the session cookie is HttpOnly and opens the mounted routes (sync, inbox) and the inbox page", async () => {
    const res = await signIn();
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/leads");
    expect(res.headers.get("set-cookie")).toMatch(/HttpOnly/i);
    const cookie = await sessionCookie();

    const sync = await app.request(`${MOUNT}/sync?wait=true`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: "{}",
    });
    expect(sync.status).toBe(200);
    const report = (await sync.json()) as { status: string; counts: { ingested: number } };
    expect(report.status).toBe("succeeded");

    const inbox = await app.request(`${MOUNT}/inbox?pageSize=5`, { headers: { cookie } });
    expect(inbox.status).toBe(200);
    expect(((await inbox.json()) as { total: number }).total).toBe(report.counts.ingested);

    const page = await app.request(`${MOUNT}/ui`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
  });

  it("its own lead list carries a badge per lead, and the badge's request answers the types of referred leads only", async () => {
    const cookie = await sessionCookie();
    const { items } = await store.listReferralDomains({ pageSize: 2 });
    expect(items.length).toBe(2);
    leads.splice(0, leads.length, ...items.map((r) => ({ company: r.domain, domain: r.domain })), { company: "Own", domain: "own-lead.example" });

    const html = await (await app.request("/leads", { headers: { cookie } })).text();
    expect(html).toContain(`<script type="module" src="${MOUNT}/ui/badge.js"></script>`);
    for (const lead of leads) expect(html).toContain(`<pc-referral-badge domain="${lead.domain}"></pc-referral-badge>`);

    const script = await app.request(`${MOUNT}/ui/badge.js`, { headers: { cookie } });
    expect(script.status).toBe(200);
    expect(await script.text()).toContain("pc-referral-badge");

    const query = leads.map((l) => `domain=${encodeURIComponent(l.domain)}`).join("&");
    const types = (await (await app.request(`${MOUNT}/referral-types?${query}`, { headers: { cookie } })).json()) as Record<string, string[]>;
    expect(Object.keys(types).sort()).toEqual(items.map((r) => r.domain).sort());
    for (const row of items) expect(types[row.domain]).toEqual(row.referralTypes);
  });

  it("its own JSON API still answers with the session", async () => {
    const cookie = await sessionCookie();
    const res = await app.request("/api/leads", { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: Lead[] }).items).toEqual(leads);
  });

  it("pnpm start's service serves over real HTTP: login, then the lead list with badges and a synced inbox", async () => {
    const service = await startHostService({ port: 0, password: "pw-for-the-test" });
    try {
      const login = await fetch(`${service.url}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ user: service.user, password: "pw-for-the-test", next: "/leads" }),
      });
      expect(login.status).toBe(303);
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      // The scheduler's first run started with the service; ask for a run and wait for it.
      const sync = await fetch(`${service.url}${MOUNT}/sync?wait=true`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", origin: service.url },
        body: "{}",
      });
      expect([200, 409]).toContain(sync.status);
      await expect.poll(async () => ((await (await fetch(`${service.url}${MOUNT}/inbox`, { headers: { cookie } })).json()) as { total: number }).total).toBeGreaterThan(0);
      const html = await (await fetch(`${service.url}/leads`, { headers: { cookie } })).text();
      expect(html.match(/<pc-referral-badge /g)?.length).toBe(7);
    } finally {
      await service.stop();
    }
  });
});
