/**
 * A fake Partner Center referrals API plus a fake Entra ID, served over real HTTP on
 * 127.0.0.1. It speaks the wire format of docs/partner-center-api.md, including
 * its quirks (wrong-path `@odata.nextLink`, 7-digit timestamps, `$top` ≤ 100).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { durationMs, parseOptions } from "../_options.js";
import { InvalidInputError } from "../errors.js";
import { delay, header, listenLocal, queryRecord, readBody, requestUrl, sendJson } from "./_http.js";
import { createFakeEntra } from "./fake-entra.js";
import type { FakeEntra, FakeEntraOptions, FakeEntraTokenProviderOptions } from "./fake-entra.js";
import { createReferralCollection } from "./fake-referral-collection.js";
import { createFaultPlan, faultedStatus, faultSkipsProcessing, replacementResponse, slowDown, writeWithFault } from "./faults.js";
import type { FakeResponse, FaultKind, FaultRule } from "./faults.js";
import { createFakeWebhooks, FAKE_CERTIFICATE_PATH, FAKE_WEBHOOKS_PATH } from "./fake-webhooks.js";
import type { FakeWebhooks, FakeWebhooksOptions } from "./fake-webhooks.js";

const LIST_PATH = "/v1.0/engagements/referrals";
/** The audience of webhooks API tokens: the CSP host, not the referrals API's. */
export const FAKE_WEBHOOKS_AUDIENCE = "https://api.partnercenter.microsoft.com";

/** Options of {@link startFakePartnerCenter}. */
export interface FakePartnerCenterOptions {
  /** Referrals served, in this order unless `$orderby` says otherwise. Stored as deep copies. */
  referrals?: readonly unknown[];
  /** Port on 127.0.0.1; default 0 (an ephemeral port). */
  port?: number;
  /** Delay before every API response, in ms. */
  latencyMs?: number;
  faults?: readonly FaultRule[];
  autoApproveDeviceCodes?: boolean;
  tenantId?: string;
  clientId?: string;
  /** Check bearer tokens against the fake Entra ID; default true. */
  requireAuth?: boolean;
  /** Also accept `gt`/`ge`/`lt`/`le` on `createdDateTime`/`updatedDateTime` in `$filter` (uncertain on the real API); default false → 400. */
  filterComparisons?: boolean;
  /** Clock in ms: timestamps the fake writes and token expiry. */
  now?: () => number;
  /** The webhooks API and its deliveries (retries, backoff, certificate). */
  webhooks?: FakeWebhooksOptions;
}

/** One request the fake API received (Entra ID requests are counted in `entra.stats` instead). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; `authorization` is always `Bearer [REDACTED]`. */
  headers: Record<string, string>;
  /** Status line sent (200 for `reset` and `malformed_json`); 0 while the response is pending. */
  status: number;
  fault: FaultKind | null;
  at: number;
}

/** A running fake. */
export interface FakePartnerCenter {
  /** `http://127.0.0.1:<port>`: the `baseUrl` for `createPartnerCenterClient`. */
  url: string;
  /** Spread into `createMsalTokenProvider` to log in against the fake Entra ID. */
  tokenProviderOptions: FakeEntraTokenProviderOptions;
  /** The same, with the webhooks API's scope (`https://api.partnercenter.microsoft.com/user_impersonation`). */
  webhooksTokenProviderOptions: FakeEntraTokenProviderOptions;
  /** `<url>/webhooks/v1`: the base URL of the fake's webhooks API. */
  webhooksUrl: string;
  /** Registration, deliveries, the drop switch and the signing certificate. */
  webhooks: FakeWebhooks;
  /** Adds a referral as `POST /v1.0/engagements/referrals` does (and announces it by webhook); returns it. */
  create(referral: Record<string, unknown>): unknown;
  entra: FakeEntra;
  /** Approves every pending device code (the user "entered the code"); returns how many. */
  approveDeviceCodes(): number;
  /** Live array of API requests, oldest first. */
  requests: RecordedRequest[];
  /** Replaces the referrals; skip tokens issued before stop working (400). */
  setReferrals(referrals: readonly unknown[]): void;
  /** A server-side edit: deep-merges `patch`, moves `updatedDateTime` forward, new `eTag`, announces it by webhook; returns the referral. Throws `NotFoundError`. */
  update(id: string, patch: Record<string, unknown>): unknown;
  /** Replaces the fault rules (their counters start again). */
  setFaults(faults: readonly FaultRule[]): void;
  stop(): Promise<void>;
}

const optionsSchema = z.strictObject({
  referrals: z.array(z.unknown()).optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  latencyMs: durationMs({ min: 0 }).optional(),
  faults: z.array(z.unknown()).optional(),
  autoApproveDeviceCodes: z.boolean().optional(),
  tenantId: z.string().regex(/^[\w.-]+$/).optional(),
  clientId: z.string().min(1).optional(),
  requireAuth: z.boolean().optional(),
  filterComparisons: z.boolean().optional(),
  now: z.custom<() => number>((v) => typeof v === "function", "expected a function returning epoch ms").optional(),
  webhooks: z
    .strictObject({
      maxAttempts: z.number().int().min(1).max(100).optional(),
      retryBaseDelayMs: durationMs({ min: 0 }).optional(),
      certificate: z.custom<object>((v) => typeof v === "object" && v !== null, "expected createSelfSignedCertificate()").optional(),
    })
    .optional(),
});

