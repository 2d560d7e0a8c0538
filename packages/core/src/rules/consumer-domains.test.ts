import { describe, expect, it } from "vitest";
import { consumerMailboxDomains, isConsumerMailboxDomain } from "./consumer-domains.js";
import { normalizeDomain } from "./hostname.js";

describe("consumerMailboxDomains", () => {
  it("holds the large providers worldwide", () => {
    expect(consumerMailboxDomains.size).toBeGreaterThanOrEqual(150);
    for (const domain of [
      "gmail.com", "outlook.com", "hotmail.co.uk", "live.de", "msn.com", "yahoo.co.jp", "aol.com", "icloud.com",
      "proton.me", "gmx.net", "web.de", "t-online.de", "mail.ru", "yandex.ru", "qq.com", "163.com", "naver.com",
      "hanmail.net", "rediffmail.com", "libero.it", "orange.fr", "laposte.net", "btinternet.com", "comcast.net",
      "seznam.cz", "wp.pl", "uol.com.br", "zohomail.com", "fastmail.com", "tuta.com", "mail.com",
    ]) {
      expect(consumerMailboxDomains.has(domain), domain).toBe(true);
    }
  });

  it("stores every entry in canonical form", () => {
    const notCanonical = [...consumerMailboxDomains].filter((domain) => normalizeDomain(domain) !== domain);
    expect(notCanonical).toEqual([]);
  });
});

describe("isConsumerMailboxDomain", () => {
  it.each([
    ["gmail.com", true],
    ["GMail.com.", true],
    ["jane.doe@googlemail.com", true],
    ["mail.yahoo.co.uk", true],
    ["https://www.hotmail.com/", true],
    ["contoso.com", false],
    ["jane@contoso.co.uk", false],
    ["microsoft.com", false],
    ["not a domain", false],
    ["", false],
  ])("%j → %s", (input, expected) => {
    expect(isConsumerMailboxDomain(input)).toBe(expected);
  });

  it("returns false for a non-string", () => {
    expect(isConsumerMailboxDomain(null as unknown as string)).toBe(false);
  });
});
