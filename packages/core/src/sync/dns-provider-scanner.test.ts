import { describe, expect, it } from "vitest";
import { PcReferralsError } from "../errors.js";
import { createDnsProviderScanner, detectMailProvider, type DnsResolver } from "./dns-provider-scanner.js";

function dnsError(code: string): Error {
  return Object.assign(new Error(`query failed: ${code}`), { code });
}

/** An in-memory resolver: zone → records; unknown names answer like NXDOMAIN. */
function fakeResolver(zones: Record<string, { mx?: Array<{ exchange: string; priority: number }>; txt?: string[][]; fail?: string }>): DnsResolver & { asked: string[] } {
  const asked: string[] = [];
  const zone = (name: string) => {
    asked.push(name);
    const z = zones[name];
    if (!z) throw dnsError("ENOTFOUND");
    if (z.fail) throw dnsError(z.fail);
    return z;
  };
  return {
    asked,
    async resolveMx(name) {
      const z = zone(name);
      if (!z.mx) throw dnsError("ENODATA");
      return z.mx;
    },
    async resolveTxt(name) {
      const z = zone(name);
      if (!z.txt) throw dnsError("ENODATA");
      return z.txt;
    },
  };
}

const resolver = fakeResolver({
  "contoso.com": {
    mx: [
      { exchange: "backup.example.net", priority: 20 },
      { exchange: "contoso-com.mail.protection.outlook.com", priority: 0 },
    ],
    txt: [["google-site-verification=abc"], ["v=spf1 include:spf.protection.outlook.com", " -all"]],
  },
  "fabrikam.de": { mx: [{ exchange: "ASPMX.L.GOOGLE.COM.", priority: 1 }, { exchange: "alt1.aspmx.l.google.com", priority: 5 }] },
  "newgoogle.io": { mx: [{ exchange: "smtp.google.com", priority: 1 }] },
  "dnssec.example": { mx: [{ exchange: "dnssec-example.o-v1.mx.microsoft", priority: 0 }] },
  "gateway.com": { mx: [{ exchange: "eu-smtp-inbound-1.mimecast.com", priority: 10 }], txt: [["v=spf1 include:_spf.google.com ~all"]] },
  "selfhosted.org": { mx: [{ exchange: "mail.selfhosted.org", priority: 10 }], txt: [["v=spf1 mx -all"]] },
  "spfonly.com": { txt: [["v=spf1 include:spf.protection.outlook.com -all"]] },
  "empty.com": {},
  "broken.com": { fail: "ETIMEOUT" },
});

describe("createDnsProviderScanner", () => {
  it.each([
    ["contoso.com", "M365", ["contoso-com.mail.protection.outlook.com", "backup.example.net"], "v=spf1 include:spf.protection.outlook.com -all"],
    ["fabrikam.de", "Google Workspace", ["aspmx.l.google.com", "alt1.aspmx.l.google.com"], null],
    ["newgoogle.io", "Google Workspace", ["smtp.google.com"], null],
    ["dnssec.example", "M365", ["dnssec-example.o-v1.mx.microsoft"], null],
    ["gateway.com", "Google Workspace", ["eu-smtp-inbound-1.mimecast.com"], "v=spf1 include:_spf.google.com ~all"],
    ["selfhosted.org", "other", ["mail.selfhosted.org"], "v=spf1 mx -all"],
    ["spfonly.com", "M365", [], "v=spf1 include:spf.protection.outlook.com -all"],
    ["empty.com", "unknown", [], null],
    ["nxdomain.example", "unknown", [], null],
  ])("%s → %s", async (domain, provider, mx, spf) => {
    await expect(createDnsProviderScanner({ resolver }).scan(domain)).resolves.toEqual({ provider, mx, spf });
  });

  it("normalizes the domain before asking", async () => {
    const r = fakeResolver({ "contoso.com": { mx: [] } });
    await createDnsProviderScanner({ resolver: r }).scan(" Contoso.COM. ");
    expect(r.asked).toEqual(["contoso.com", "contoso.com"]);
  });

  it("rejects on a DNS failure that is not an empty answer, so the scan is recorded as failed", async () => {
    await expect(createDnsProviderScanner({ resolver }).scan("broken.com")).rejects.toMatchObject({ code: "ETIMEOUT" });
  });

  it.each(["", "  ", "two words.com"])("rejects the domain %j with invalid_input", async (domain) => {
    const error = await createDnsProviderScanner({ resolver }).scan(domain).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "invalid_input")).toBe(true);
  });

  it("rejects a resolver without the two lookups with a ConfigError", () => {
    expect(() => createDnsProviderScanner({ resolver: { resolveMx: async () => [] } as unknown as DnsResolver })).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
  });
});

describe("detectMailProvider", () => {
  it("lets the most preferred MX host decide over the SPF record", () => {
    expect(detectMailProvider(["aspmx.l.google.com"], "v=spf1 include:spf.protection.outlook.com -all")).toBe("Google Workspace");
  });
});