const errorBody = (code: string, message: string) => ({ error: { code, message, target: "referral" } });

function recordedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = name === "authorization" ? "Bearer [REDACTED]" : Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** Starts the fake on 127.0.0.1. Stop it with `stop()` (e.g. in `afterAll`). */
export async function startFakePartnerCenter(options: FakePartnerCenterOptions = {}): Promise<FakePartnerCenter> {
  parseOptions(optionsSchema, options, "startFakePartnerCenter");
  const now = options.now ?? Date.now;
  const entraOptions: FakeEntraOptions = { now };
  if (options.tenantId !== undefined) entraOptions.tenantId = options.tenantId;
  if (options.clientId !== undefined) entraOptions.clientId = options.clientId;
  if (options.autoApproveDeviceCodes !== undefined) entraOptions.autoApproveDeviceCodes = options.autoApproveDeviceCodes;
  const entra = createFakeEntra(entraOptions);
  const collection = createReferralCollection(options.referrals ?? [], now, options.filterComparisons ?? false);
  let plan = createFaultPlan(options.faults ?? []);
  const requests: RecordedRequest[] = [];
  let origin = "";
  const webhooks = createFakeWebhooks(
    {
      origin: () => origin,
      authorized(authorization) {
        if (options.requireAuth === false) return true;
        const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
        return match?.[1] !== undefined && entra.verifyAccessToken(match[1], FAKE_WEBHOOKS_AUDIENCE).ok;
      },
      now,
    },
    options.webhooks,
  );

  const authenticate = (req: IncomingMessage): FakeResponse | null => {
    if (options.requireAuth === false) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header(req, "authorization") ?? "");
    const check = match?.[1] ? entra.verifyAccessToken(match[1]) : null;
    if (check?.ok) return null;
    const why = check === null ? "no bearer token was sent" : `the token is ${check.reason === "audience" ? "for another audience" : check.reason}`;
    return {
      status: 401,
      headers: { "www-authenticate": `Bearer authorization_uri="https://login.fake.test/${entra.tenantId}/oauth2/authorize", error="invalid_token"` },
      body: errorBody("unauthenticated", `Authentication failed: ${why}.`),
    };
  };

  const listReferrals = (url: URL): FakeResponse => {
    const p = url.searchParams;
    const result = collection.list({
      filter: p.get("$filter") ?? undefined,
      orderBy: p.get("$orderby") ?? undefined,
      top: p.get("$top") ?? undefined,
      skipToken: p.get("$skiptoken") ?? undefined,
    });
    if (!result.ok) return { status: result.status, headers: {}, body: errorBody(result.code, result.message) };
    // Written as text around the cached items: the same members, in the same order, as stringifying the page object.
    const context = JSON.stringify(`${origin}/v1.0/$metadata#referrals`);
    // The documented nextLink points at a wrong path (…/v1.0/referrals); clients must keep their own URL.
    const next = result.nextSkipToken
      ? `,"@odata.nextLink":${JSON.stringify(`${origin}/v1.0/referrals?$skiptoken=${encodeURIComponent(result.nextSkipToken)}`)}`
      : "";
    return { status: 200, headers: {}, json: `{"@odata.context":${context},"@odata.count":${result.count},"value":${result.valueJson}${next}}` };
  };

  const createReferral = (body: string): FakeResponse => {
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      return { status: 400, headers: {}, body: errorBody("invalidRequest", "The body is not valid JSON.") };
    }
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return { status: 400, headers: {}, body: errorBody("invalidRequest", "Expected a referral object.") };
    }
    const result = collection.create(input as Record<string, unknown>);
    if (!result.ok) return { status: result.status, headers: {}, body: errorBody(result.code, result.message) };
    webhooks.referralChanged("referral-created", result.value);
    return { status: 201, headers: typeof result.value.eTag === "string" ? { etag: result.value.eTag } : {}, body: result.value };
  };

  const patchReferral = (req: IncomingMessage, id: string, body: string): FakeResponse => {
    const type = (header(req, "content-type") ?? "").toLowerCase();
    if (!type.startsWith("application/json") && !type.startsWith("application/json-patch+json")) {
      return { status: 415, headers: {}, body: errorBody("invalidRequest", "Content-Type must be application/json.") };
    }
    let operations: unknown;
    try {
      operations = JSON.parse(body);
    } catch {
      return { status: 400, headers: {}, body: errorBody("invalidRequest", "The body is not valid JSON.") };
    }
    const result = collection.patch(id, operations, header(req, "if-match"));
    if (!result.ok) return { status: result.status, headers: {}, body: errorBody(result.code, result.message) };
    webhooks.referralChanged("referral-updated", result.value);
    const etag = typeof result.value.eTag === "string" ? { etag: result.value.eTag } : {};
    return /return=representation/i.test(header(req, "prefer") ?? "")
      ? { status: 200, headers: etag, body: result.value }
      : { status: 204, headers: etag };
  };

  const route = (req: IncomingMessage, url: URL, body: string): FakeResponse => {
    // The webhooks API checks its own audience (the CSP host's).
    const webhookResponse = webhooks.handle(req.method ?? "GET", url.pathname, header(req, "authorization"), body);
    if (webhookResponse !== null) return webhookResponse;
    const unauthenticated = authenticate(req);
    if (unauthenticated) return unauthenticated;
    const method = req.method ?? "GET";
    const notAllowed: FakeResponse = { status: 405, headers: {}, body: errorBody("invalidRequest", `${method} is not supported on ${url.pathname}.`) };
    if (url.pathname === LIST_PATH) return method === "GET" ? listReferrals(url) : method === "POST" ? createReferral(body) : notAllowed;
    const idMatch = url.pathname.startsWith(`${LIST_PATH}/`) ? decodeURIComponent(url.pathname.slice(LIST_PATH.length + 1)) : null;
    if (idMatch === null || idMatch.includes("/")) {
      return { status: 404, headers: {}, body: errorBody("itemNotFound", `No resource at ${url.pathname}.`) };
    }
    if (method === "PATCH") return patchReferral(req, idMatch, body);
    if (method !== "GET") return notAllowed;
    const referral = collection.getJson(idMatch);
    if (referral === undefined) return { status: 404, headers: {}, body: errorBody("itemNotFound", `Referral '${idMatch}' was not found.`) };
    const eTag = collection.eTagOf(idMatch);
    return { status: 200, headers: typeof eTag === "string" ? { etag: eTag } : {}, json: referral };
  };

  const isEntraPath = (path: string): boolean => {
    const first = path.split("/")[1];
    return first === entra.tenantId || first === "common" || first === "organizations";
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const url = requestUrl(req);
    const method = req.method ?? "GET";
    if (url.pathname === FAKE_CERTIFICATE_PATH && method === "GET") {
      const der = webhooks.state.certificate.der;
      res.writeHead(200, { "content-type": "application/pkix-cert", "content-length": String(der.length) });
      res.end(der);
      return;
    }
    const rule = plan.next(method, url.pathname);
    if (isEntraPath(url.pathname)) {
      if (!rule || rule.kind === "slow") {
        await slowDown(rule);
        await entra.handle(req, res, body);
      } else if (faultSkipsProcessing(rule.kind)) {
        await writeWithFault(res, replacementResponse(rule, {}, now()), null);
      } else {
        // Cut a token-shaped body instead of issuing real tokens nobody can receive.
        const tokenShaped = { token_type: "Bearer", scope: "", expires_in: 3600, ext_expires_in: 3600, access_token: "" };
        await writeWithFault(res, { status: 200, headers: {}, body: tokenShaped }, rule);
      }
      return;
    }
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: queryRecord(url),
      headers: recordedHeaders(req),
      status: 0,
      fault: rule?.kind ?? null,
      at: now(),
    };
    requests.push(record);
    const headers: Record<string, string> = { "request-id": randomUUID() };
    for (const name of ["client-request-id", "MS-CorrelationId", "MS-RequestId"]) {
      const value = header(req, name);
      if (value !== undefined) headers[name] = value;
    }
    if (options.latencyMs) await delay(options.latencyMs);
    await slowDown(rule);
    const response =
      rule && faultSkipsProcessing(rule.kind) ? replacementResponse(rule, headers, now()) : route(req, url, body);
    response.headers = { ...headers, ...response.headers };
    record.status = faultedStatus(response, rule);
    await writeWithFault(res, response, rule);
  };

  const server = await listenLocal((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, errorBody("generalException", "The fake Partner Center failed."));
      else res.destroy();
    });
  }, options.port ?? 0);
  origin = server.url;

  const tokenProviderOptions = entra.tokenProviderOptions(server.url);
  return {
    url: server.url,
    tokenProviderOptions,
    webhooksTokenProviderOptions: { ...tokenProviderOptions, scopes: [`${FAKE_WEBHOOKS_AUDIENCE}/user_impersonation`] },
    webhooksUrl: `${server.url}${FAKE_WEBHOOKS_PATH}`,
    webhooks: webhooks.state,
    create(referral) {
      const result = collection.create(referral);
      if (!result.ok) throw new InvalidInputError(result.message);
      webhooks.referralChanged("referral-created", result.value);
      return result.value;
    },
    entra,
    approveDeviceCodes: () => entra.approveDeviceCodes(),
    requests,
    setReferrals: (referrals) => collection.setAll(referrals),
    update(id, patch) {
      const updated = collection.update(id, patch);
      webhooks.referralChanged("referral-updated", updated);
      return updated;
    },
    setFaults(faults) {
      plan = createFaultPlan(faults);
    },
    async stop() {
      webhooks.close();
      await server.close();
    },
  };
}
