// createWebhookRegistrationClient: the Partner Center webhooks API (registration, events,
// validation events) on its own host and scope (docs/partner-center-setup.md "Webhooks").
import { randomUUID } from "node:crypto";
import { request, type Dispatcher } from "undici";
import { z } from "zod";
import { durationMs, hasMethods, parseOptions } from "../_options.js";
import type { TokenProvider } from "../auth/token-provider.js";
import { AuthRequiredError, NetworkError, PartnerCenterHttpError, TimeoutError, WebhookRegistrationConflictError } from "../errors.js";
import { REFERRAL_WEBHOOK_EVENTS } from "./event.js";

/** The webhooks API's base URL (the CSP host, not the referrals API's). */
export const DEFAULT_WEBHOOKS_BASE_URL = "https://api.partnercenter.microsoft.com/webhooks/v1";
/** The delegated scope of webhooks API tokens. */
export const WEBHOOKS_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation";

/** A webhook registration as the API holds it (read from PascalCase or camelCase). */
export interface WebhookRegistration {
  subscriberId: string | null;
  webhookUrl: string;
  webhookEvents: string[];
  signatureTokenToMsSignatureHeader: boolean;
}

/** What `register` did. */
export interface WebhookRegisterResult {
  action: "created" | "updated" | "unchanged";
  registration: WebhookRegistration;
  /** The URL the registration pointed at before, when `force` replaced another one. */
  replacedUrl: string | null;
}

/** The state of a validation (test) event and every delivery attempt. */
export interface WebhookValidationEvent {
  correlationId: string;
  status: string;
  callbackUrl: string | null;
  results: { responseCode: string; responseMessage: string; systemError: boolean; dateTimeUtc: string }[];
}

