import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { referenceExamples } from "../test/fixtures/reference-examples.js";
import { ConfigError, PartnerCenterHttpError } from "./errors.js";
import { maskPii } from "./_mask-pii.js";

const JWT =
  "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

describe("maskPii strings", () => {
  it.each([
    ["an e-mail", "j.krueger@alpenblick-logistik.de", "j***@alpenblick-logistik.de"],
    ["an e-mail in text", "Contact priya.nair@kestrelanalytics.com today", "Contact p***@kestrelanalytics.com today"],
    ["several e-mails", "a@x.io, bob@sub.example.co.uk", "a***@x.io, b***@sub.example.co.uk"],
    ["an international phone", "+49 40 5550101", "***01"],
    ["a US phone", "call +1 (512) 555-0142 now", "call ***42 now"],
    ["a dotted phone", "040.555.01.23", "***23"],
    ["seven digits", "5550101", "***01"],
    ["a bearer header", "Bearer abc.def-123", "Bearer [REDACTED]"],
    ["a bearer in text", "sent authorization=Bearer xyz, then failed", "sent authorization=Bearer [REDACTED], then failed"],
    ["a JWT", JWT, "[REDACTED]"],
    ["a JWT in text", `token is ${JWT}.`, "token is [REDACTED]."],
    ["a token in a query string", "https://x.test/cb?access_token=abc123&state=1", "https://x.test/cb?access_token=[REDACTED]&state=1"],
  ])("masks %s", (_name, input, expected) => {
    expect(maskPii(input)).toBe(expected);
  });

  it.each([
    ["a GUID", "3f2a9c1e-5b7d-4e21-9a0c-1d2e3f405a61"],
    ["an all-digit GUID", "12345678-1234-1234-1234-123456789012"],
    ["a GUID with a 7-digit run", "0718293a-4c5d-4e6f-a071-8293a4b5c6d7"],
    ["an ISO time", "2025-03-04T09:12:44.1234567Z"],
    ["an ISO date", "closing 2025-10-31"],
    ["a short number", "180000"],
    ["a deal name", "Alpenblick Logistik – Azure migration"],
    ["a CRM id", "CRM-OPP-10422"],
    ["a URL", "https://www.alpenblick-logistik.de/contact"],
    ["an eTag", "\"5a00ec5a-0000-0000-0000-67c6c3ac0000\""],
    ["a 20-digit number", "12345678901234567890"],
  ])("keeps %s", (_name, input) => {
    expect(maskPii(input)).toBe(input);
  });

  it("stays fast on hostile 100 KB strings", () => {
    const inputs = [
      "a".repeat(100_000),
      "1 ".repeat(50_000),
      "eyJ-".repeat(25_000),
      `${"x.".repeat(50_000)}@`,
      "Bearer ".repeat(15_000),
      `${"9".repeat(100_000)}@example.com`,
    ];
    for (const input of inputs) {
      const out = maskPii(input);
      expect(typeof out).toBe("string");
    }
    // Linear regexes: if any of these backtracked quadratically the test would time out.
  });
});

