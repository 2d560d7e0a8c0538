import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Referral } from "../referral.js";
import { customerContactEmails, extractDomain, normalizeDomain } from "./domain.js";

// Pieces that hit the interesting paths: suffix rules, IDN, separators the parser treats specially.
const piece = fc.oneof(
  fc.constantFrom(
    "www", "xn--", "xn--bcher-kva", "xn--p1ai", "ß", "ü", "u\u0308", "例え", "пример", "рф", "βόλοσ", "٣",
    "co", "uk", "com", "au", "ck", "kawasaki", "city", "jp", "github", "io", "azurewebsites", "net",
    "localhost", "127", "0x7f", "1", "-", "_", "%2e", "。", "ｃ", "\u200b", "\u00ad", " ", "[::1]",
  ),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: "grapheme", maxLength: 4 }),
);
const separator = fc.constantFrom(".", ".", ".", "@", ":", "/", "//", "?", "#", "\\", "", "https://", "mailto:");
const mixedHost = fc
  .array(fc.tuple(piece, separator), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.map(([p, s]) => p + s).join(""));

const inputs = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.webUrl({ withFragments: true, withQueryParameters: true, authoritySettings: { withIPv4: true, withIPv6: true, withPort: true, withUserInfo: true } }),
  fc.domain(),
  fc.mixedCase(fc.domain()),
  fc.emailAddress(),
  mixedHost,
);

describe("normalizeDomain (properties)", () => {
  it("never throws and is idempotent", () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const once = normalizeDomain(input);
        if (once !== null) expect(normalizeDomain(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it("returns only lower-case NFC names without www., spaces, ports or paths", () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const domain = normalizeDomain(input);
        if (domain === null) return;
        expect(domain).toBe(domain.toLowerCase());
        expect(domain).toBe(domain.normalize("NFC"));
        expect(domain).not.toMatch(/^www\.|[\s/:@?#[\]]|\.$/);
        expect(domain.split(".").length).toBeGreaterThanOrEqual(2);
      }),
      { numRuns: 1000 },
    );
  });

  it("reads a host the same way inside a URL and an e-mail address", () => {
    fc.assert(
      fc.property(fc.domain(), fc.webPath(), (host, path) => {
        const bare = normalizeDomain(host);
        expect(normalizeDomain(`https://${host}${path}`)).toBe(bare);
        expect(normalizeDomain(`someone@${host}`)).toBe(bare);
        expect(normalizeDomain(host.toUpperCase())).toBe(bare);
      }),
    );
  });
});

describe("extractDomain and customerContactEmails (properties)", () => {
  it("never throw on arbitrary payloads", () => {
    const payload = fc.oneof(
      fc.anything(),
      fc.record({
        id: fc.string(),
        website: fc.anything(),
        customerProfile: fc.oneof(fc.anything(), fc.record({ website: fc.anything(), team: fc.anything() })),
        details: fc.oneof(fc.anything(), fc.record({ notes: fc.oneof(fc.string(), inputs, fc.anything()) })),
      }),
      fc.record({
        id: fc.string(),
        customerProfile: fc.record({ team: fc.array(fc.record({ email: fc.oneof(inputs, fc.anything()) })) }),
      }),
    );
    fc.assert(
      fc.property(payload, (referral) => {
        const result = extractDomain(referral as Referral);
        if (result.domain !== null) expect(normalizeDomain(result.domain)).toBe(result.domain);
        expect(Array.isArray(customerContactEmails(referral as Referral))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
