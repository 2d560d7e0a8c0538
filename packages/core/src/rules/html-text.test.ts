import { describe, expect, it } from "vitest";
import { decodeHtmlEntities } from "./html-text.js";

describe("decodeHtmlEntities", () => {
  it.each([
    ["VISTA OIL &amp; GAS ARGENTINA S.A.U.", "VISTA OIL & GAS ARGENTINA S.A.U."],
    ["M&uuml;ller Bau GmbH &amp; Co. KG", "Müller Bau GmbH & Co. KG"],
    ["C&#244;te Num&#xE9;rique", "Côte Numérique"],
    ["O&#39;Neil &#X26; Sons", "O'Neil & Sons"],
    ["&quot;Quoted&quot; &lt;Ltd&gt;", "\"Quoted\" <Ltd>"],
    ["caf&eacute;&nbsp;Bar &ndash; &euro;5 &trade;", "café\u00a0Bar – €5 ™"],
    ["&szlig;&AElig;&yuml;&iexcl;", "ßÆÿ¡"],
  ])("decodes %j", (input, expected) => {
    expect(decodeHtmlEntities(input)).toBe(expected);
  });

  it("decodes once: an escaped reference stays a reference", () => {
    expect(decodeHtmlEntities("&amp;lt;script&amp;gt;")).toBe("&lt;script&gt;");
  });

  it.each([
    ["&unknownname;", "&unknownname;"],
    ["AT&T", "AT&T"],
    ["&amp without semicolon", "&amp without semicolon"],
    ["&#;", "&#;"],
    ["&#x;", "&#x;"],
    ["", ""],
  ])("leaves %j as written", (input, expected) => {
    expect(decodeHtmlEntities(input)).toBe(expected);
  });

  it.each([
    ["&#0;", "\ufffd"],
    ["&#xD800;", "\ufffd"],
    ["&#x110000;", "\ufffd"],
    ["&#99999999;", "\ufffd"],
    ["&#150;", "–"],
    ["&#x80;", "€"],
  ])("maps the numeric reference %j as HTML does", (input, expected) => {
    expect(decodeHtmlEntities(input)).toBe(expected);
  });

  it("returns text, never markup: a decoded tag is plain characters to escape on output", () => {
    const decoded = decodeHtmlEntities("&lt;img src=x onerror=alert(1)&gt;");
    expect(decoded).toBe("<img src=x onerror=alert(1)>");
  });
});
