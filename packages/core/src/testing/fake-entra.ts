/**
 * A fake Entra ID (Azure AD v2 endpoints) that real `@azure/msal-node` logs in against:
 * OpenID discovery, the device-code endpoint, and the token endpoint with the device-code and
 * refresh-token grants. Mounted by the fake Partner Center on the same server; see README.md
 * for the msal-node configuration (`tokenProviderOptions`).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { INetworkModule, NetworkResponse } from "@azure/msal-node";
import { z } from "zod";
import { parseOptions } from "../_options.js";
import { delay, header, httpRequest, requestUrl, sendJson } from "./_http.js";
import { createTokenMinter } from "./fake-entra-tokens.js";
import type { AccessTokenCheck } from "./fake-entra-tokens.js";

/** The https host msal-node is pointed at; the network client maps it to the local server. */
export const FAKE_LOGIN_HOST = "login.fake.test";
const DEFAULT_TENANT = "8f3c2b1a-6d5e-4f70-9a8b-1c2d3e4f5a6b";
const DEFAULT_CLIENT = "2e4f6a8b-0c1d-4e2f-8a3b-5c6d7e8f9012";
const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);
const DEVICE_CODE_TTL_SECONDS = 900;
/** How long a pending token poll is held open, so msal's `interval: 0` polling does not spin. */
const PENDING_HOLD_MS = 25;

/** Options of {@link createFakeEntra}. */
export interface FakeEntraOptions {
  tenantId?: string;
  clientId?: string;
  /** Audience Partner Center accepts; default `https://api.partner.microsoft.com`. */
  audience?: string;
  /** `expires_in` of access tokens; default 3600. msal treats anything under 300 s as already expired. */
  accessTokenTtlSeconds?: number;
  /** Approve every device code as soon as it is issued. */
  autoApproveDeviceCodes?: boolean;
  /** Clock in ms (token `iat`/`exp`, device-code expiry, token checks). */
  now?: () => number;
}

const optionsSchema = z.strictObject({
  tenantId: z.string().regex(/^[\w.-]+$/, "expected a tenant id (letters, digits, '.', '-', '_')").optional(),
  clientId: z.string().min(1, "expected a client id").optional(),
  audience: z.string().min(1, "expected an audience URI").optional(),
  accessTokenTtlSeconds: z.number().int().positive().optional(),
  autoApproveDeviceCodes: z.boolean().optional(),
  now: z.custom<() => number>((v) => typeof v === "function", "expected a function returning epoch ms").optional(),
});

/** Spread into `createMsalTokenProvider` (or msal-node's `auth`/`system` config) to log in against the fake. */
export interface FakeEntraTokenProviderOptions {
  clientId: string;
  tenantId: string;
  /** `https://login.fake.test/<tenantId>`: msal-node refuses `http:` authorities. */
  authority: string;
  /** `["login.fake.test"]`: skips instance discovery. */
  knownAuthorities: string[];
  /** JSON of the OpenID configuration: skips the discovery request. */
  authorityMetadata: string;
  /** JSON of the cloud discovery metadata for `login.fake.test`. */
  cloudDiscoveryMetadata: string;
  /** `["https://api.partner.microsoft.com/.default"]` (the fake's audience). */
  scopes: string[];
  /** Sends `https://login.fake.test/...` to the local server; refuses every other host. */
  networkClient: INetworkModule;
}

/** A fake Entra ID tenant. */
export interface FakeEntra {
  readonly tenantId: string;
  readonly clientId: string;
  readonly audience: string;
  /** Handles the request if it belongs to the fake Entra ID (paths under /<tenantId>/, /common/, /organizations/); false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<boolean>;
  /** Checks a bearer token this fake issued: signature, audience (default the fake's own), expiry. */
  verifyAccessToken(token: string, audience?: string): AccessTokenCheck;
  /** An access token without any login, for tests that skip MSAL. */
  issueAccessToken(options?: { audience?: string; expiresInSeconds?: number }): string;
  /** Approves every pending device code; returns how many. */
  approveDeviceCodes(): number;
  /** Pending device codes → `access_denied`; returns how many. */
  denyDeviceCodes(): number;
  /** Pending device codes → `expired_token`; returns how many. */
  expireDeviceCodes(): number;
  /** Every refresh token issued so far now fails with `invalid_grant` + suberror `bad_token` (msal: InteractionRequiredAuthError). */
  revokeRefreshTokens(): void;
  tokenProviderOptions(serverUrl: string): FakeEntraTokenProviderOptions;
  readonly stats: { deviceCodeRequests: number; tokenRequests: number; refreshGrants: number };
}

type DeviceCodeState = "pending" | "approved" | "denied" | "expired" | "redeemed";
interface DeviceCode {
  userCode: string;
  clientId: string;
  scope: string;
  expiresAt: number;
  state: DeviceCodeState;
}

