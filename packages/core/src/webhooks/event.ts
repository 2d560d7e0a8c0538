// The Partner Center webhook event body (docs/partner-center-api.md §1 "Webhooks"): PascalCase in
// Microsoft's samples, camelCase in its swagger, so both spellings are read.
import { z } from "zod";

/** The four referral events pc-referrals registers for and acts on. */
export const REFERRAL_WEBHOOK_EVENTS = ["referral-created", "referral-updated", "related-referral-created", "related-referral-updated"] as const;

/** One of {@link REFERRAL_WEBHOOK_EVENTS}. */
export type ReferralWebhookEventName = (typeof REFERRAL_WEBHOOK_EVENTS)[number];

/** The event Partner Center posts to the webhook URL, with camelCase names whatever the wire used. */
export interface PartnerCenterWebhookEvent {
  /** `{resource}-{action}`, e.g. `referral-updated` or `test-created`. */
  eventName: string;
  /** URI of the changed resource. For referrals it names another host and path than the referrals API: only its id is used. */
  resourceUri: string;
  resourceName: string | null;
  auditUri: string | null;
  /** When the resource changed, as sent (the deduplication key uses it verbatim). */
  resourceChangeUtcDate: string | null;
}

/** Why an event body was refused. */
export type WebhookEventProblem = "body_not_json" | "body_invalid";

const text = z.string().trim().min(1);
const optionalText = z.string().nullish().transform((v) => (v === undefined || v === null || v === "" ? null : v));

const eventSchema = z.object({
  eventName: text.max(200),
  resourceUri: text.max(2048),
  resourceName: optionalText,
  auditUri: optionalText,
  resourceChangeUtcDate: optionalText,
});

const FIELDS = ["EventName", "ResourceUri", "ResourceName", "AuditUri", "AuditUrl", "ResourceChangeUtcDate"] as const;

/** Parses a webhook body (a string or an already parsed value). */
export function parseWebhookEvent(body: unknown): { ok: true; event: PartnerCenterWebhookEvent } | { ok: false; reason: WebhookEventProblem } {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return { ok: false, reason: "body_not_json" };
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, reason: "body_invalid" };
  const record = value as Record<string, unknown>;
  const camel: Record<string, unknown> = {};
  for (const field of FIELDS) {
    // The docs' table says AuditUrl, their samples AuditUri; the swagger auditUri.
    const target = field === "AuditUrl" ? "auditUri" : field.charAt(0).toLowerCase() + field.slice(1);
    const pascal = record[field];
    const lower = record[target];
    if (camel[target] === undefined || camel[target] === null) camel[target] = lower ?? pascal;
  }
  const parsed = eventSchema.safeParse(camel);
  return parsed.success ? { ok: true, event: parsed.data } : { ok: false, reason: "body_invalid" };
}

/** True for the four referral events. */
export function isReferralWebhookEvent(name: string): name is ReferralWebhookEventName {
  return (REFERRAL_WEBHOOK_EVENTS as readonly string[]).includes(name.toLowerCase());
}

const REFERRAL_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$/;

/**
 * The referral id at the end of a `ResourceUri` (`…/referrals/{id}`), or null. Only the id is
 * taken: the URI points at another host than the referrals API and is never fetched.
 */
export function referralIdFromResourceUri(resourceUri: string): string | null {
  let path: string;
  try {
    path = new URL(resourceUri).pathname;
  } catch {
    path = resourceUri.split(/[?#]/)[0] ?? "";
  }
  const segments = path.split("/").filter(Boolean);
  const at = segments.map((s) => s.toLowerCase()).lastIndexOf("referrals");
  if (at === -1 || at !== segments.length - 2) return null;
  let id: string;
  try {
    id = decodeURIComponent(segments[at + 1] ?? "");
  } catch {
    return null;
  }
  return REFERRAL_ID.test(id) ? id : null;
}
