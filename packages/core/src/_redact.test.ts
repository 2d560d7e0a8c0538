import { describe, expect, it } from "vitest";
import { redactRequest, redactUrl } from "./_redact.js";

describe("redactRequest", () => {
  it("hides the bearer token but keeps the scheme and every other header", () => {
    const copy = redactRequest({
      method: "get",
      url: "https://api.partner.microsoft.com/v1.0/engagements/referrals",
      headers: { Authorization: "Bearer eyJ.secret.sig", "MS-CorrelationId": "c-1", Accept: "application/json", skipped: undefined },
    });
    expect(copy).toEqual({
      method: "GET",
      url: "https://api.partner.microsoft.com/v1.0/engagements/referrals",
      headers: { authorization: "Bearer [REDACTED]", "ms-correlationid": "c-1", accept: "application/json" },
    });
  });

  it.each([
    ["a cookie", "cookie", "session=abc", "[REDACTED]"],
    ["a proxy credential", "proxy-authorization", "Basic dXNlcjpwYXNz", "Basic [REDACTED]"],
    ["a bare token without a scheme", "authorization", "eyJ.secret", "[REDACTED]"],
  ])("hides %s", (_name, header, value, expected) => {
    expect(redactRequest({ method: "GET", url: "https://x.test/", headers: { [header]: value } }).headers[header]).toBe(expected);
  });
});

describe("redactUrl", () => {
  it.each([
    [
      "an e-mail in a $filter",
      "https://x.test/r?$filter=team/any(t:t/email%20eq%20'jo.smith@contoso.com')",
      "https://x.test/r?$filter=team/any(t:t/email%20eq%20'***@contoso.com')",
    ],
    ["a percent-encoded @", "https://x.test/r?q=jo%40contoso.com", "https://x.test/r?q=***%40contoso.com"],
    ["no e-mail", "https://x.test/r?$top=100", "https://x.test/r?$top=100"],
  ])("masks %s", (_name, url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it("masks an e-mail that follows a 100 KB $skiptoken", () => {
    const token = "A%2B".repeat(25_000);
    // Not timed (vitest cannot interrupt synchronous work), but a regex that restarts inside the
    // run backtracks quadratically here: about 20 s instead of well under 1 ms.
    expect(redactUrl(`https://x.test/r?$skiptoken=${token}&q=jo%40contoso.com`)).toBe(
      `https://x.test/r?$skiptoken=${token}&q=***%40contoso.com`,
    );
  });
});
