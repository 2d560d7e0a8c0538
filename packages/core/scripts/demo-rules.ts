// Runs every rule over the five reference referrals and prints what the sync would decide, then
// tallies the same decisions over 2,000 generated referrals with the texture of real payloads.
// `pnpm demo` from the repository root; the CLI's `pc-referrals demo` goes further (a full sync).
import {
  applyScoringHooks,
  classifyReferral,
  decodeHtmlEntities,
  evaluateFilter,
  extractAzureTenantId,
  extractDomain,
  parseReferral,
} from "../src/index.js";
import { generateReferrals } from "../src/testing/index.js";
import { referenceExamples } from "../test/fixtures/reference-examples.js";

const rows = Object.entries(referenceExamples).map(([letter, payload]) => {
  const parsed = parseReferral(payload);
  if (!parsed.ok) return { example: letter, decision: "skip: invalid_payload" };
  const referral = parsed.referral;
  const filter = evaluateFilter(referral);
  const { type, evidence } = classifyReferral(referral);
  const domain = extractDomain(referral);
  const azureTenantId = extractAzureTenantId(referral);
  const scoring = applyScoringHooks({ azureTenantId, referralType: type });
  const decision = !filter.ingest ? `skip: ${filter.reason}` : domain.domain === null ? "skip: no_domain" : "ingest";
  return {
    example: letter,
    customer: referral.customerProfile?.name ?? "",
    decision,
    type,
    evidence,
    domain: domain.domain ?? "",
    from: domain.domain === null ? "" : domain.source,
    score: scoring.score,
    segment: scoring.segment ?? "",
  };
});

console.table(rows);

// The same rules over the generator's wire-textured data (nulls, single-object teams, `&amp;` in
// names, `isSpam`, `HaveNotDecided`, …): what a first full sync of 2,000 would ingest and skip.
const tally = new Map<string, number>();
const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
let decodedNames = 0;
for (const payload of generateReferrals(2000, { seed: 1 })) {
  const parsed = parseReferral(payload);
  if (!parsed.ok) {
    count("skip: invalid_payload");
    continue;
  }
  const name = parsed.referral.customerProfile?.name;
  if (typeof name === "string" && decodeHtmlEntities(name) !== name) decodedNames += 1;
  const filter = evaluateFilter(parsed.referral);
  if (!filter.ingest) count(`skip: ${filter.reason}`);
  else if (extractDomain(parsed.referral).domain === null) count("skip: no_domain");
  else count(`ingest: ${classifyReferral(parsed.referral).type}`);
}
console.log("\n2,000 generated referrals with the wire's texture (generateReferrals(2000, { seed: 1 })):");
console.table([...tally].sort(([a], [b]) => a.localeCompare(b)).map(([decision, referrals]) => ({ decision, referrals })));
console.log(`${decodedNames} customer names arrived HTML-escaped and were decoded.`);
