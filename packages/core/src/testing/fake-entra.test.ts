import { InteractionRequiredAuthError, PublicClientApplication } from "@azure/msal-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenLocal, readBody } from "./_http.js";
import type { LocalServer } from "./_http.js";
import { createFakeEntra } from "./fake-entra.js";
import type { FakeEntra, FakeEntraOptions } from "./fake-entra.js";

let clock = Date.UTC(2026, 0, 1);
const servers: LocalServer[] = [];

async function serve(options: FakeEntraOptions = {}): Promise<{ entra: FakeEntra; url: string }> {
  const entra = createFakeEntra({ now: () => clock, ...options });
  const server = await listenLocal((req, res) => {
    void readBody(req).then(async (body) => {
      if (!(await entra.handle(req, res, body))) res.writeHead(418).end();
    });
  });
  servers.push(server);
  return { entra, url: server.url };
}

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const SCOPE = "https://api.partner.microsoft.com/.default openid profile offline_access";

async function post(url: string, path: string, form: Record<string, string>) {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("fake Entra ID over HTTP", () => {
  let entra: FakeEntra;
  let url: string;
  beforeAll(async () => {
    ({ entra, url } = await serve());
  });

  const startDeviceCode = async () => {
    const res = await post(url, `/${entra.tenantId}/oauth2/v2.0/devicecode`, { client_id: entra.clientId, scope: SCOPE });
    expect(res.status).toBe(200);
    return res.body;
  };
  const redeem = (deviceCode: unknown) =>
    post(url, `/${entra.tenantId}/oauth2/v2.0/token`, {
      client_id: entra.clientId,
      grant_type: "device_code",
      device_code: String(deviceCode),
      scope: SCOPE,
    });

  it("serves the OpenID configuration msal-node would fetch", async () => {
    const response = await fetch(`${url}/${entra.tenantId}/v2.0/.well-known/openid-configuration`);
    const config = (await response.json()) as Record<string, string>;
    expect(config.issuer).toBe(`https://login.fake.test/${entra.tenantId}/v2.0`);
    expect(config.token_endpoint).toBe(`https://login.fake.test/${entra.tenantId}/oauth2/v2.0/token`);
    expect(JSON.parse(entra.tokenProviderOptions(url).authorityMetadata)).toEqual(config);
  });

  it("answers authorization_pending until the code is approved, then issues MSAL-cacheable tokens once", async () => {
    const code = await startDeviceCode();
    expect(code).toMatchObject({ expires_in: 900, interval: 0, verification_uri: "https://login.fake.test/devicelogin" });
    expect(String(code.message)).toContain(String(code.user_code));

    const pending = await redeem(code.device_code);
    expect(pending).toMatchObject({ status: 400, body: { error: "authorization_pending" } });

    expect(entra.approveDeviceCodes()).toBe(1);
    const ok = await redeem(code.device_code);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "https://api.partner.microsoft.com/.default" });
    const accessToken = String(ok.body.access_token);
    expect(claimsOf(accessToken)).toMatchObject({ aud: "https://api.partner.microsoft.com", tid: entra.tenantId, exp: clock / 1000 + 3600 });
    expect(entra.verifyAccessToken(accessToken)).toMatchObject({ ok: true });
    expect(claimsOf(String(ok.body.id_token))).toMatchObject({ aud: entra.clientId, tid: entra.tenantId });
    const clientInfo = JSON.parse(Buffer.from(String(ok.body.client_info), "base64url").toString("utf8")) as Record<string, unknown>;
    expect(clientInfo).toEqual({ uid: expect.any(String), utid: entra.tenantId });
    expect(typeof ok.body.refresh_token).toBe("string");

    expect(await redeem(code.device_code)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it.each([
    ["denyDeviceCodes", "access_denied"],
    ["expireDeviceCodes", "expired_token"],
  ] as const)("%s makes the pending code fail with %s", async (method, error) => {
    const code = await startDeviceCode();
    expect(entra[method]()).toBe(1);
    expect(await redeem(code.device_code)).toMatchObject({ status: 400, body: { error } });
  });

  it("expires a device code after 900 s of the injected clock", async () => {
    const code = await startDeviceCode();
    clock += 901_000;
    expect(await redeem(code.device_code)).toMatchObject({ status: 400, body: { error: "expired_token" } });
  });

  it("redeems refresh tokens until they are revoked, then fails with invalid_grant + bad_token", async () => {
    const code = await startDeviceCode();
    entra.approveDeviceCodes();
    const first = await redeem(code.device_code);
    const refresh = (token: unknown) =>
      post(url, `/${entra.tenantId}/oauth2/v2.0/token`, {
        client_id: entra.clientId,
        grant_type: "refresh_token",
        refresh_token: String(token),
        scope: SCOPE,
      });
    const before = entra.stats.refreshGrants;
    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.access_token).not.toBe(first.body.access_token);
    expect(second.body).toHaveProperty("client_info");
    expect(second.body).toHaveProperty("id_token");

    entra.revokeRefreshTokens();
    expect(await refresh(second.body.refresh_token)).toMatchObject({ status: 400, body: { error: "invalid_grant", suberror: "bad_token" } });
    expect(await refresh("made-up")).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(entra.stats.refreshGrants - before).toBe(3);
  });

  it("rejects an unknown client id and an unsupported grant", async () => {
    const wrongClient = await post(url, `/${entra.tenantId}/oauth2/v2.0/devicecode`, { client_id: "someone-else", scope: SCOPE });
    expect(wrongClient).toMatchObject({ status: 400, body: { error: "unauthorized_client", error_codes: [700016] } });
    const password = await post(url, `/${entra.tenantId}/oauth2/v2.0/token`, { client_id: entra.clientId, grant_type: "password" });
    expect(password).toMatchObject({ status: 400, body: { error: "unsupported_grant_type" } });
  });

  it("leaves paths of other tenants to the host server", async () => {
    expect((await fetch(`${url}/another-tenant/oauth2/v2.0/token`, { method: "POST" })).status).toBe(418);
  });
});

describe("verifyAccessToken", () => {
  it("tells malformed, foreign, wrong-audience and expired tokens apart", async () => {
    const { entra } = await serve();
    const other = createFakeEntra();
    expect(entra.verifyAccessToken("not-a-jwt")).toEqual({ ok: false, reason: "malformed" });
    expect(entra.verifyAccessToken("a.b.c")).toEqual({ ok: false, reason: "malformed" });
    expect(entra.verifyAccessToken(other.issueAccessToken())).toEqual({ ok: false, reason: "unknown" });
    expect(entra.verifyAccessToken(entra.issueAccessToken({ audience: "https://graph.microsoft.com" }))).toEqual({
      ok: false,
      reason: "audience",
    });
    const shortLived = entra.issueAccessToken({ expiresInSeconds: 60 });
    expect(entra.verifyAccessToken(shortLived).ok).toBe(true);
    clock += 61_000;
    expect(entra.verifyAccessToken(shortLived)).toEqual({ ok: false, reason: "expired" });
  });
});

describe("real @azure/msal-node against the fake", () => {
  it("logs in with a device code, then refreshes silently until the refresh token is revoked", async () => {
    const { entra, url } = await serve();
    const options = entra.tokenProviderOptions(url);
    const app = new PublicClientApplication({
      auth: {
        clientId: options.clientId,
        authority: options.authority,
        knownAuthorities: options.knownAuthorities,
        authorityMetadata: options.authorityMetadata,
        cloudDiscoveryMetadata: options.cloudDiscoveryMetadata,
      },
      system: { networkClient: options.networkClient },
    });
    let shownCode = "";
    const login = await app.acquireTokenByDeviceCode({
      scopes: options.scopes,
      deviceCodeCallback: (response) => {
        shownCode = response.userCode;
        entra.approveDeviceCodes();
      },
    });
    expect(shownCode).toMatch(/^[A-Z0-9]{9}$/);
    expect(login?.account?.homeAccountId).toBe(`${String(claimsOf(login?.idToken ?? "").oid)}.${entra.tenantId}`);
    expect(entra.verifyAccessToken(login?.accessToken ?? "")).toMatchObject({ ok: true });

    const [account] = await app.getTokenCache().getAllAccounts();
    if (!account) throw new Error("no cached account");
    const cached = await app.acquireTokenSilent({ account, scopes: options.scopes });
    expect(cached.fromCache).toBe(true);

    const refreshed = await app.acquireTokenSilent({ account, scopes: options.scopes, forceRefresh: true });
    expect(refreshed.fromCache).toBe(false);
    expect(entra.stats.refreshGrants).toBe(1);

    entra.revokeRefreshTokens();
    await expect(app.acquireTokenSilent({ account, scopes: options.scopes, forceRefresh: true })).rejects.toBeInstanceOf(
      InteractionRequiredAuthError,
    );
  });

  it("refuses to send msal's requests anywhere but the fake host", async () => {
    const { entra, url } = await serve();
    const { networkClient } = entra.tokenProviderOptions(url);
    await expect(networkClient.sendGetRequestAsync("https://login.microsoftonline.com/common/discovery/instance")).rejects.toThrow(
      /only serves https:\/\/login\.fake\.test/,
    );
  });
});
