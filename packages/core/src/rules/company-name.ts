// Matching key of a customer name, for linking a referral to companies that already exist.
import { decodeHtmlEntities } from "./html-text.js";

// Longer names are not company names; bounding them keeps the regexes cheap on garbage.
const MAX_NAME_CHARS = 512;

// Letters NFKD does not decompose into a base letter plus marks.
const FOLDED_LETTERS: Readonly<Record<string, string>> = {
  ß: "ss", æ: "ae", œ: "oe", ø: "o", đ: "d", ð: "d", ł: "l", þ: "th", ı: "i", ŀ: "l", ħ: "h",
};
const FOLDED_LETTER = new RegExp(`[${Object.keys(FOLDED_LETTERS).join("")}]`, "gu");
const MARKS = /\p{M}+/gu;
const APOSTROPHES = /['’ʼ`´]/gu;
// `S.A.`, `B.V.`, `sp. z o.o.`: single letters joined by dots are one abbreviation.
const DOTTED_ABBREVIATION = /(?<![\p{L}\p{N}])\p{L}(?:\.\p{L})+\.?(?![\p{L}\p{N}])/gu;
const NON_ALPHANUMERIC = /[^\p{L}\p{N}]+/gu;

/** Legal-form suffixes, as tokens after normalization; `A/S` and `S/A` arrive as two tokens. */
const LEGAL_FORMS: readonly (readonly string[])[] = [
  // English-speaking
  "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "plc", "corp", "corporation", "co", "company",
  "pty", "pte", "pvt",
  // German-speaking, Dutch, Belgian
  "gmbh", "ag", "kg", "ohg", "gbr", "ug", "kgaa", "ev", "se", "bv", "nv", "bvba", "vof", "cv",
  // French, Spanish, Italian, Portuguese
  "sa", "sas", "sasu", "sau", "sarl", "eurl", "snc", "srl", "spa", "sl", "slu", "ltda", "sapi", "sab", "lda",
  // Nordic and Baltic
  "ab", "as", "asa", "oy", "oyj", "aps", "hf", "ehf", "publ", "ou", "uab", "sia",
  // Central and Eastern Europe
  "sro", "zrt", "kft", "nyrt", "doo", "ooo", "oao", "zao", "pao",
  // Asia
  "kk", "bhd", "sdn", "tbk",
]
  .map((form) => [form])
  .concat([
    ["a", "s"], ["s", "a"], ["sp", "z", "oo"], ["sp", "z", "o", "o"], ["s", "r", "o"], ["d", "o", "o"],
    ["sa", "de", "cv"], ["sab", "de", "cv"], ["sapi", "de", "cv"], ["s", "de", "rl"], ["s", "de", "rl", "de", "cv"], ["kabushiki", "kaisha"], ["godo", "kaisha"], ["private", "limited"],
  ])
  .sort((a, b) => b.length - a.length);

/**
 * The key under which a customer name is compared with existing companies' names, or `null`
 * when nothing is left. HTML character references decoded (`&amp;` → `&`, as Partner Center
 * sends names), Unicode NFKD with diacritics removed, lower case, `&` → `and`,
 * punctuation → space, legal-form suffixes at the end dropped (`GmbH`, `Inc.`, `Ltd`, `AS`,
 * `S.A.`, `Sp. z o.o.`, `GmbH & Co. KG`, …), whitespace collapsed.
 *
 * @example normalizeCompanyName("Alpenblick Logistik GmbH") === "alpenblick logistik"
 * @example normalizeCompanyName("Fjord Energy AS") === "fjord energy"
 */
export function normalizeCompanyName(name: string | null | undefined): string | null {
  if (typeof name !== "string") return null;
  const text = decodeHtmlEntities(name.slice(0, MAX_NAME_CHARS))
    .toLowerCase()
    .normalize("NFKD")
    .replace(MARKS, "")
    // Compatibility decompositions can yield capitals (`🄰` → `A`).
    .toLowerCase()
    .replace(FOLDED_LETTER, (letter) => FOLDED_LETTERS[letter] ?? letter)
    .replace(APOSTROPHES, "")
    .replace(/&/g, " and ")
    .replace(DOTTED_ABBREVIATION, (abbreviation) => abbreviation.replaceAll(".", ""));
  const tokens = text.split(NON_ALPHANUMERIC).filter((token) => token !== "");
  stripLegalForms(tokens);
  return tokens.length === 0 ? null : tokens.join(" ");
}

function stripLegalForms(tokens: string[]): void {
  for (;;) {
    const form = LEGAL_FORMS.find((candidate) => endsWith(tokens, candidate));
    if (form === undefined) return;
    tokens.length -= form.length;
    // `Johnson & Co.` leaves a dangling `and` once `co` is gone.
    if (tokens[tokens.length - 1] === "and") tokens.length -= 1;
  }
}

function endsWith(tokens: readonly string[], suffix: readonly string[]): boolean {
  if (suffix.length > tokens.length) return false;
  const offset = tokens.length - suffix.length;
  return suffix.every((token, index) => tokens[offset + index] === token);
}