/** Options of {@link createWebhookRegistrationClient}. */
export interface WebhookRegistrationClientOptions {
  /** Tokens for {@link WEBHOOKS_SCOPE}, not the referrals API's scope. */
  tokenProvider: TokenProvider;
  /** Default {@link DEFAULT_WEBHOOKS_BASE_URL}. */
  baseUrl?: string;
  /** Per-request time limit, default 30 000 ms. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

/** The webhooks API. Every method throws the client's errors (`auth_required`, `api_error`, `network_error`, `timeout`). */
export interface WebhookRegistrationClient {
  /** The registration, or null when there is none. */
  getRegistration(signal?: AbortSignal): Promise<WebhookRegistration | null>;
  /**
   * Registers `webhookUrl` for `events` (default the four referral events plus `test-created`).
   * Refuses with `WebhookRegistrationConflictError` when the registration points at another URL,
   * unless `force`.
   */
  register(input: { webhookUrl: string; events?: readonly string[]; force?: boolean; signatureTokenToMsSignatureHeader?: boolean; signal?: AbortSignal }): Promise<WebhookRegisterResult>;
  /** Deletes the registration; false when there was none. */
  unregister(signal?: AbortSignal): Promise<boolean>;
  /** The events the API supports. */
  listEvents(signal?: AbortSignal): Promise<string[]>;
  /** Asks Partner Center to post a `test-created` event; returns its correlation id (2 a minute at most). */
  sendValidationEvent(signal?: AbortSignal): Promise<string>;
  getValidationEvent(correlationId: string, signal?: AbortSignal): Promise<WebhookValidationEvent | null>;
}

/** The events `register` asks for by default. */
export const DEFAULT_WEBHOOK_EVENTS: readonly string[] = [...REFERRAL_WEBHOOK_EVENTS, "test-created"];

const optionsSchema = z.strictObject({
  tokenProvider: z.custom<TokenProvider>(hasMethods(["getAccessToken"]), "expected a TokenProvider with getAccessToken()"),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  timeoutMs: durationMs({ min: 1 }).optional(),
  dispatcher: z.custom<Dispatcher>((v) => typeof v === "object" && v !== null, "expected an undici Dispatcher").optional(),
});

function pick(record: Record<string, unknown>, camel: string): unknown {
  return record[camel] ?? record[camel.charAt(0).toUpperCase() + camel.slice(1)];
}

function toRegistration(value: unknown): WebhookRegistration {
  const record = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const url = pick(record, "webhookUrl");
  const events = pick(record, "webhookEvents");
  const subscriber = pick(record, "subscriberId");
  return {
    subscriberId: typeof subscriber === "string" ? subscriber : null,
    webhookUrl: typeof url === "string" ? url : "",
    webhookEvents: Array.isArray(events) ? events.filter((e): e is string => typeof e === "string") : [],
    signatureTokenToMsSignatureHeader: pick(record, "signatureTokenToMsSignatureHeader") === true,
  };
}

const sameUrl = (a: string, b: string) => {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
};

/** Creates the webhooks API client. Throws `ConfigError` for bad options. */
export function createWebhookRegistrationClient(options: WebhookRegistrationClientOptions): WebhookRegistrationClient {
  const o = parseOptions(optionsSchema, options, "createWebhookRegistrationClient");
  const base = (o.baseUrl ?? DEFAULT_WEBHOOKS_BASE_URL).replace(/\/+$/, "");
  const timeoutMs = o.timeoutMs ?? 30_000;
  const { tokenProvider } = options;

  async function send(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body: unknown, signal: AbortSignal | undefined, retried = false): Promise<{ status: number; json: unknown }> {
    const token = await tokenProvider.getAccessToken(signal);
    const correlationId = randomUUID();
    const url = `${base}${path}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Dispatcher.ResponseData;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json", "ms-correlationid": correlationId };
    if (body !== undefined) headers["content-type"] = "application/json";
    try {
      response = await request(url, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: combined, ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) });
    } catch (error) {
      if (timeout.aborted && !signal?.aborted) throw new TimeoutError(`The webhooks API did not answer ${method} ${path} within ${timeoutMs} ms.`, { status: 0, correlationId, cause: error });
      if (signal?.aborted) throw error;
      throw new NetworkError(`The webhooks API could not be reached (${method} ${path}).`, { cause: error });
    }
    const text = await response.body.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : (JSON.parse(text) as unknown);
    } catch {
      json = null;
    }
    if (response.statusCode === 401) {
      if (!retried && tokenProvider.invalidate) {
        tokenProvider.invalidate();
        return send(method, path, body, signal, true);
      }
      throw new AuthRequiredError(`The webhooks API refused the token (401). It needs a token for ${WEBHOOKS_SCOPE} and a CSP role (Global admin or Admin agent).`);
    }
    if (response.statusCode === 403) {
      throw new PartnerCenterHttpError("The webhooks API answered 403: the signed-in account needs a CSP role such as Global admin or Admin agent (Referrals Admin is not enough).", { status: 403, correlationId });
    }
    return { status: response.statusCode, json };
  }

  const fail = (what: string, status: number, json: unknown): never => {
    const record = (typeof json === "object" && json !== null ? json : {}) as Record<string, unknown>;
    const code = pick(record, "code");
    const description = pick(record, "description") ?? pick(record, "message");
    throw new PartnerCenterHttpError(`${what} failed with HTTP ${status}${typeof description === "string" ? `: ${description}` : ""}.`, {
      status,
      apiCode: typeof code === "string" ? code : undefined,
    });
  };

  const getRegistration = async (signal?: AbortSignal): Promise<WebhookRegistration | null> => {
    const { status, json } = await send("GET", "/registration", undefined, signal);
    if (status === 404 || (status === 200 && json === null)) return null;
    if (status !== 200) return fail("Reading the webhook registration", status, json);
    const registration = toRegistration(json);
    return registration.webhookUrl === "" ? null : registration;
  };

  return {
    getRegistration,
    async register(input) {
      const events = [...(input.events ?? DEFAULT_WEBHOOK_EVENTS)];
      const current = await getRegistration(input.signal);
      const wire = { WebhookUrl: input.webhookUrl, WebhookEvents: events, SignatureTokenToMsSignatureHeader: input.signatureTokenToMsSignatureHeader ?? false };
      if (current !== null && !sameUrl(current.webhookUrl, input.webhookUrl) && input.force !== true) {
        throw new WebhookRegistrationConflictError(current.webhookUrl);
      }
      if (current !== null && sameUrl(current.webhookUrl, input.webhookUrl) && events.length === current.webhookEvents.length && events.every((e) => current.webhookEvents.includes(e))) {
        return { action: "unchanged", registration: current, replacedUrl: null };
      }
      const method = current === null ? "POST" : "PUT";
      const { status, json } = await send(method, "/registration", wire, input.signal);
      if (status !== 200 && status !== 201) return fail("Registering the webhook", status, json);
      const registration = toRegistration(json);
      return {
        action: current === null ? "created" : "updated",
        registration: registration.webhookUrl === "" ? { subscriberId: null, webhookUrl: input.webhookUrl, webhookEvents: events, signatureTokenToMsSignatureHeader: wire.SignatureTokenToMsSignatureHeader } : registration,
        replacedUrl: current !== null && !sameUrl(current.webhookUrl, input.webhookUrl) ? current.webhookUrl : null,
      };
    },
    async unregister(signal) {
      const { status, json } = await send("DELETE", "/registration", undefined, signal);
      if (status === 404) return false;
      if (status < 200 || status >= 300) return fail("Deleting the webhook registration", status, json);
      return true;
    },
    async listEvents(signal) {
      const { status, json } = await send("GET", "/registration/events", undefined, signal);
      if (status !== 200 || !Array.isArray(json)) return fail("Listing webhook events", status, json);
      return json.filter((e): e is string => typeof e === "string");
    },
    async sendValidationEvent(signal) {
      const { status, json } = await send("POST", "/registration/validationEvents", undefined, signal);
      const id = typeof json === "object" && json !== null ? pick(json as Record<string, unknown>, "correlationId") : undefined;
      if (status !== 200 || typeof id !== "string") return fail("Requesting a validation event", status, json);
      return id;
    },
    async getValidationEvent(correlationId, signal) {
      const { status, json } = await send("GET", `/registration/validationEvents/${encodeURIComponent(correlationId)}`, undefined, signal);
      if (status === 404) return null;
      if (status !== 200 || typeof json !== "object" || json === null) return fail("Reading the validation event", status, json);
      const record = json as Record<string, unknown>;
      const results = pick(record, "results");
      const callbackUrl = pick(record, "callbackUrl");
      const state = pick(record, "status");
      return {
        correlationId,
        status: typeof state === "string" ? state : "unknown",
        callbackUrl: typeof callbackUrl === "string" ? callbackUrl : null,
        results: Array.isArray(results)
          ? results.map((r: unknown) => {
              const x = (typeof r === "object" && r !== null ? r : {}) as Record<string, unknown>;
              return {
                responseCode: String(pick(x, "responseCode") ?? ""),
                responseMessage: String(pick(x, "responseMessage") ?? ""),
                systemError: pick(x, "systemError") === true,
                dateTimeUtc: String(pick(x, "dateTimeUtc") ?? ""),
              };
            })
          : [],
      };
    },
  };
}
