/**
 * The Partner Center webhooks API of the fake (docs/partner-center-api.md §1 "Webhooks"):
 * registration (`/webhooks/v1/registration`: GET/POST/PUT/DELETE), the event list, validation
 * events, and signed deliveries to the registered URL when a referral is created or updated —
 * with Microsoft's 10 attempts on non-2xx (backoff configurable), and a switch to drop them.
 * Signed with a self-signed certificate the fake serves at {@link FAKE_CERTIFICATE_PATH}.
 */
import { randomUUID, createSign } from "node:crypto";
import { REFERRAL_WEBHOOK_EVENTS } from "../webhooks/event.js";
import { delay, httpRequest } from "./_http.js";
import type { FakeResponse } from "./faults.js";
import { createSelfSignedCertificate, type SelfSignedCertificate } from "./self-signed-certificate.js";

/** Path of the webhooks API on the fake's server (the real one is `https://api.partnercenter.microsoft.com/webhooks/v1`). */
export const FAKE_WEBHOOKS_PATH = "/webhooks/v1";
/** Where the fake serves its signing certificate (DER), without authentication (the server writes it). */
export const FAKE_CERTIFICATE_PATH = "/webhooks/fake-certificate.cer";
/** The host and path real `ResourceUri`s of referral events use (not the referrals API). */
export const RESOURCE_URI_BASE = "https://api.partnercenter.microsoft.com/engagements/v1/referrals";

/** The events the fake's `GET /registration/events` lists. */
export const FAKE_WEBHOOK_EVENTS = ["test-created", ...REFERRAL_WEBHOOK_EVENTS] as const;

/** A webhook registration, camelCase (the fake answers in the docs' PascalCase). */
export interface FakeWebhookRegistration {
  subscriberId: string;
  webhookUrl: string;
  webhookEvents: string[];
  signatureTokenToMsSignatureHeader: boolean;
}

/** One delivery attempt. */
export interface FakeDeliveryAttempt {
  deliveryId: string;
  eventName: string;
  body: string;
  attempt: number;
  /** HTTP status, or 0 when the connection failed. */
  status: number;
  at: number;
}

/** Options of the webhooks part of `startFakePartnerCenter`. */
export interface FakeWebhooksOptions {
  /** Attempts per event, default 10 (Microsoft's number). */
  maxAttempts?: number;
  /** Wait before attempt n+1 is `retryBaseDelayMs · 2^(n-1)`; default 1 000 ms. Tests pass 0–10. */
  retryBaseDelayMs?: number;
  /** Signing certificate; default a fresh self-signed one valid for a year. */
  certificate?: SelfSignedCertificate;
}

/** The webhooks side of a running fake. */
export interface FakeWebhooks {
  /** Current registration, or null. */
  readonly registration: FakeWebhookRegistration | null;
  /** Sets (or clears) the registration directly, e.g. as Microsoft's CRM connector left it. */
  setRegistration(registration: Omit<FakeWebhookRegistration, "subscriberId" | "signatureTokenToMsSignatureHeader"> & Partial<FakeWebhookRegistration> | null): void;
  /** Every attempt so far, oldest first. */
  readonly attempts: FakeDeliveryAttempt[];
  /** While true, events are recorded as dropped and never sent (a delivery Microsoft lost). */
  dropDeliveries: boolean;
  /** How many events were dropped. */
  readonly dropped: number;
  /** The certificate deliveries are signed with; replace to rotate or expire it. */
  certificate: SelfSignedCertificate;
  /** The certificate's URL (`<fake>/webhooks/fake-certificate.cer`). */
  readonly certificateUrl: string;
  /** Resolves when no delivery is in flight or waiting for a retry. */
  idle(): Promise<void>;
}

/** What the fake's server hands the webhooks part. */
export interface FakeWebhooksHost {
  origin(): string;
  /** True when the bearer token is the fake Entra ID's, for the webhooks API audience. */
  authorized(authorization: string | undefined): boolean;
  now(): number;
}

const errorBody = (code: string, message: string) => ({ code, description: message });

function field(record: Record<string, unknown>, camel: string): unknown {
  return record[camel] ?? record[camel.charAt(0).toUpperCase() + camel.slice(1)];
}

function toWire(r: FakeWebhookRegistration): Record<string, unknown> {
  return {
    SubscriberId: r.subscriberId,
    WebhookUrl: r.webhookUrl,
    WebhookEvents: r.webhookEvents,
    SignatureTokenToMsSignatureHeader: r.signatureTokenToMsSignatureHeader,
  };
}

interface ValidationEvent {
  correlationId: string;
  status: "pending" | "completed" | "failed";
  callbackUrl: string;
  results: { responseCode: string; responseMessage: string; systemError: boolean; dateTimeUtc: string }[];
}

