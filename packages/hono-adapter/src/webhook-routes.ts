// POST /webhooks/partner-center: Partner Center's signed deliveries (docs/architecture.md
// "Webhooks"). Not behind `authorize`: Microsoft cannot authenticate to the host's hook, so the
// signature is the authorization. Answers at once; the referral is read in the background.
import { parseWebhookEvent, silentLogger, type Logger, type WebhookReceiver, type WebhookVerifier } from "@pc-referrals/core";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { problemResponse } from "./http-errors.js";
import { jsonContent } from "./route-kit.js";
import { ProblemSchema, WebhookAcceptedSchema } from "./schemas.js";

/** The path of the webhook route, under the mount path. */
export const WEBHOOK_PATH = "/webhooks/partner-center";
/** Largest delivery accepted (Partner Center's events are a few hundred bytes). */
export const WEBHOOK_MAX_BODY_BYTES = 64 * 1024;

/** What the webhook route needs. */
export interface WebhookRouteSettings {
  receiver: WebhookReceiver;
  verifier: WebhookVerifier;
  /** Where refusals are logged (their reason, never the body); default silent. */
  logger?: Logger;
}

const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ProblemSchema } } });

/** Adds the webhook route to `app`; call it before the `authorize` middleware. */
export function registerWebhookRoutes(app: OpenAPIHono, settings: WebhookRouteSettings): void {
  const { receiver, verifier } = settings;
  const logger = settings.logger ?? silentLogger;

  app.openAPIRegistry.registerPath({
    method: "post",
    path: WEBHOOK_PATH,
    tags: ["webhooks"],
    summary: "Partner Center webhook deliveries (signed; not behind authorize)",
    description:
      "RSA-SHA256 signature in `Authorization: Signature <base64>` or `x-ms-signature`, certificate from `x-ms-certificate-url` (allowlisted hosts only). Answers 200 at once; the referral is read from the referrals API in the background.",
    request: { body: { required: true, content: { "application/json": { schema: { type: "object" } } } } },
    responses: {
      200: jsonContent(WebhookAcceptedSchema, "The delivery was verified and accepted (or recognised as a repeat)."),
      400: problem("`invalid_input`: the body is not a Partner Center event."),
      401: problem("`webhook_signature_invalid`: the signature is missing or wrong, or the certificate was refused (`reason`)."),
      413: problem("`payload_too_large`: more than 64 KB."),
    },
  });

  app.post(
    WEBHOOK_PATH,
    bodyLimit({
      maxSize: WEBHOOK_MAX_BODY_BYTES,
      onError: () => {
        logger.warn({ reason: "body_too_large" }, "webhook_rejected");
        return problemResponse("payload_too_large", `A webhook delivery may be at most ${WEBHOOK_MAX_BODY_BYTES} bytes.`);
      },
    }),
    async (c) => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      const verified = await verifier.verify(raw, c.req.raw.headers);
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
      const accepted = receiver.accept(parsed.event);
      logger.info({ eventName: parsed.event.eventName.slice(0, 100), referralId: accepted.referralId, outcome: accepted.outcome }, "webhook_received");
      return c.json(accepted, 200);
    },
  );
}
