import { describe, expect, it } from "vitest";
import { referenceExamples } from "../../test/fixtures/reference-examples.js";
import { parseReferral } from "../referral.js";
import type { Referral } from "../referral.js";
import { consumerMailboxDomains } from "./consumer-domains.js";
import {
  customerContactEmails,
  defaultIgnoredDomains,
  defaultWebsiteLocations,
  extractDomain,
  findFirstUrl,
  normalizeCompanyDomain,
  normalizeDomain,
} from "./domain.js";
import type { WebsiteLocation } from "./domain.js";

function referral(fields: Record<string, unknown>): Referral {
  const parsed = parseReferral({ id: "r-1", ...fields });
  if (!parsed.ok) throw new Error(`fixture is not a valid referral: ${parsed.issues.join("; ")}`);
  return parsed.referral;
}

const team = (...emails: (string | null)[]) => ({ customerProfile: { team: emails.map((email) => ({ email })) } });

describe("extractDomain", () => {
  it.each([
    ["A", { domain: "alpenblick-logistik.de", source: "website", value: "https://www.alpenblick-logistik.de" }],
    ["B", { domain: "brightdental.co.uk", source: "email", value: "office@brightdental.co.uk" }],
    ["C", { domain: "kestrelanalytics.com", source: "email", value: "priya.nair@kestrelanalytics.com" }],
    ["D", { domain: "pacificafoods.co.nz", source: "email", value: "tom.hale@pacificafoods.co.nz" }],
    ["E", { domain: "fjordenergy.no", source: "email", value: "ingrid.berg@fjordenergy.no" }],
  ] as const)("finds the domain of reference example %s", (letter, expected) => {
    expect(extractDomain(referral(referenceExamples[letter]))).toEqual(expected);
  });

  it.each([
    ["a top-level website field", { website: "www.contoso.com" }, "contoso.com", "www.contoso.com"],
    ["customerProfile.website", { customerProfile: { website: " https://contoso.de/ " } }, "contoso.de", "https://contoso.de/"],
    ["the website field before the notes", { website: "contoso.com", details: { notes: "see https://fabrikam.com" } }, "contoso.com", "contoso.com"],
    ["a www. link in the notes", { details: { notes: "Site (www.contoso.co.uk), call Monday" } }, "contoso.co.uk", "www.contoso.co.uk"],
  ])("reads %s", (_label, fields, domain, value) => {
    expect(extractDomain(referral(fields))).toEqual({ domain, source: "website", value });
  });

  it("moves to the next location when a website is a consumer, ignored or invalid domain", () => {
    const result = extractDomain(
      referral({
        website: "https://portal.azure.com",
        customerProfile: { website: "localhost:8080", team: [{ email: "jane@contoso.com" }] },
        details: { notes: "Visit https://shop.contoso-retail.com/en. Thanks" },
      }),
    );
    expect(result).toEqual({ domain: "contoso-retail.com", source: "website", value: "https://shop.contoso-retail.com/en" });

    expect(
      extractDomain(referral({ website: "https://gmail.com", details: { notes: "https://learn.microsoft.com/x" }, ...team("jane@contoso.com") })),
    ).toEqual({ domain: "contoso.com", source: "email", value: "jane@contoso.com" });
  });

  it.each([
    ["a business address after consumer ones", team("jane@gmail.com", "j.doe@outlook.de", "jane@contoso.com"), "jane@contoso.com", "contoso.com"],
    ["the first business address", team("a@contoso.com", "b@fabrikam.com"), "a@contoso.com", "contoso.com"],
    ["past a Microsoft seller", team("seller@microsoft.com", "it@contoso.fr"), "it@contoso.fr", "contoso.fr"],
    ["past invalid addresses", team("n/a", null, "x@localhost", "jane@contoso.com"), "jane@contoso.com", "contoso.com"],
    ["one of several addresses in one field", team("jane@yahoo.co.uk; ops@contoso.co.uk"), "ops@contoso.co.uk", "contoso.co.uk"],
  ])("falls back to %s", (_label, fields, value, domain) => {
    expect(extractDomain(referral(fields))).toEqual({ domain, source: "email", value });
  });

  it.each([
    ["only consumer addresses", team("jane@gmail.com", "JOHN@HOTMAIL.CO.UK", "x@web.de")],
    ["only Microsoft addresses", team("seller@microsoft.com")],
    ["no contacts and no links", { details: { notes: "Call me." } }],
    ["nothing at all", {}],
  ])("reports no_domain with %s", (_label, fields) => {
    expect(extractDomain(referral(fields))).toEqual({ domain: null, reason: "no_domain" });
  });

  it("uses custom locations and domain sets instead of the defaults", () => {
    const fromInvite: WebsiteLocation = (r) => findFirstUrl(r.inviteContext?.notes ?? "");
    const r = referral({ inviteContext: { notes: "https://fabrikam.com" }, website: "contoso.com", ...team("x@gmail.com") });
    expect(extractDomain(r, { websiteLocations: [fromInvite] })).toMatchObject({ domain: "fabrikam.com", source: "website" });
    expect(extractDomain(r, { websiteLocations: [], consumerDomains: new Set() })).toMatchObject({ domain: "gmail.com", source: "email" });
    expect(extractDomain(r, { ignoredDomains: new Set(["contoso.com"]) })).toEqual({ domain: null, reason: "no_domain" });
  });

  it.each([[null], [undefined], ["referral"], [42], [[]], [{ customerProfile: "x", details: 7, website: {} }], [{ customerProfile: { team: "a@b.com" } }]])(
    "never throws on the malformed payload %j",
    (payload) => {
      expect(extractDomain(payload as unknown as Referral)).toEqual({ domain: null, reason: "no_domain" });
    },
  );
});

