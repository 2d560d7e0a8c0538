// Real msal-node against the fake Entra ID: device-code login, the file cache across provider
// instances, silent refresh, revocation, declined/expired codes and cancellation.
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { INetworkModule, NetworkRequestOptions } from "@azure/msal-node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFileTokenCache } from "../src/auth/file-token-cache.js";
import { createMsalTokenProvider, type DeviceCodeInfo } from "../src/auth/msal-token-provider.js";
import { createPartnerCenterClient } from "../src/client/partner-center-client.js";
import { startFakePartnerCenter, type FakePartnerCenter } from "../src/testing/fake-partner-center.js";
import { generateReferrals } from "../src/testing/generate-referrals.js";

const KEY = "a token cache key of decent length";

let fake: FakePartnerCenter;
let clockMs = Date.now();
let dir: string;

beforeAll(async () => {
  fake = await startFakePartnerCenter({ referrals: generateReferrals(5, { seed: 7 }), now: () => clockMs });
});
afterAll(() => fake.stop());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pcr-msal-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const approve = (info: DeviceCodeInfo[] = []) => (code: DeviceCodeInfo) => {
  info.push(code);
  fake.approveDeviceCodes();
};
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const counters = () => ({ ...fake.entra.stats });

function provider(cachePath: string, encryptionKey?: string) {
  const cache = createFileTokenCache(cachePath, encryptionKey ? { encryptionKey } : {});
  return createMsalTokenProvider({ ...fake.tokenProviderOptions, cache });
}

/** Moves every cached access token's expiry into the past, as a clock jump would. */
async function expireCachedAccessTokens(path: string): Promise<void> {
  const cache = JSON.parse(await readFile(path, "utf8")) as { AccessToken: Record<string, Record<string, string>> };
  const past = String(Math.floor(Date.now() / 1000) - 60);
  for (const entry of Object.values(cache.AccessToken)) {
    entry["expires_on"] = past;
    entry["extended_expires_on"] = past;
    if ("refresh_on" in entry) entry["refresh_on"] = past;
  }
  await writeFile(path, JSON.stringify(cache));
}

