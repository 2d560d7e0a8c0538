// Everything the token provider, the file cache and the client log or throw during a realistic
// run (login, listing, retries, a 401 refresh, revocation, a declined login) must be free of
// the tokens and device codes the fake Entra ID issued and of the referrals' contact e-mails.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { INetworkModule, NetworkResponse } from "@azure/msal-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileTokenCache } from "../src/auth/file-token-cache.js";
import { createMsalTokenProvider, type DeviceCodeInfo } from "../src/auth/msal-token-provider.js";
import { createPartnerCenterClient } from "../src/client/partner-center-client.js";
import type { Logger } from "../src/logger.js";
import { startFakePartnerCenter, type FakePartnerCenter } from "../src/testing/fake-partner-center.js";
import { generateReferrals } from "../src/testing/generate-referrals.js";

const SECRET_FIELDS = ["access_token", "refresh_token", "id_token", "device_code", "user_code"] as const;

let fake: FakePartnerCenter;
let dir: string;
let clockMs = Date.now();
const referrals = generateReferrals(50, { seed: 1 });

beforeAll(async () => {
  fake = await startFakePartnerCenter({ referrals, now: () => clockMs });
  dir = await mkdtemp(join(tmpdir(), "pcr-leak-"));
});
afterAll(async () => {
  await fake.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Every value of an `email` key anywhere in the referrals. */
function contactEmails(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) contactEmails(item, found);
  else if (typeof value === "object" && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key.toLowerCase().includes("email") && typeof inner === "string") found.add(inner);
      else contactEmails(inner, found);
    }
  }
  return found;
}

/** Wraps the fake's network client to collect every secret the authority hands out. */
function recordingNetwork(inner: INetworkModule, issued: Set<string>): INetworkModule {
  const collect = <T>(response: NetworkResponse<T>): NetworkResponse<T> => {
    const body = response.body as Record<string, unknown> | undefined;
    for (const field of SECRET_FIELDS) {
      const value = body?.[field];
      if (typeof value === "string" && value) issued.add(value);
    }
    return response;
  };
  return {
    sendGetRequestAsync: async (url, options) => collect(await inner.sendGetRequestAsync(url, options)),
    sendPostRequestAsync: async (url, options) => collect(await inner.sendPostRequestAsync(url, options)),
  };
}

function capturingLogger(sink: unknown[]): Logger {
  const at = (level: string) => (obj: object, msg?: string) => void sink.push({ level, obj, msg });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** An error as anything downstream might render it: JSON, message, hint, stack, causes. */
function renderError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error) || depth > 5) return String(error);
  return {
    json: JSON.stringify(error),
    string: String(error),
    message: error.message,
    stack: error.stack,
    fields: Object.fromEntries(Object.entries(error)),
    cause: renderError(error.cause, depth + 1),
  };
}

describe("secrets and contact data never reach logs or errors", () => {
  it("holds for a login, a full listing with retries, a 401 refresh, a revocation and a declined login", async () => {
    const logged: unknown[] = [];
    const thrown: unknown[] = [];
    const issued = new Set<string>();
    const logger = capturingLogger(logged);
    const network = recordingNetwork(fake.tokenProviderOptions.networkClient, issued);
    const cache = createFileTokenCache(join(dir, "token-cache.json"), { encryptionKey: "leak test key, long enough", logger });
    const tokens = createMsalTokenProvider({ ...fake.tokenProviderOptions, networkClient: network, cache, logger });
    const client = createPartnerCenterClient({ tokenProvider: tokens, baseUrl: fake.url, logger, sleep: async () => {}, random: () => 0.5 });
    const shown: DeviceCodeInfo[] = [];

    const account = await tokens.loginWithDeviceCode((info) => {
      shown.push(info);
      fake.approveDeviceCodes();
    });

    fake.setFaults([
      { kind: "rate_limit", onRequest: 2 },
      { kind: "server_error", onRequest: 4 },
    ]);
    let listed = 0;
    for await (const page of client.listReferrals({ top: 10 })) listed += page.referrals.length;
    expect(listed).toBe(50);
    fake.setFaults([]);

    // The API's clock passes the token's expiry: 401, invalidate(), refresh, retry.
    clockMs += 2 * 3600_000;
    for await (const page of client.listReferrals({ top: 50 })) listed += page.referrals.length;
    expect(listed).toBe(100);

    // Revoked refresh token: the next 401 cannot be repaired.
    clockMs += 2 * 3600_000;
    fake.entra.revokeRefreshTokens();
    try {
      for await (const page of client.listReferrals({ top: 50 })) void page;
    } catch (error) {
      thrown.push(error);
    }
    await tokens.getAccessToken().catch((error: unknown) => thrown.push(error));

    const declined = createMsalTokenProvider({ ...fake.tokenProviderOptions, networkClient: network, logger });
    await declined.loginWithDeviceCode(() => void fake.entra.denyDeviceCodes()).catch((error: unknown) => thrown.push(error));
    await client.close();

    // The run did what it claims, so the checks below are not vacuous.
    expect(thrown.map((e) => (e as { code?: string }).code)).toEqual(["auth_required", "auth_required", "auth_required"]);
    expect([...issued].length).toBeGreaterThanOrEqual(8);
    expect(logged.length).toBeGreaterThan(5);
    const emails = contactEmails(referrals);
    expect(emails.size).toBeGreaterThan(40);

    const haystack = JSON.stringify({ logged, thrown: thrown.map((e) => renderError(e)) });
    const forbidden = [...issued, ...emails, ...(account.username ? [account.username] : []), ...shown.map((s) => s.userCode)];
    const leaks = forbidden.filter((secret) => haystack.includes(secret));
    // The random tail of a token is what matters; catch a truncated copy too.
    const tails = [...issued].map((secret) => secret.slice(-24)).filter((tail) => haystack.includes(tail));
    expect(leaks).toEqual([]);
    expect(tails).toEqual([]);
  });
});
