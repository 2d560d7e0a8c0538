import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeCompanyName } from "./company-name.js";

describe("normalizeCompanyName", () => {
  it.each([
    ["Alpenblick Logistik GmbH", "alpenblick logistik"],
    ["Fjord Energy AS", "fjord energy"],
    ["Kestrel Analytics Inc", "kestrel analytics"],
    ["Kestrel Analytics, Inc.", "kestrel analytics"],
    ["Pacifica Foods Ltd", "pacifica foods"],
    ["Bright Dental Clinic", "bright dental clinic"],
    ["Contoso Pty. Ltd.", "contoso"],
    ["Contoso (Pty) Ltd", "contoso"],
    ["Contoso Private Limited", "contoso"],
    ["Müller GmbH & Co. KG", "muller"],
    ["Johnson & Co.", "johnson"],
    ["Smith & Wesson", "smith and wesson"],
    ["Société Générale S.A.", "societe generale"],
    ["Grupo Bimbo, S.A.B. de C.V.", "grupo bimbo"],
    ["Fabrikam S.A. de C.V.", "fabrikam"],
    ["Contoso Sp. z o.o.", "contoso"],
    ["Contoso sp. z o. o.", "contoso"],
    ["Nordisk Data A/S", "nordisk data"],
    ["Fabrikam B.V.", "fabrikam"],
    ["Contoso AB (publ)", "contoso"],
    ["Contoso Oyj", "contoso"],
    ["Contoso s.r.o.", "contoso"],
    ["Contoso K.K.", "contoso"],
    ["Contoso Corporation", "contoso"],
    ["Straße Bau AG", "strasse bau"],
    ["Ørsted A/S", "orsted"],
    ["McDonald’s Corp", "mcdonalds"],
    ["  ACME   Widgets\tLLC  ", "acme widgets"],
    ["ＡＣＭＥ Ｌｔｄ", "acme"],
    ["The Company Store Inc", "the company store"],
    ["Coca-Cola Company", "coca cola"],
    // Partner Center sends names HTML-escaped.
    ["VISTA OIL &amp; GAS ARGENTINA S.A.U.", "vista oil and gas argentina"],
    ["M&uuml;ller GmbH &amp; Co. KG", "muller"],
    ["O&#39;Brien &#x26; Partners Ltd", "obrien and partners"],
  ])("%j → %j", (name, expected) => {
    expect(normalizeCompanyName(name)).toBe(expected);
  });

  it.each([[null], [undefined], [""], ["   "], ["GmbH"], ["Ltd."], ["& Co."], ["!!!"], [42 as unknown as string]])(
    "returns null when nothing is left of %j",
    (name) => {
      expect(normalizeCompanyName(name)).toBeNull();
    },
  );

  it("keeps only the legal form at the end", () => {
    expect(normalizeCompanyName("AG Consulting GmbH")).toBe("ag consulting");
    expect(normalizeCompanyName("Inc Magazine")).toBe("inc magazine");
  });

  it("gives one key for spellings of the same name", () => {
    const spellings = ["Café Zürich GmbH", "CAFE ZURICH gmbh", "Cafe\u0301 Zu\u0308rich G.m.b.H."];
    expect(new Set(spellings.map(normalizeCompanyName))).toEqual(new Set(["cafe zurich"]));
  });

  it("never throws and is idempotent", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" })), (name) => {
        const once = normalizeCompanyName(name);
        if (once !== null) expect(normalizeCompanyName(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });
});