describe("device-code login with real msal-node", () => {
  it.each([
    ["plain", undefined],
    ["encrypted", KEY],
  ])("logs in end to end and a new provider reuses the %s 0600 cache file without calling the authority", async (_name, key) => {
    const cachePath = join(dir, "state", "token-cache.json");
    const codes: DeviceCodeInfo[] = [];
    const login = await provider(cachePath, key).loginWithDeviceCode(approve(codes));

    expect(codes).toHaveLength(1);
    expect(codes[0]?.message).toContain(codes[0]?.userCode);
    expect(login.homeAccountId).toContain(fake.entra.tenantId);
    expect(login.expiresOn?.getTime()).toBeGreaterThan(Date.now());
    expect(await modeOf(cachePath)).toBe(0o600);
    expect(await modeOf(join(dir, "state"))).toBe(0o700);
    expect(await readdir(join(dir, "state"))).toEqual(["token-cache.json"]);
    const onDisk = JSON.parse(await readFile(cachePath, "utf8")) as Record<string, unknown>;
    if (key) expect(onDisk).toMatchObject({ alg: "aes-256-gcm" });
    else expect(Object.keys(onDisk)).toEqual(expect.arrayContaining(["Account", "AccessToken", "RefreshToken", "IdToken"]));

    const before = counters();
    const next = provider(cachePath, key);
    expect(await next.account()).toMatchObject({ homeAccountId: login.homeAccountId, tenantId: fake.entra.tenantId });
    const token = await next.getAccessToken();
    expect(fake.entra.verifyAccessToken(token)).toMatchObject({ ok: true });
    expect(counters()).toEqual(before);
  });

  it("refreshes silently after the cached access token expired, and persists the new one", async () => {
    const cachePath = join(dir, "token-cache.json");
    await provider(cachePath).loginWithDeviceCode(approve());
    await expireCachedAccessTokens(cachePath);
    const staleFile = await readFile(cachePath, "utf8");

    const before = counters();
    const next = provider(cachePath);
    const token = await next.getAccessToken();
    expect(fake.entra.verifyAccessToken(token)).toMatchObject({ ok: true });
    expect(fake.entra.stats.refreshGrants).toBe(before.refreshGrants + 1);
    expect(await readFile(cachePath, "utf8")).not.toBe(staleFile);
    expect(await modeOf(cachePath)).toBe(0o600);

    // The refreshed token is now cached: a third provider needs no network.
    const after = counters();
    expect(await provider(cachePath).getAccessToken()).toBe(token);
    expect(counters()).toEqual(after);
  });

  it("recovers from a 401 through invalidate(): the client refreshes the token once and carries on", async () => {
    const cachePath = join(dir, "token-cache.json");
    const tokens = provider(cachePath);
    await tokens.loginWithDeviceCode(approve());
    const client = createPartnerCenterClient({ tokenProvider: tokens, baseUrl: fake.url });
    const firstToken = await tokens.getAccessToken();
    // The API's clock moves past the token's expiry while msal still thinks it is valid.
    clockMs += 2 * 3600_000;
    const before = counters();
    try {
      const pages = [];
      for await (const page of client.listReferrals()) pages.push(page);
      expect(pages.flatMap((p) => p.referrals)).toHaveLength(5);
    } finally {
      await client.close();
    }
    expect(fake.entra.stats.refreshGrants).toBe(before.refreshGrants + 1);
    expect(await tokens.getAccessToken()).not.toBe(firstToken);
  });

  it("throws AuthRequiredError once the refresh token is revoked, and a new login recovers", async () => {
    const cachePath = join(dir, "token-cache.json");
    await provider(cachePath).loginWithDeviceCode(approve());
    fake.entra.revokeRefreshTokens();
    await expireCachedAccessTokens(cachePath);

    const next = provider(cachePath);
    const error = await next.getAccessToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "auth_required", name: "AuthRequiredError", hint: expect.stringContaining("pc-referrals login") });
    expect((error as Error).message).toMatch(/invalid_grant/);

    await next.loginWithDeviceCode(approve());
    expect(fake.entra.verifyAccessToken(await next.getAccessToken())).toMatchObject({ ok: true });
  });

  it.each([
    ["declined", () => fake.entra.denyDeviceCodes(), /declined \(access_denied\)/, /approve/],
    ["expired", () => fake.entra.expireDeviceCodes(), /expired.*\(expired_token\)/, /before it expires/],
  ])("rejects a %s device code with AuthRequiredError and writes no cache", async (_name, settle, message, hint) => {
    const cachePath = join(dir, "token-cache.json");
    const tokens = provider(cachePath);
    const error = await tokens.loginWithDeviceCode(() => void settle()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "auth_required", message: expect.stringMatching(message), hint: expect.stringMatching(hint) });
    expect(await tokens.account()).toBeNull();
    await expect(stat(cachePath)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("cancels a pending login when the signal aborts: no further polls, nothing cached", async () => {
    const cachePath = join(dir, "token-cache.json");
    const inFlight = new Set<Promise<unknown>>();
    let posts = 0;
    const network = fake.tokenProviderOptions.networkClient;
    // Counts msal's polls so the test can wait for the last one instead of for a time.
    const counting: INetworkModule = {
      sendGetRequestAsync: (url, options) => network.sendGetRequestAsync(url, options),
      sendPostRequestAsync: <T,>(url: string, options?: NetworkRequestOptions) => {
        posts += 1;
        const request = network.sendPostRequestAsync<T>(url, options);
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request)).catch(() => undefined);
        return request;
      },
    };
    const controller = new AbortController();
    const reason = new Error("cancelled by the user");
    const tokens = createMsalTokenProvider({ ...fake.tokenProviderOptions, networkClient: counting, cache: createFileTokenCache(cachePath) });
    const login = tokens.loginWithDeviceCode(() => setTimeout(() => controller.abort(reason), 0), { signal: controller.signal });

    await expect(login).rejects.toBe(reason);
    await Promise.allSettled([...inFlight]);
    // msal notices `cancel` right after the poll it had in flight; give it that turn.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const polls = posts;
    expect(fake.approveDeviceCodes()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(posts).toBe(polls);
    expect(await tokens.account()).toBeNull();
    await expect(stat(cachePath)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses a corrupt cache file with AuthRequiredError, and a fresh login replaces it", async () => {
    const cachePath = join(dir, "token-cache.json");
    await writeFile(cachePath, "{ not json", { mode: 0o600 });
    const tokens = provider(cachePath);
    await expect(tokens.getAccessToken()).rejects.toMatchObject({ code: "auth_required", message: expect.stringMatching(/corrupt/) });
    expect(await readFile(cachePath, "utf8")).toBe("{ not json");

    await tokens.loginWithDeviceCode(approve());
    expect(fake.entra.verifyAccessToken(await provider(cachePath).getAccessToken())).toMatchObject({ ok: true });
  });

  it("refuses a cache encrypted under another key without touching it", async () => {
    const cachePath = join(dir, "token-cache.json");
    await provider(cachePath, KEY).loginWithDeviceCode(approve());
    const onDisk = await readFile(cachePath, "utf8");
    const wrongKey = provider(cachePath, "some other key, also long");
    await expect(wrongKey.getAccessToken()).rejects.toMatchObject({ code: "auth_required", message: expect.stringMatching(/decrypted/) });
    await expect(wrongKey.account()).rejects.toMatchObject({ code: "auth_required" });
    expect(await readFile(cachePath, "utf8")).toBe(onDisk);
  });
});
