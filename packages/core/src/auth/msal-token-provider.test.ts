import { createServer, type Server } from "node:http";
import type { ICachePlugin, INetworkModule } from "@azure/msal-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PcReferralsError } from "../errors.js";
import { createFakeEntra, type FakeEntra, type FakeEntraTokenProviderOptions } from "../testing/fake-entra.js";
import { createMsalTokenProvider, type DeviceCodeInfo, type MsalTokenProviderOptions } from "./msal-token-provider.js";

/** An authority that cannot be reached; records what msal tried to send. */
function offlineNetwork() {
  const calls: { method: string; url: string; body: string }[] = [];
  const networkClient: INetworkModule = {
    sendGetRequestAsync(url) {
      calls.push({ method: "GET", url, body: "" });
      return Promise.reject(new Error("connect ECONNREFUSED"));
    },
    sendPostRequestAsync(url, options) {
      calls.push({ method: "POST", url, body: options?.body ?? "" });
      return Promise.reject(new Error("connect ECONNREFUSED"));
    },
  };
  return { networkClient, calls };
}

describe("createMsalTokenProvider options", () => {
  const { networkClient } = offlineNetwork();
  it.each<[string, Partial<Record<keyof MsalTokenProviderOptions, unknown>>, string]>([
    ["a missing client id", { clientId: undefined }, "createMsalTokenProvider.clientId"],
    ["an http authority", { authority: "http://127.0.0.1:8080/tenant" }, "createMsalTokenProvider.authority"],
    ["an empty scope list", { scopes: [] }, "createMsalTokenProvider.scopes"],
    ["a scope with a space", { scopes: ["a b"] }, "createMsalTokenProvider.scopes.0"],
    ["a cache without hooks", { cache: { read() {} } }, "createMsalTokenProvider.cache"],
    ["a network client without methods", { networkClient: {} }, "createMsalTokenProvider.networkClient"],
    ["authority metadata that is not JSON", { authorityMetadata: "{issuer:" }, "createMsalTokenProvider.authorityMetadata"],
  ])("rejects %s with a ConfigError naming the option", (_name, override, path) => {
    const call = () => createMsalTokenProvider({ clientId: "client", networkClient, ...override } as MsalTokenProviderOptions);
    expect(call).toThrow(expect.objectContaining({ code: "config_invalid", issues: [expect.objectContaining({ path })] }));
  });

  it.each([
    [undefined, "https://login.microsoftonline.com/organizations/"],
    ["contoso.onmicrosoft.com", "https://login.microsoftonline.com/contoso.onmicrosoft.com/"],
  ])("builds the authority from tenant %s and asks for the Partner Center scope; an unreachable authority is a NetworkError", async (tenantId, prefix) => {
    const { networkClient, calls } = offlineNetwork();
    const provider = createMsalTokenProvider({ clientId: "client", tenantId, networkClient });
    const error = await provider.loginWithDeviceCode(() => {}).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "network_error")).toBe(true);
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call.url.startsWith(prefix)).toBe(true);
    const deviceCodeCall = calls.find((c) => c.url.endsWith("/devicecode"));
    expect(new URLSearchParams(deviceCodeCall?.body).get("scope")?.split(" ")).toContain("https://api.partner.microsoft.com/.default");
  });
});