/** The webhooks part of the fake; `startFakePartnerCenter` mounts it. */
export function createFakeWebhooks(host: FakeWebhooksHost, options: FakeWebhooksOptions = {}) {
  const maxAttempts = options.maxAttempts ?? 10;
  const baseDelay = options.retryBaseDelayMs ?? 1000;
  let registration: FakeWebhookRegistration | null = null;
  const attempts: FakeDeliveryAttempt[] = [];
  const validations = new Map<string, ValidationEvent>();
  const validationTimes: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let dropped = 0;
  let closed = false;

  const state: FakeWebhooks = {
    get registration() {
      return registration === null ? null : { ...registration, webhookEvents: [...registration.webhookEvents] };
    },
    setRegistration(next) {
      registration =
        next === null
          ? null
          : {
              subscriberId: next.subscriberId ?? randomUUID(),
              webhookUrl: next.webhookUrl,
              webhookEvents: [...next.webhookEvents],
              signatureTokenToMsSignatureHeader: next.signatureTokenToMsSignatureHeader ?? false,
            };
    },
    attempts,
    dropDeliveries: false,
    get dropped() {
      return dropped;
    },
    certificate: options.certificate ?? createSelfSignedCertificate(),
    get certificateUrl() {
      return `${host.origin()}${FAKE_CERTIFICATE_PATH}`;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };

  const statusName = (status: number) => (status === 0 ? "ConnectionFailed" : status >= 200 && status < 300 ? "OK" : `Status${status}`);

  /** Sends one event with retries; `onAttempt` sees each result (validation events record them). */
  function deliver(eventName: string, body: string, onAttempt?: (attempt: FakeDeliveryAttempt) => void): void {
    const target = registration;
    if (closed || target === null || !target.webhookEvents.some((e) => e.toLowerCase() === eventName)) return;
    if (state.dropDeliveries) {
      dropped += 1;
      return;
    }
    const deliveryId = randomUUID();
    const run = (async () => {
      for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
        if (attempt > 1) await delay(baseDelay * 2 ** (attempt - 2));
        if (closed) return;
        const signature = createSign("sha256").update(body, "utf8").sign(state.certificate.privateKey).toString("base64");
        const headers: Record<string, string> = {
          "content-type": "application/json",
          "x-ms-certificate-url": state.certificateUrl,
          "x-ms-signature-algorithm": "rsa-sha256",
          "content-length": String(Buffer.byteLength(body)),
        };
        if (target.signatureTokenToMsSignatureHeader) headers["x-ms-signature"] = signature;
        else headers.authorization = `Signature ${signature}`;
        let status = 0;
        try {
          status = (await httpRequest(target.webhookUrl, { method: "POST", headers, body })).status;
        } catch {
          status = 0;
        }
        const record: FakeDeliveryAttempt = { deliveryId, eventName, body, attempt, status, at: host.now() };
        attempts.push(record);
        onAttempt?.(record);
        if (status >= 200 && status < 300) return;
      }
    })();
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  }

  /** Announces a referral change, as Partner Center would (PascalCase body, like the docs' samples). */
  function referralChanged(eventName: "referral-created" | "referral-updated", referral: unknown): void {
    const r = referral as { id?: unknown; updatedDateTime?: unknown };
    if (typeof r.id !== "string") return;
    const body = JSON.stringify({
      EventName: eventName,
      ResourceUri: `${RESOURCE_URI_BASE}/${encodeURIComponent(r.id)}`,
      ResourceName: "referral",
      AuditUri: null,
      ResourceChangeUtcDate: typeof r.updatedDateTime === "string" ? r.updatedDateTime : new Date(host.now()).toISOString(),
    });
    deliver(eventName, body);
  }

  function readRegistration(body: string, existing: FakeWebhookRegistration | null): FakeWebhookRegistration | FakeResponse {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return { status: 400, headers: {}, body: errorBody("InvalidRequest", "The body is not valid JSON.") };
    }
    if (typeof value !== "object" || value === null) return { status: 400, headers: {}, body: errorBody("InvalidRequest", "Expected a registration object.") };
    const record = value as Record<string, unknown>;
    const url = field(record, "webhookUrl");
    const events = field(record, "webhookEvents");
    if (typeof url !== "string" || !/^https?:\/\//i.test(url)) return { status: 400, headers: {}, body: errorBody("InvalidRequest", "WebhookUrl must be an absolute URL.") };
    if (!Array.isArray(events) || events.length === 0 || !events.every((e) => typeof e === "string")) {
      return { status: 400, headers: {}, body: errorBody("InvalidRequest", "WebhookEvents must be a non-empty list of event names.") };
    }
    const unknown = (events as string[]).filter((e) => !(FAKE_WEBHOOK_EVENTS as readonly string[]).includes(e.toLowerCase()));
    if (unknown.length > 0) return { status: 400, headers: {}, body: errorBody("InvalidEvent", `Unsupported events: ${unknown.join(", ")}.`) };
    const header = field(record, "signatureTokenToMsSignatureHeader");
    return {
      subscriberId: existing?.subscriberId ?? randomUUID(),
      webhookUrl: url,
      webhookEvents: (events as string[]).map((e) => e.toLowerCase()),
      signatureTokenToMsSignatureHeader: header === true,
    };
  }

  function postValidationEvent(): FakeResponse {
    if (registration === null || !registration.webhookEvents.includes("test-created")) {
      return { status: 400, headers: {}, body: errorBody("NotRegistered", "Register for the test-created event before requesting a validation event.") };
    }
    const at = host.now();
    while (validationTimes.length > 0 && (validationTimes[0] ?? 0) <= at - 60_000) validationTimes.shift();
    // The documented throttle: 2 validation events a minute.
    if (validationTimes.length >= 2) return { status: 429, headers: { "retry-after": "60" }, body: errorBody("TooManyRequests", "At most 2 validation events a minute.") };
    validationTimes.push(at);
    const correlationId = randomUUID();
    const event: ValidationEvent = { correlationId, status: "pending", callbackUrl: registration.webhookUrl, results: [] };
    validations.set(correlationId, event);
    const body = JSON.stringify({
      EventName: "test-created",
      ResourceUri: `${host.origin()}${FAKE_WEBHOOKS_PATH}/registration/validationEvents/${correlationId}`,
      ResourceName: "test",
      AuditUri: null,
      ResourceChangeUtcDate: new Date(at).toISOString(),
    });
    let attemptsMade = 0;
    deliver("test-created", body, (attempt) => {
      attemptsMade += 1;
      const ok = attempt.status >= 200 && attempt.status < 300;
      event.results.push({ responseCode: statusName(attempt.status), responseMessage: "", systemError: attempt.status === 0, dateTimeUtc: new Date(attempt.at).toISOString() });
      if (ok) event.status = "completed";
      else if (attemptsMade >= maxAttempts) event.status = "failed";
    });
    if (state.dropDeliveries) event.status = "failed";
    return { status: 200, headers: {}, body: { correlationId } };
  }

  /** Answers a request under `/webhooks/`, or null when the path is not the webhooks API's. */
  function handle(method: string, path: string, authorization: string | undefined, body: string): FakeResponse | null {
    if (!path.startsWith(`${FAKE_WEBHOOKS_PATH}/`)) return null;
    if (!host.authorized(authorization)) {
      return { status: 401, headers: { "www-authenticate": "Bearer" }, body: errorBody("Unauthorized", "A token for https://api.partnercenter.microsoft.com is required.") };
    }
    const rest = path.slice(FAKE_WEBHOOKS_PATH.length);
    const notAllowed: FakeResponse = { status: 405, headers: {}, body: errorBody("MethodNotAllowed", `${method} is not supported on ${path}.`) };
    if (rest === "/registration") {
      if (method === "GET") {
        return registration === null ? { status: 404, headers: {}, body: errorBody("NotFound", "No webhook registration.") } : { status: 200, headers: {}, body: toWire(registration) };
      }
      if (method === "DELETE") {
        if (registration === null) return { status: 404, headers: {}, body: errorBody("NotFound", "No webhook registration.") };
        registration = null;
        return { status: 204, headers: {} };
      }
      if (method === "POST" || method === "PUT") {
        if (method === "POST" && registration !== null) return { status: 409, headers: {}, body: errorBody("Conflict", "A registration exists; update it with PUT.") };
        if (method === "PUT" && registration === null) return { status: 404, headers: {}, body: errorBody("NotFound", "No webhook registration to update.") };
        const next = readRegistration(body, registration);
        if ("status" in next) return next;
        registration = next;
        return { status: 200, headers: {}, body: toWire(next) };
      }
      return notAllowed;
    }
    if (rest === "/registration/events") return method === "GET" ? { status: 200, headers: {}, body: [...FAKE_WEBHOOK_EVENTS] } : notAllowed;
    if (rest === "/registration/validationEvents") return method === "POST" ? postValidationEvent() : notAllowed;
    const validation = /^\/registration\/validationEvents\/([^/]+)$/.exec(rest);
    if (validation) {
      if (method !== "GET") return notAllowed;
      const event = validations.get(decodeURIComponent(validation[1] ?? ""));
      if (event === undefined) return { status: 404, headers: {}, body: errorBody("NotFound", "No such validation event.") };
      return { status: 200, headers: {}, body: { ...event, partnerId: "00000000-0000-0000-0000-000000000000", results: event.results.map((r) => ({ ...r })) } };
    }
    return { status: 404, headers: {}, body: errorBody("NotFound", `No resource at ${path}.`) };
  }

  /** Stops retries and new deliveries (the fake is stopping). */
  function close(): void {
    closed = true;
  }

  return { state, handle, referralChanged, close };
}