describe("maskPii objects", () => {
  it("masks a whole referral and keeps business data", () => {
    const masked = maskPii(referenceExamples.A) as typeof referenceExamples.A & Record<string, any>;
    expect(masked.customerProfile.team[0]).toEqual({
      firstName: "[masked]",
      lastName: "[masked]",
      email: "j***@alpenblick-logistik.de",
      phoneNumber: "***01",
    });
    expect(masked.team[0]).toEqual({ firstName: "[masked]", lastName: "[masked]", email: "s***@microsoft.com" });
    expect(masked.customerProfile.name).toBe("Alpenblick Logistik GmbH");
    expect(masked.id).toBe("3f2a9c1e-5b7d-4e21-9a0c-1d2e3f405a61");
    expect(masked.details.dealValue).toBe(180000);
    expect(masked.createdDateTime).toBe("2025-03-04T09:12:44.1234567Z");
    expect(masked.customerProfile.address.postalCode).toBe("20457");
  });

  it("does not mutate its input", () => {
    const input = structuredClone(referenceExamples.C);
    maskPii(input);
    expect(input).toEqual(referenceExamples.C);
  });

  it.each([
    ["camelCase", { firstName: "Jana", lastName: "Krüger", fullName: "Jana Krüger", contactName: "J", displayName: "JK" }],
    ["snake_case", { first_name: "Jana", last_name: "Krüger", full_name: "x", contact_name: "y", display_name: "z" }],
    ["other cases", { FIRSTNAME: "Jana", LastName: "Krüger", DisplayName: "JK" }],
  ])("masks contact names by key (%s)", (_name, input) => {
    for (const value of Object.values(maskPii(input))) expect(value).toBe("[masked]");
  });

  it("keeps empty names empty", () => {
    expect(maskPii({ firstName: "", lastName: null })).toEqual({ firstName: "", lastName: null });
  });

  it.each([
    ["with an email", { name: "Jana Krüger", email: "jana@x.de" }, "[masked]"],
    ["with a phone number", { name: "Jana", phoneNumber: "+49 40 5550101" }, "[masked]"],
    ["with a first name", { name: "Jana", first_name: "J" }, "[masked]"],
    ["a company", { name: "Bright Dental Clinic", size: "1to9employees" }, "Bright Dental Clinic"],
    ["an organization", { organizationId: "msft", organizationName: "Microsoft", name: "Deal" }, "Deal"],
  ])("masks `name` only beside person fields: %s", (_name, input, expected) => {
    expect((maskPii(input) as { name: string }).name).toBe(expected);
  });

  it.each([
    "authorization",
    "Authorization",
    "accessToken",
    "access_token",
    "refreshToken",
    "refresh_token",
    "idToken",
    "id_token",
    "token",
    "deviceCode",
    "device_code",
    "password",
    "secret",
    "clientSecret",
    "client_secret",
    "tokenCacheKey",
    "encryptionKey",
    "cookie",
  ])("redacts the secret key %s", (key) => {
    expect(maskPii({ [key]: "s3cr3t-value", other: 1 })).toEqual({ [key]: "[REDACTED]", other: 1 });
  });

  it("redacts secret keys whatever their value type, but keeps absent values", () => {
    expect(maskPii({ token: { nested: "x" }, password: 1234, secret: null, cookie: undefined })).toEqual({
      token: "[REDACTED]",
      password: "[REDACTED]",
      secret: null,
      cookie: undefined,
    });
  });

  it("keeps keys that merely contain a secret word", () => {
    expect(maskPii({ tokenCachePath: "./cache.json", tokenType: "Bearer", expiresOn: 1 })).toEqual({
      tokenCachePath: "./cache.json",
      tokenType: "Bearer",
      expiresOn: 1,
    });
  });

  it("masks e-mail addresses used as keys", () => {
    expect(maskPii({ "jana@alpenblick-logistik.de": 2 })).toEqual({ "j***@alpenblick-logistik.de": 2 });
  });

  it("marks cycles and keeps shared references", () => {
    const shared = { email: "a@b.de" };
    const root: Record<string, unknown> = { left: shared, right: shared, list: [] as unknown[] };
    root.self = root;
    (root.list as unknown[]).push(root);
    expect(maskPii(root)).toEqual({
      left: { email: "a***@b.de" },
      right: { email: "a***@b.de" },
      list: ["[Circular]"],
      self: "[Circular]",
    });
  });

  it("caps depth", () => {
    let deep: Record<string, unknown> = { email: "deep@x.de" };
    for (let i = 0; i < 50; i += 1) deep = { child: deep };
    expect(JSON.stringify(maskPii(deep))).toContain("[Truncated]");
    expect(JSON.stringify(maskPii(deep))).not.toContain("deep@x.de");
  });

  it("masks errors: name, message, code and details", () => {
    const error = new PartnerCenterHttpError("GET failed for jana@x.de", {
      status: 401,
      apiCode: "unauthenticated",
      requestId: "req-1",
      request: { method: "GET", url: "https://api.test/r", headers: { authorization: "Bearer abc" } },
      cause: new Error("reset by +49 40 5550101"),
    });
    const masked = maskPii(error) as unknown as Record<string, any>;
    expect(masked).toMatchObject({
      name: "PartnerCenterHttpError",
      message: "GET failed for j***@x.de",
      code: "api_error",
      status: 401,
      apiCode: "unauthenticated",
      requestId: "req-1",
      request: { method: "GET", url: "https://api.test/r", headers: { authorization: "[REDACTED]" } },
      cause: { name: "Error", message: "reset by ***01" },
    });
    expect(masked.stack).not.toContain("jana@x.de");
  });

  it("keeps the issues of a ConfigError", () => {
    const masked = maskPii(new ConfigError([{ path: "X", message: "expected a number" }])) as unknown as Record<string, unknown>;
    expect(masked.code).toBe("config_invalid");
    expect(masked.issues).toEqual([{ path: "X", message: "expected a number" }]);
  });

  it("copies dates, maps and sets", () => {
    const date = new Date("2025-03-04T09:12:44Z");
    const input = {
      at: date,
      byEmail: new Map<unknown, unknown>([["jana@x.de", { phone: "+49 40 5550101" }], [1, "ok"]]),
      contacts: new Map([["email", "a@b.de"], ["name", "Jana"]]),
      tags: new Set(["x@y.de", "plain"]),
      buffer: Buffer.from("access-token-bytes"),
      url: new URL("https://x.test/?access_token=abc"),
    };
    const masked = maskPii(input) as unknown as Record<string, any>;
    expect(masked.at).toEqual(date);
    expect(masked.at).not.toBe(date);
    expect([...masked.byEmail]).toEqual([["j***@x.de", { phone: "***01" }], [1, "ok"]]);
    expect(Object.fromEntries(masked.contacts)).toEqual({ email: "a***@b.de", name: "[masked]" });
    expect([...masked.tags]).toEqual(["x***@y.de", "plain"]);
    expect(masked.buffer).toBe("[Binary 18 bytes]");
    expect(masked.url).toBe("https://x.test/?access_token=[REDACTED]");
  });

  it.each([
    ["null", null],
    ["undefined", undefined],
    ["a number", 180000],
    ["a boolean", true],
    ["a bigint", 10n],
  ])("returns %s unchanged", (_name, value) => {
    expect(maskPii(value)).toBe(value);
  });

  it("never throws, even on hostile objects", () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const throwing = Object.defineProperty({}, "email", {
      enumerable: true,
      get: () => {
        throw new Error("boom");
      },
    });
    expect(maskPii({ a: revoked.proxy, b: throwing, c: "ok" })).toEqual({ a: "[Unreadable]", b: "[Unreadable]", c: "ok" });
    expect(maskPii(revoked.proxy)).toBe("[Unreadable]");
    fc.assert(
      fc.property(fc.anything({ withMap: true, withSet: true, withDate: true, withBigInt: true, withTypedArray: true }), (value) => {
        maskPii(value);
      }),
      { numRuns: 300 },
    );
  });
});