describe("createMsalTokenProvider against the fake Entra ID", () => {
  let server: Server;
  let entra: FakeEntra;
  let options: FakeEntraTokenProviderOptions;

  beforeAll(async () => {
    entra = createFakeEntra();
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        void entra.handle(req, res, body).then((handled) => {
          if (!handled) res.writeHead(404).end();
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    options = entra.tokenProviderOptions(`http://127.0.0.1:${address.port}`);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const approveOnCode = (seen: DeviceCodeInfo[]) => (info: DeviceCodeInfo) => {
    seen.push(info);
    queueMicrotask(() => entra.approveDeviceCodes());
  };

  it("is not signed in before a login, without calling the authority", async () => {
    const provider = createMsalTokenProvider(options);
    const before = entra.stats.tokenRequests;
    await expect(provider.getAccessToken()).rejects.toMatchObject({ code: "auth_required", hint: expect.stringContaining("login") });
    expect(await provider.account()).toBeNull();
    expect(entra.stats.tokenRequests).toBe(before);
  });

  it("logs in with a device code, serves the cached token, and refreshes once after invalidate()", async () => {
    const provider = createMsalTokenProvider(options);
    const seen: DeviceCodeInfo[] = [];
    const issuedAfter = Date.now();
    const result = await provider.loginWithDeviceCode(approveOnCode(seen));

    expect(seen).toHaveLength(1);
    const [info] = seen;
    expect(info?.verificationUri).toBe("https://login.fake.test/devicelogin");
    expect(info?.message).toContain(info?.userCode);
    expect(info?.expiresAt.getTime()).toBeGreaterThanOrEqual(issuedAfter + 900_000);
    expect(result).toMatchObject({ homeAccountId: expect.stringContaining(entra.tenantId), username: expect.any(String) });
    expect(await provider.account()).toEqual({ username: result.username, homeAccountId: result.homeAccountId, tenantId: entra.tenantId });

    const refreshes = entra.stats.refreshGrants;
    const first = await provider.getAccessToken();
    expect(entra.verifyAccessToken(first)).toMatchObject({ ok: true });
    expect(await provider.getAccessToken()).toBe(first);
    expect(entra.stats.refreshGrants).toBe(refreshes);

    provider.invalidate();
    const second = await provider.getAccessToken();
    expect(second).not.toBe(first);
    expect(entra.stats.refreshGrants).toBe(refreshes + 1);
    expect(await provider.getAccessToken()).toBe(second);
    expect(entra.stats.refreshGrants).toBe(refreshes + 1);
  });

  it("item 5: serves the access token from memory until msal would renew it, so a sync's many requests read the token cache once", async () => {
    let stored = "";
    let reads = 0;
    const cache: ICachePlugin = {
      beforeCacheAccess: async (context) => {
        reads += 1;
        if (stored) context.tokenCache.deserialize(stored);
      },
      afterCacheAccess: async (context) => {
        if (context.cacheHasChanged) stored = context.tokenCache.serialize();
      },
    };
    await createMsalTokenProvider({ ...options, cache }).loginWithDeviceCode(approveOnCode([]));
    // A new process (the CLI's next command) with the cache the login left.
    const provider = createMsalTokenProvider({ ...options, cache });
    reads = 0;
    const tokens: string[] = [];
    for (let request = 0; request < 20; request++) tokens.push(await provider.getAccessToken());
    expect(new Set(tokens).size).toBe(1);
    expect(entra.verifyAccessToken(tokens[0] as string)).toMatchObject({ ok: true });
    // The first call looks the account up and reads the token (msal reads the cache for each); the other 19 read nothing.
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(2);

    // invalidate() still redeems the refresh token once, and the new token is held in turn.
    provider.invalidate();
    const renewed = await provider.getAccessToken();
    expect(renewed).not.toBe(tokens[0]);
    expect(await provider.getAccessToken()).toBe(renewed);
    await provider.logout();
    await expect(provider.getAccessToken()).rejects.toMatchObject({ code: "auth_required" });
  });

  it("forgets the account on logout", async () => {
    const provider = createMsalTokenProvider(options);
    await provider.loginWithDeviceCode(approveOnCode([]));
    await provider.logout();
    expect(await provider.account()).toBeNull();
    await expect(provider.getAccessToken()).rejects.toMatchObject({ code: "auth_required" });
  });

  it("reports an unknown client id as a ConfigError and never calls onCode", async () => {
    const provider = createMsalTokenProvider({ ...options, clientId: "00000000-0000-0000-0000-000000000000" });
    const seen: DeviceCodeInfo[] = [];
    await expect(provider.loginWithDeviceCode((info) => seen.push(info))).rejects.toMatchObject({ code: "config_invalid" });
    expect(seen).toEqual([]);
  });

  it("stops a login when its signal aborts, rejecting with the signal's reason", async () => {
    const provider = createMsalTokenProvider(options);
    const controller = new AbortController();
    const reason = new Error("user pressed Ctrl-C");
    const login = provider.loginWithDeviceCode(() => controller.abort(reason), { signal: controller.signal });
    await expect(login).rejects.toBe(reason);
    entra.approveDeviceCodes();
    expect(await provider.account()).toBeNull();
  });

  it.each([
    ["loginWithDeviceCode", (p: ReturnType<typeof createMsalTokenProvider>, signal: AbortSignal) => p.loginWithDeviceCode(() => {}, { signal })],
    ["getAccessToken", (p: ReturnType<typeof createMsalTokenProvider>, signal: AbortSignal) => p.getAccessToken(signal)],
  ])("%s rejects at once with an already aborted signal, without calling the authority", async (_name, call) => {
    const provider = createMsalTokenProvider(options);
    const requests = entra.stats.deviceCodeRequests + entra.stats.tokenRequests;
    const reason = new Error("aborted before start");
    await expect(call(provider, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(entra.stats.deviceCodeRequests + entra.stats.tokenRequests).toBe(requests);
  });

  it("rejects a missing onCode callback with a ConfigError", async () => {
    const provider = createMsalTokenProvider(options);
    await expect(provider.loginWithDeviceCode(undefined as unknown as () => void)).rejects.toMatchObject({ code: "config_invalid" });
  });
});
