import { describe, expect, it } from "vitest";
import { isReferralWebhookEvent, parseWebhookEvent, referralIdFromResourceUri } from "./event.js";

describe("parseWebhookEvent", () => {
  it("reads the docs' PascalCase body", () => {
    const body = JSON.stringify({
      EventName: "referral-updated",
      ResourceUri: "https://api.partnercenter.microsoft.com/engagements/v1/referrals/6d1a7f0e-1",
      ResourceName: "referral",
      AuditUri: null,
      ResourceChangeUtcDate: "2026-12-01T10:00:00.1234567+00:00",
    });
    expect(parseWebhookEvent(body)).toEqual({
      ok: true,
      event: {
        eventName: "referral-updated",
        resourceUri: "https://api.partnercenter.microsoft.com/engagements/v1/referrals/6d1a7f0e-1",
        resourceName: "referral",
        auditUri: null,
        resourceChangeUtcDate: "2026-12-01T10:00:00.1234567+00:00",
      },
    });
  });

  it("reads the swagger's camelCase body (auditUri optional)", () => {
    const parsed = parseWebhookEvent({ eventName: "referral-created", resourceUri: "https://x.test/referrals/a", resourceName: "referral", resourceChangeUtcDate: "2026-12-01T10:00:00Z" });
    expect(parsed).toMatchObject({ ok: true, event: { eventName: "referral-created", auditUri: null } });
  });

  it.each([
    ["{", "body_not_json"],
    ["[]", "body_invalid"],
    [JSON.stringify({ EventName: "referral-created" }), "body_invalid"],
    [JSON.stringify({ EventName: "", ResourceUri: "https://x.test/referrals/a" }), "body_invalid"],
  ])("refuses %s as %s", (body, reason) => {
    expect(parseWebhookEvent(body)).toEqual({ ok: false, reason });
  });
});

describe("referralIdFromResourceUri", () => {
  it("takes only the id from Microsoft's ResourceUri (another host and path than the referrals API)", () => {
    expect(referralIdFromResourceUri("https://api.partnercenter.microsoft.com/engagements/v1/referrals/6d1a7f0e-aa")).toBe("6d1a7f0e-aa");
    expect(referralIdFromResourceUri("https://api.partner.microsoft.com/v1.0/engagements/referrals/abc?x=1")).toBe("abc");
  });

  it.each([
    "https://api.partnercenter.microsoft.com/engagements/v1/referrals",
    "https://api.partnercenter.microsoft.com/engagements/v1/referrals/a/b",
    "https://api.partnercenter.microsoft.com/webhooks/v1/registration/validationEvents/c0bf",
    "https://x.test/referrals/..%2F..%2Fetc",
    "https://x.test/referrals/%E0%A4%A",
  ])("gives null for %s", (uri) => {
    expect(referralIdFromResourceUri(uri)).toBeNull();
  });

  it("knows the four referral events", () => {
    expect(["referral-created", "referral-updated", "related-referral-created", "related-referral-updated"].every(isReferralWebhookEvent)).toBe(true);
    expect(isReferralWebhookEvent("test-created")).toBe(false);
  });
});
