// Runs every rule over the five reference referrals and prints what the sync would decide.
// `pnpm demo` from the repository root; the CLI's `pc-referrals demo` goes further (a full sync).
import {
  applyScoringHooks,
  classifyReferral,
  evaluateFilter,
  extractAzureTenantId,
  extractDomain,
  parseReferral,
} from "../src/index.js";
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