/** OpenID configuration of `tenant` on the fake https host. */
export function fakeOpenIdConfiguration(tenant: string): Record<string, unknown> {
  const base = `https://${FAKE_LOGIN_HOST}/${tenant}`;
  return {
    issuer: `${base}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    tenant_region_scope: "EU",
    cloud_instance_name: "fake.test",
  };
}

const CLOUD_DISCOVERY = {
  tenant_discovery_endpoint: `https://${FAKE_LOGIN_HOST}/common/v2.0/.well-known/openid-configuration`,
  "api-version": "1.1",
  metadata: [{ preferred_network: FAKE_LOGIN_HOST, preferred_cache: FAKE_LOGIN_HOST, aliases: [FAKE_LOGIN_HOST] }],
};

/** `https://api.partner.microsoft.com/.default` → `https://api.partner.microsoft.com`. */
function resourceOf(scope: string): string {
  if (!scope.includes("://")) return "https://graph.microsoft.com";
  const resource = scope.slice(0, scope.lastIndexOf("/"));
  return resource.endsWith(":/") ? scope : resource;
}

function rewritingNetworkClient(serverUrl: string): INetworkModule {
  const send = async <T>(method: string, url: string, options?: { headers?: Record<string, string>; body?: string }) => {
    const target = new URL(url);
    if (target.host !== FAKE_LOGIN_HOST) {
      throw new Error(`The fake Entra network client only serves https://${FAKE_LOGIN_HOST}, not ${target.origin}.`);
    }
    const init: { method: string; headers?: Record<string, string>; body?: string } = { method };
    if (options?.headers) init.headers = options.headers;
    if (method === "POST") init.body = options?.body ?? "";
    const response = await httpRequest(`${serverUrl}${target.pathname}${target.search}`, init);
    return { status: response.status, headers: response.headers, body: JSON.parse(response.text) as T } satisfies NetworkResponse<T>;
  };
  return {
    sendGetRequestAsync: (url, options) => send("GET", url, options),
    sendPostRequestAsync: (url, options) => send("POST", url, options),
  };
}

/** Creates a fake Entra ID tenant; mount it with `handle` on a node:http server (the fake Partner Center does). */
export function createFakeEntra(options: FakeEntraOptions = {}): FakeEntra {
  parseOptions(optionsSchema, options, "createFakeEntra");
  const tenantId = options.tenantId ?? DEFAULT_TENANT;
  const clientId = options.clientId ?? DEFAULT_CLIENT;
  const audience = options.audience ?? "https://api.partner.microsoft.com";
  const ttl = options.accessTokenTtlSeconds ?? 3600;
  const now = options.now ?? Date.now;
  const minter = createTokenMinter({ tenantId, clientId, audience, now });
  const deviceCodes = new Map<string, DeviceCode>();
  const refreshTokens = new Map<string, { clientId: string; revoked: boolean }>();
  const stats = { deviceCodeRequests: 0, tokenRequests: 0, refreshGrants: 0 };
  let wake: () => void = () => {};
  let changed = new Promise<void>((resolve) => (wake = resolve));
  const notify = () => {
    wake();
    changed = new Promise<void>((resolve) => (wake = resolve));
  };

  const oauthError = (res: ServerResponse, status: number, error: string, code: number, description: string, suberror?: string) => {
    sendJson(res, status, {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date(now()).toISOString()}`,
      error_codes: [code],
      timestamp: new Date(now()).toISOString().replace("T", " ").slice(0, 19) + "Z",
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
      ...(suberror ? { suberror } : {}),
    });
  };

  const sendTokens = (res: ServerResponse, scope: string, forClient: string) => {
    const scopes = scope.split(" ").filter(Boolean);
    const resourceScopes = scopes.filter((s) => !OIDC_SCOPES.has(s));
    const tokenAudience = resourceScopes[0] ? resourceOf(resourceScopes[0]) : audience;
    const body: Record<string, unknown> = {
      token_type: "Bearer",
      scope: resourceScopes.join(" "),
      expires_in: ttl,
      ext_expires_in: ttl,
      access_token: minter.accessToken(tokenAudience, ttl, resourceScopes.join(" ")),
      client_info: minter.clientInfo(),
    };
    if (scopes.includes("offline_access")) {
      const refreshToken = `1.fake-rt.${randomBytes(32).toString("base64url")}`;
      refreshTokens.set(refreshToken, { clientId: forClient, revoked: false });
      body.refresh_token = refreshToken;
    }
    if (scopes.includes("openid")) body.id_token = minter.idToken(FAKE_LOGIN_HOST);
    sendJson(res, 200, body, { "cache-control": "no-store" });
  };

  const deviceCodeEndpoint = (res: ServerResponse, form: URLSearchParams) => {
    stats.deviceCodeRequests += 1;
    const requestClient = form.get("client_id") ?? "";
    if (requestClient !== clientId) {
      return oauthError(res, 400, "unauthorized_client", 700016, `Application with identifier '${requestClient}' was not found in the directory.`);
    }
    const scope = form.get("scope") ?? "";
    if (!scope.trim()) return oauthError(res, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.");
    const deviceCode = `DAQABAAEAAAD.${randomBytes(24).toString("base64url")}`;
    const userCode = randomBytes(9).toString("base64").replace(/[^A-Z0-9]/gi, "X").slice(0, 9).toUpperCase();
    deviceCodes.set(deviceCode, {
      userCode,
      clientId,
      scope,
      expiresAt: now() + DEVICE_CODE_TTL_SECONDS * 1000,
      state: options.autoApproveDeviceCodes ? "approved" : "pending",
    });
    const verificationUri = `https://${FAKE_LOGIN_HOST}/devicelogin`;
    sendJson(res, 200, {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: verificationUri,
      expires_in: DEVICE_CODE_TTL_SECONDS,
      interval: 0,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    });
  };

  const deviceCodeGrant = async (res: ServerResponse, form: URLSearchParams) => {
    const entry = deviceCodes.get(form.get("device_code") ?? "");
    if (!entry || entry.state === "redeemed" || entry.clientId !== form.get("client_id")) {
      return oauthError(res, 400, "invalid_grant", 70000, "Provided grant is invalid or malformed.");
    }
    if (entry.state === "pending") await Promise.race([delay(PENDING_HOLD_MS), changed]);
    if (entry.state === "pending" && now() >= entry.expiresAt) entry.state = "expired";
    switch (entry.state) {
      case "pending":
        return oauthError(res, 400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
      case "denied":
        return oauthError(res, 400, "access_denied", 70000, "The user denied the authorization request.");
      case "expired":
        return oauthError(res, 400, "expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
      default:
        entry.state = "redeemed";
        return sendTokens(res, form.get("scope") || entry.scope, entry.clientId);
    }
  };

  const refreshGrant = (res: ServerResponse, form: URLSearchParams) => {
    stats.refreshGrants += 1;
    const entry = refreshTokens.get(form.get("refresh_token") ?? "");
    if (!entry || entry.clientId !== form.get("client_id")) {
      return oauthError(res, 400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
    }
    if (entry.revoked) {
      return oauthError(res, 400, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed.", "bad_token");
    }
    return sendTokens(res, form.get("scope") ?? "", entry.clientId);
  };

  const tokenEndpoint = async (res: ServerResponse, form: URLSearchParams) => {
    stats.tokenRequests += 1;
    const grant = form.get("grant_type");
    if (grant === "device_code" || grant === "urn:ietf:params:oauth:grant-type:device_code") return deviceCodeGrant(res, form);
    if (grant === "refresh_token") return refreshGrant(res, form);
    return oauthError(res, 400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grant ?? ""}'.`);
  };

  const settle = (from: DeviceCodeState, to: DeviceCodeState): number => {
    let count = 0;
    for (const entry of deviceCodes.values()) {
      if (entry.state === from) {
        entry.state = to;
        count += 1;
      }
    }
    if (count > 0) notify();
    return count;
  };

  return {
    tenantId,
    clientId,
    audience,
    stats,
    async handle(req, res, body) {
      const segments = requestUrl(req).pathname.split("/").filter(Boolean);
      const [tenant, ...rest] = segments;
      if (tenant !== tenantId && tenant !== "common" && tenant !== "organizations") return false;
      const route = `${req.method ?? "GET"} ${rest.join("/")}`;
      const isForm = (header(req, "content-type") ?? "").startsWith("application/x-www-form-urlencoded");
      const form = new URLSearchParams(isForm ? body : "");
      if (route === "GET v2.0/.well-known/openid-configuration") sendJson(res, 200, fakeOpenIdConfiguration(tenant));
      else if (route === "GET discovery/v2.0/keys") sendJson(res, 200, { keys: [] });
      else if (route === "GET discovery/instance") sendJson(res, 200, CLOUD_DISCOVERY);
      else if (route === "POST oauth2/v2.0/devicecode") deviceCodeEndpoint(res, form);
      else if (route === "POST oauth2/v2.0/token") await tokenEndpoint(res, form);
      else oauthError(res, 404, "invalid_request", 90019, `The fake Entra ID does not serve ${route}.`);
      return true;
    },
    verifyAccessToken: (token, audience) => minter.verify(token, audience),
    issueAccessToken(issue = {}) {
      const aud = issue.audience ?? audience;
      return minter.accessToken(aud, issue.expiresInSeconds ?? ttl, `${aud}/.default`);
    },
    approveDeviceCodes: () => settle("pending", "approved"),
    denyDeviceCodes: () => settle("pending", "denied"),
    expireDeviceCodes: () => settle("pending", "expired"),
    revokeRefreshTokens() {
      for (const entry of refreshTokens.values()) entry.revoked = true;
    },
    tokenProviderOptions(serverUrl) {
      return {
        clientId,
        tenantId,
        authority: `https://${FAKE_LOGIN_HOST}/${tenantId}`,
        knownAuthorities: [FAKE_LOGIN_HOST],
        authorityMetadata: JSON.stringify(fakeOpenIdConfiguration(tenantId)),
        cloudDiscoveryMetadata: JSON.stringify(CLOUD_DISCOVERY),
        scopes: [`${audience}/.default`],
        networkClient: rewritingNetworkClient(serverUrl.replace(/\/+$/, "")),
      };
    },
  };
}