describe("normalizeCompanyDomain", () => {
  it.each([
    ["https://www.contoso.com/about", "contoso.com"],
    ["jane@gmail.com", null],
    ["jane@googlemail.com", null],
    ["https://portal.azure.com", null],
    ["seller@microsoft.com", null],
    ["contoso.sharepoint.com", null],
    ["contoso.azurewebsites.net", "contoso.azurewebsites.net"],
    ["127.0.0.1", null],
  ])("%s → %s", (input, expected) => {
    expect(normalizeCompanyDomain(input)).toBe(expected);
  });

  it("uses the given sets instead of the defaults", () => {
    expect(normalizeCompanyDomain("jane@gmail.com", { consumerDomains: new Set() })).toBe("gmail.com");
    expect(normalizeCompanyDomain("a@contoso.com", { consumerDomains: new Set(["contoso.com"]) })).toBeNull();
    expect(normalizeCompanyDomain("https://microsoft.com", { ignoredDomains: new Set() })).toBe("microsoft.com");
  });

  it("re-exports normalizeDomain", () => {
    expect(normalizeDomain("WWW.Contoso.com.")).toBe("contoso.com");
  });
});

describe("defaultIgnoredDomains", () => {
  it("holds only canonical domains, none of them a consumer mailbox by accident of form", () => {
    for (const domain of defaultIgnoredDomains) expect(normalizeDomain(domain)).toBe(domain);
    expect(defaultIgnoredDomains.has("microsoft.com")).toBe(true);
    expect(defaultIgnoredDomains.has("linkedin.com")).toBe(true);
    expect(consumerMailboxDomains.has("outlook.com")).toBe(true);
  });
});

describe("defaultWebsiteLocations", () => {
  it("reads website, customerProfile.website and the notes, in that order", () => {
    const r = referral({ website: "a.com", customerProfile: { website: "b.com" }, details: { notes: "c: https://c.com" } });
    expect(defaultWebsiteLocations.map((location) => location(r))).toEqual(["a.com", "b.com", "https://c.com"]);
  });
});

describe("findFirstUrl", () => {
  it.each([
    ["Customer site: https://www.alpenblick-logistik.de. Wants SAP.", "https://www.alpenblick-logistik.de"],
    ["(see http://contoso.com/about)", "http://contoso.com/about"],
    ["Links: www.contoso.com, www.fabrikam.com", "www.contoso.com"],
    ['Site "https://contoso.com/?a=1&b=2"!', "https://contoso.com/?a=1&b=2"],
    ["WWW.CONTOSO.COM!?", "WWW.CONTOSO.COM"],
    ["<https://contoso.com>", "https://contoso.com"],
    ["Unicode https://bücher.de/katalog; more", "https://bücher.de/katalog"],
    ["mail me at jane@contoso.com", null],
    ["awww.contoso.com is not a link", null],
    ["", null],
  ])("%j → %j", (text, expected) => {
    expect(findFirstUrl(text)).toBe(expected);
  });

  it("returns null for a non-string", () => {
    expect(findFirstUrl(undefined as unknown as string)).toBeNull();
  });
});

describe("customerContactEmails", () => {
  it("splits, cleans and deduplicates every address, in order", () => {
    const r = referral({
      customerProfile: {
        team: [
          { email: " jane@contoso.com ; John <john@contoso.com>" },
          { email: null },
          { firstName: "No", lastName: "Email" },
          { email: "JANE@contoso.com,mailto:ops@contoso.com\tn/a" },
          { email: "" },
        ],
      },
      team: [{ email: "seller@partner.example" }],
    });
    expect(customerContactEmails(r)).toEqual(["jane@contoso.com", "john@contoso.com", "ops@contoso.com"]);
  });

  it.each([[null], [{}], [{ customerProfile: { team: {} } }], [{ customerProfile: { team: [null, 7, { email: 7 }] } }]])(
    "returns no addresses for %j",
    (payload) => {
      expect(customerContactEmails(payload as unknown as Referral)).toEqual([]);
    },
  );
});
