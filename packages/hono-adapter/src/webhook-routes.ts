// POST /webhooks/partner-center and /webhooks/partner-center/:tenant: Partner Center's signed
// deliveries (docs/architecture.md "Webhooks"). Not behind `authorize`: Microsoft cannot
// authenticate to the host's hook, so the signature is the authorization. Both answer at once: the
// referral is read in the background, or by the tenant's worker.
import {
  isReferralWebhookEvent,
  isTenantId,
  parseWebhookEvent,
  referralIdFromResourceUri,
  silentLogger,
  type Logger,
  type PartnerCenterWebhookEvent,
  type TenantRegistry,
  type WebhookReceiver,
  type WebhookVerifier,
} from "@pc-referrals/core";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { problemResponse } from "./http-errors.js";
import { jsonContent } from "./route-kit.js";
import type { TenantJobQueued } from "./route-options.js";
import { ProblemSchema, TenantParamsSchema, TenantWebhookAcceptedSchema, WebhookAcceptedSchema } from "./schemas.js";

/** The path of the webhook route, under the mount path. */
export const WEBHOOK_PATH = "/webhooks/partner-center";
/** Largest delivery accepted (Partner Center's events are a few hundred bytes). */
export const WEBHOOK_MAX_BODY_BYTES = 64 * 1024;

/** What the webhook routes need. */
export interface WebhookRouteSettings {
  /** Serves `POST /webhooks/partner-center` (the engine's tenant); without it that route is not served. */
  receiver?: WebhookReceiver;
  verifier: WebhookVerifier;
  /** Where refusals are logged (their reason, never the body); default silent. */
  logger?: Logger;
}

/** Queues a one-referral job of a tenant (`tenants.enqueueReferral`), and says whether the tenant is hosted. */
export interface TenantWebhookTarget {
  enqueueReferral(tenant: string, referralId: string): Promise<TenantJobQueued>;
  registry?: Pick<TenantRegistry, "get">;
}

const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ProblemSchema } } });

const SIGNED_DESCRIPTION =
  "RSA-SHA256 signature in `Authorization: Signature <base64>` or `x-ms-signature`, certificate from `x-ms-certificate-url` (allowlisted hosts only).";

const refusals = {
  400: problem("`invalid_input`: the body is not a Partner Center event."),
  401: problem("`webhook_signature_invalid`: the signature is missing or wrong, or the certificate was refused (`reason`)."),
  413: problem("`payload_too_large`: more than 64 KB."),
};

const eventBody = { required: true, content: { "application/json": { schema: { type: "object" } } } } as const;

/** Adds the webhook routes to `app`; call it before the `authorize` middleware. */
export function registerWebhookRoutes(app: OpenAPIHono, settings: WebhookRouteSettings, tenants: TenantWebhookTarget | null): void {
  const { receiver } = settings;
  const logger = settings.logger ?? silentLogger;
  const limit = bodyLimit({
    maxSize: WEBHOOK_MAX_BODY_BYTES,
    onError: () => {
      logger.warn({ reason: "body_too_large" }, "webhook_rejected");
      return problemResponse("payload_too_large", `A webhook delivery may be at most ${WEBHOOK_MAX_BODY_BYTES} bytes.`);
    },
  });

  if (receiver !== undefined) {
    app.openAPIRegistry.registerPath({
      method: "post",
      path: WEBHOOK_PATH,
      tags: ["webhooks"],
      summary: "Partner Center webhook deliveries (signed; not behind authorize)",
      description: `${SIGNED_DESCRIPTION} Answers 200 at once; the referral is read from the referrals API in the background.`,
      request: { body: eventBody },
      responses: { 200: jsonContent(WebhookAcceptedSchema, "The delivery was verified and accepted (or recognised as a repeat)."), ...refusals },
    });
    app.post(WEBHOOK_PATH, limit, async (c) => {
      const verified = await verifiedEvent(c.req.raw, settings, logger);
      if (verified instanceof Response) return verified;
      const accepted = receiver.accept(verified);
      logger.info({ eventName: verified.eventName.slice(0, 100), referralId: accepted.referralId, outcome: accepted.outcome }, "webhook_received");
      return c.json(accepted, 200);
    });
  }

  if (tenants !== null) {
    app.openAPIRegistry.registerPath({
      method: "post",
      path: `${WEBHOOK_PATH}/{tenant}`,
      tags: ["webhooks"],
      summary: "One partner tenant's webhook deliveries (signed; not behind authorize)",
      description: `${SIGNED_DESCRIPTION} Queues a one-referral job for the tenant's worker and answers at once.`,
      request: { params: TenantParamsSchema, body: eventBody },
      responses: {
        200: jsonContent(TenantWebhookAcceptedSchema, "The delivery was verified and its referral queued (or it joined a waiting job)."),
        ...refusals,
        404: problem("`not_found`: no such tenant (an invalid id, or one the registry does not hold)."),
      },
    });
    app.post(`${WEBHOOK_PATH}/:tenant`, limit, async (c) => {
      const tenant = c.req.param("tenant");
      if (!isTenantId(tenant)) return problemResponse("not_found", "No such tenant.");
      const verified = await verifiedEvent(c.req.raw, settings, logger);
      if (verified instanceof Response) return verified;
      // After the signature, so unsigned requests cannot probe which tenants are hosted.
      if (tenants.registry !== undefined && (await tenants.registry.get(tenant)) === null) return problemResponse("not_found", "No such tenant.");
      const referralId = isReferralWebhookEvent(verified.eventName) ? referralIdFromResourceUri(verified.resourceUri) : null;
      if (referralId === null) {
        logger.info({ tenant, eventName: verified.eventName.slice(0, 100) }, "webhook_ignored");
        return c.json({ outcome: "ignored" as const, referralId: null, jobId: null }, 200);
      }
      const job = await tenants.enqueueReferral(tenant, referralId);
      const outcome = job.queued ? ("scheduled" as const) : ("coalesced" as const);
      logger.info({ tenant, eventName: verified.eventName.slice(0, 100), referralId, outcome }, "webhook_received");
      return c.json({ outcome, referralId, jobId: job.jobId }, 200);
    });
  }
}

/** The verified, parsed event of a delivery, or the problem response refusing it. */
async function verifiedEvent(request: Request, settings: WebhookRouteSettings, logger: Logger): Promise<PartnerCenterWebhookEvent | Response> {
  const raw = new Uint8Array(await request.arrayBuffer());
  const verified = await settings.verifier.verify(raw, request.headers);
  if (!verified.ok) {
    // The reason only: the body is unverified input and the signature is a credential.
    logger.warn({ reason: verified.reason }, "webhook_rejected");
    return problemResponse("webhook_signature_invalid", `The delivery's signature was refused (${verified.reason}).`, { reason: verified.reason });
  }
  const parsed = parseWebhookEvent(Buffer.from(raw).toString("utf8"));
  if (!parsed.ok) {
    logger.warn({ reason: parsed.reason }, "webhook_rejected");
    return problemResponse("invalid_input", "The body is not a Partner Center webhook event.");
  }
  return parsed.event;
}
