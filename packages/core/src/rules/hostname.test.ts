import { describe, expect, it } from "vitest";
import { normalizeDomain } from "./hostname.js";

describe("normalizeDomain", () => {
  it.each([
    ["bare host", "contoso.com", "contoso.com"],
    ["upper case, surrounding space, trailing dot", "  Contoso.COM. ", "contoso.com"],
    ["leading www.", "www.contoso.com", "contoso.com"],
    ["URL with scheme, credentials, port, path, query, fragment", "https://user:pw@www.Contoso.com:8443/a/b?c=d#e", "contoso.com"],
    ["scheme-less user:pass@host:port/path?q#f", "user:pass@shop.contoso.com:8080/path?q=1#frag", "contoso.com"],
    ["protocol-relative URL", "//contoso.com/x", "contoso.com"],
    ["other scheme", "ftp://files.contoso.com/pub", "contoso.com"],
    ["scheme without slashes", "https:contoso.com", "contoso.com"],
    ["host with port only", "contoso.com:443", "contoso.com"],
    ["an @ in the path is not userinfo", "contoso.com/contact?from=jane@fabrikam.com", "contoso.com"],
    ["e-mail address", "jane.doe@contoso.com", "contoso.com"],
    ["e-mail address on a subdomain", "Jane@Sales.Contoso.co.uk", "contoso.co.uk"],
    ["e-mail with an @ in a quoted local part", '"jane@home"@contoso.com', "contoso.com"],
    ["mailto: link", "mailto:jane@contoso.com?subject=Hello", "contoso.com"],
    ["angle-bracketed address", "<jane@contoso.com>", "contoso.com"],
    ["percent-encoded host", "%63ontoso.com", "contoso.com"],
    ["full-width characters and ideographic full stop", "ＣＯＮＴＯＳＯ。com", "contoso.com"],
  ])("reads a %s", (_label, input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it.each([
    ["co.uk", "shop.contoso.co.uk", "contoso.co.uk"],
    ["com.au", "www.shop.contoso.com.au", "contoso.com.au"],
    ["co.jp", "mail.contoso.co.jp", "contoso.co.jp"],
    ["co.nz", "tom.hale@pacificafoods.co.nz", "pacificafoods.co.nz"],
  ])("reduces to the registrable domain under the multi-level suffix %s", (_suffix, input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it.each([
    ["azurewebsites.net", "contoso.azurewebsites.net", "contoso.azurewebsites.net"],
    ["azurewebsites.net, deeper host", "api.contoso.azurewebsites.net", "contoso.azurewebsites.net"],
    ["github.io", "https://contoso.github.io/docs", "contoso.github.io"],
    ["blogspot.com", "news.contoso.blogspot.com", "contoso.blogspot.com"],
    ["herokuapp.com", "contoso.herokuapp.com", "contoso.herokuapp.com"],
  ])("keeps a name under the private suffix %s whole", (_suffix, input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  // tldts 7.5's list has `*.kawasaki.jp` with the exception `!city.kawasaki.jp`, and `*.ck` with `!www.ck`.
  it.each([
    ["a wildcard suffix needs one more label", "foo.kawasaki.jp", null],
    ["below a wildcard suffix", "x.foo.kawasaki.jp", "x.foo.kawasaki.jp"],
    ["deeper below a wildcard suffix", "a.x.foo.kawasaki.jp", "x.foo.kawasaki.jp"],
    ["an exception is registrable itself", "city.kawasaki.jp", "city.kawasaki.jp"],
    ["below an exception", "www.city.kawasaki.jp", "city.kawasaki.jp"],
    ["*.ck: the wildcard suffix alone", "contoso.ck", null],
    ["*.ck: below the wildcard", "shop.contoso.ck", "shop.contoso.ck"],
    // The exception makes www.ck registrable, but a registrable label `www` is never a company's name.
    ["!www.ck exception", "www.ck", null],
  ])("applies PSL wildcard and exception rules: %s", (_label, input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it.each([
    ["German IDN in Unicode", "bücher.de", "bücher.de"],
    ["German IDN in punycode", "xn--bcher-kva.de", "bücher.de"],
    ["punycode in upper case", "WWW.XN--BCHER-KVA.DE", "bücher.de"],
    ["decomposed Unicode (NFD)", "mu\u0308nchen.de", "münchen.de"],
    ["punycode to NFC Unicode", "https://xn--mnchen-3ya.de/impressum", "münchen.de"],
    ["Cyrillic .рф in Unicode", "пример.рф", "пример.рф"],
    ["Cyrillic .рф in punycode", "www.xn--e1afmkfd.xn--p1ai", "пример.рф"],
    ["Japanese IDN", "https://www.例え.jp/", "例え.jp"],
    ["Japanese IDN in an e-mail", "taro@営業.例え.jp", "例え.jp"],
    ["non-transitional ß", "faß.de", "faß.de"],
  ])("returns the Unicode form of an IDN: %s", (_label, input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it.each([
    ["empty", ""],
    ["whitespace", "   "],
    ["IPv4", "10.0.0.1"],
    ["IPv4 URL", "http://192.168.1.10:8080/admin"],
    ["short IPv4 form", "127.1"],
    ["hex IPv4 form", "0x7f.1"],
    ["bracketed IPv6", "[::1]"],
    ["IPv6 URL", "http://[2001:db8::1]:80/"],
    ["bare IPv6", "2001:db8::1"],
    ["single label", "contoso"],
    ["localhost", "localhost"],
    ["localhost URL", "http://localhost:3000"],
    ["unknown suffix", "foo.invalidtld"],
    ["reserved test suffix", "sub.例え.テスト"],
    ["public suffix only", "co.uk"],
    ["private public suffix only", "github.io"],
    ["top-level domain only", "com"],
    ["registrable label www", "www.co.uk"],
    ["underscore", "my_site.com"],
    ["other invalid character", "a*b.com"],
    ["leading hyphen in a label", "-contoso.com"],
    ["trailing hyphen in a label", "contoso-.com"],
    ["empty label", "contoso..com"],
    ["space inside", "con toso.com"],
    ["label over 63 characters", `${"a".repeat(64)}.com`],
    ["host over 253 characters", `${"abcdefghi.".repeat(26)}com`],
    ["invalid punycode", "xn--zz.com"],
    ["invalid port", "contoso.com:http"],
    ["e-mail without domain", "jane@"],
    ["garbage", "!!!"],
  ])("returns null for %s", (_label, input) => {
    expect(normalizeDomain(input)).toBeNull();
  });

  it.each([[undefined], [null], [42], [{}], [["contoso.com"]]])("returns null for the non-string %j", (input) => {
    expect(normalizeDomain(input as unknown as string)).toBeNull();
  });

  it("stays fast and safe on 100 KB of input", () => {
    expect(normalizeDomain(`https://contoso.com/${"x".repeat(100_000)}`)).toBe("contoso.com");
    expect(normalizeDomain("@".repeat(100_000))).toBeNull();
    expect(normalizeDomain("a.".repeat(50_000))).toBeNull();
  });
});
