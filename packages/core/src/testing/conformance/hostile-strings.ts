// Unicode and hostile text is stored and returned verbatim. Strings here are valid Unicode without
// U+0000: PostgreSQL text and jsonb cannot hold NUL or lone surrogates, so no store is asked to.
import { describe, expect, it } from "vitest";
import type { Store } from "../../store/store.js";
import { makeCompanyUpsert, makeProcessedReferral } from "../processed-fixtures.js";
import { applyReferrals, type ConformanceContext, expectedStored, readReferral, tenantOf } from "./context.js";

/** Text every store must keep byte for byte. */
export const HOSTILE_STRINGS: readonly string[] = [
  "Ærøskøbing Bryggeri ApS",
  "株式会社テスト",
  "شركة الاختبار",
  "👩‍👩‍👧‍👦 Family Co 🏳️‍🌈",
  "Cafe\u0301 (NFD) vs Caf\u00e9 (NFC)",
  "𝕳𝖊𝖑𝖑𝖔 astral",
  "'; DROP TABLE referrals; --",
  "Robert'); DELETE FROM companies;--",
  "%_\\ LIKE metacharacters \\% \\_",
  "{\"looks\": [\"like\", \"json\"]}",
  "line\nbreak\ttab\r\nend",
  "\u2028\u2029 separators",
  "\u200B zero width \uFEFF bom",
  "<script>alert(1)</script>",
  "$1 $$ ${x} :name ?",
  "\\u0000 written out, not a NUL",
  "   padded   ",
  "",
  "x".repeat(10_000),
];

const SAFE_JSON = {
  integers: [0, 1, -1, 2 ** 53 - 1, -(2 ** 53 - 1)],
  decimals: [0.1, 0.30000000000000004, -1.5, 1e300, 5e-324],
  flags: [true, false],
  nothing: null,
  empty: { object: {}, array: [], string: "" },
  deep: { a: { b: { c: { d: { e: ["f", { g: "h" }] } } } } },
  "": "empty key",
  "ключ 🔑": "значение",
  "with.dots/and$dollars": { "'quote'": "\"double\"" },
};

export function describeHostileStrings<S extends Store>(ctx: ConformanceContext<S>): void {
  describe("unicode and hostile strings", () => {
    it.each(HOSTILE_STRINGS.map((text, index) => ({ text, index })))("stores text #$index verbatim", async ({ text, index }) => {
      // Indexed columns get at most 300 characters: a btree entry cannot exceed about 2.7 kB.
      const short = text.slice(0, 300);
      const referral = makeProcessedReferral({
        referralId: `ref ${index} ${short}`,
        customerName: text,
        domain: short,
        status: short,
        typeEvidence: text,
        contentHash: `hash ${short}`,
        scoring: { score: null, segment: text, reasons: [text] },
        payload: { id: `ref ${index} ${short}`, [`key ${text}`]: text, nested: { list: [text, { text }] } },
      });
      await applyReferrals(ctx.store, [referral], { syncedAt: "2025-03-04T10:00:00.000Z" });
      expect(await readReferral(ctx.store, referral.referralId)).toEqual(
        expectedStored(referral, { syncedAt: "2025-03-04T10:00:00.000Z", tenant: tenantOf(ctx.store) }),
      );
      const known = await ctx.store.getKnownReferrals([referral.referralId]);
      expect(known.get(referral.referralId)).toMatchObject({ contentHash: `hash ${short}`, status: short });
      expect([...(await ctx.store.referralTypesByDomain([short]))]).toEqual([[short, ["co-sell"]]]);
    });

    it("round-trips any JSON payload", async () => {
      const referral = makeProcessedReferral({ referralId: "ref-json", payload: { id: "ref-json", ...SAFE_JSON } });
      await applyReferrals(ctx.store, [referral]);
      expect((await ctx.store.getReferral("ref-json"))?.payload).toEqual(referral.payload);
    });

    it.each(["テスト", "Ærø", "👩‍👩‍👧‍👦", "Caf\u00e9", "ab\u200Bcd"])("finds rows by a non-ASCII substring in the same case: %s", async (q) => {
      await applyReferrals(ctx.store, [
        makeProcessedReferral({ referralId: "r-match", customerName: `Name ${q} tail` }),
        makeProcessedReferral({ referralId: "r-other", customerName: "Plain Name" }),
      ]);
      const page = await ctx.store.queryInbox({ q });
      expect(page.items.map((row) => row.referralId)).toEqual(["r-match"]);
    });

    it("keeps unicode company names and matches unicode domains and normalized names exactly", async () => {
      const upsert = makeCompanyUpsert({ domain: "bücher.de", name: "Bücher & Söhne GmbH", normalizedName: "bücher söhne" });
      await ctx.store.applyBatch({ runId: "run-1", syncedAt: "2025-03-04T10:00:00.000Z", referrals: [], companies: [upsert] });
      const byDomain = await ctx.store.findCompanies({ domains: ["bücher.de"], normalizedNames: [] });
      const byName = await ctx.store.findCompanies({ domains: [], normalizedNames: ["bücher söhne"] });
      expect(byDomain.map((c) => [c.domain, c.name, c.normalizedName])).toEqual([
        ["bücher.de", "Bücher & Söhne GmbH", "bücher söhne"],
      ]);
      expect(byName.map((c) => c.id)).toEqual(byDomain.map((c) => c.id));
      expect(await ctx.store.findCompanies({ domains: ["xn--bcher-kva.de"], normalizedNames: ["bucher sohne"] })).toEqual([]);
    });

    it("keeps unicode and hostile text in run records and cursor scopes", async () => {
      const scope = HOSTILE_STRINGS[6] ?? "scope";
      await ctx.store.advanceCursor(scope, { updatedAt: "2025-03-04T09:00:00.000Z" });
      expect(await ctx.store.getCursor(scope)).not.toBeNull();
      const errors = HOSTILE_STRINGS.slice(0, 8).map((message) => ({ referralId: message, code: "internal", message }));
      const record = {
        runId: "run 🏃 '; --",
        trigger: "manual" as const,
        full: true,
        status: "failed" as const,
        startedAt: "2025-03-04T10:00:00.000Z",
        finishedAt: null,
        counts: {
          pages: 0,
          fetched: 0,
          ingested: 0,
          updated: 0,
          unchanged: 0,
          failed: 0,
          domainScansRequested: 0,
          futureDated: 0,
          stale: 0,
          quarantined: 0,
          missedByIncremental: null,
          skipped: { direction: 0, status: 0, substatus: 0, no_domain: 0, invalid_payload: 0, spam: 0 },
        },
        errors,
        warnings: HOSTILE_STRINGS.slice(0, 3).map((message) => ({ code: "order_not_honoured" as const, message })),
      };
      await ctx.store.recordRun(record);
      const [stored] = await ctx.store.listRuns({ limit: 1 });
      expect(stored && { ...stored, startedAt: new Date(stored.startedAt).toISOString() }).toEqual(record);
    });
  });
}
