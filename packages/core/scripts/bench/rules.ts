// Rules throughput, without network or store: normalizeDomain over ~50k mixed inputs, then the
// whole per-referral rule chain over 10,000 generated referrals. Shows how small a share of the
// seeds' 5-minute budget for 2,000 referrals the rules take (the rest is I/O).
import {
  applyScoringHooks,
  classifyReferral,
  evaluateFilter,
  extractAzureTenantId,
  extractDomain,
  normalizeDomain,
  parseReferral,
} from "../../src/index.js";
import { createSeededRandom, generateReferrals } from "../../src/testing/generate-referrals.js";
import { median, report, type Figure } from "./kit.js";

const REPEATS = 5;

/** Runs `fn` once to warm up, then REPEATS times; the median duration in ms. */
function timeIt(fn: () => number): { ms: number; result: number } {
  let result = fn();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    result = fn();
    times.push(performance.now() - started);
  }
  return { ms: median(times), result };
}

// Inputs as hosts meet them: URLs with every part, e-mails, IDN in both forms, private suffixes,
// consumer mailboxes, and garbage that must come back null without throwing.
const SHAPES: Array<(label: string, n: number) => string> = [
  (l) => `https://www.${l}.com/about?ref=pc`,
  (l, n) => `http://user:pw@shop.${l}.co.uk:${8000 + (n % 1000)}/p#x`,
  (l) => `${l.toUpperCase()}.DE.`,
  (l) => `jane.doe@sales.${l}.com.au`,
  (l) => `mailto:<info@${l}.fr>`,
  (l) => `${l}.azurewebsites.net`,
  (l) => `münchen-${l}.de`,
  (l) => `xn--mnchen-3ya.${l}.de`,
  (l) => `例え${l}.jp`,
  (l, n) => `${l}${n}@gmail.com`,
  (_, n) => `10.${n % 256}.0.${n % 200}`,
  (l) => `localhost/${l}`,
  (l) => `${l}`,
  (l) => `not a domain, ${l}!`,
  (l) => `${l}..example..com`,
  () => "",
];

function domainInputs(count: number): string[] {
  const random = createSeededRandom(11);
  const letters = "abcdefghijklmnopqrstuvwxyz0123456789-";
  return Array.from({ length: count }, (_, n) => {
    const length = 3 + Math.floor(random() * 12);
    const label = Array.from({ length }, () => letters[Math.floor(random() * 35)]).join("");
    const shape = SHAPES[Math.floor(random() * SHAPES.length)];
    return shape ? shape(label, n) : label;
  });
}

const inputs = domainInputs(50_000);
const domains = timeIt(() => inputs.reduce((found, input) => (normalizeDomain(input) === null ? found : found + 1), 0));

const payloads = generateReferrals(10_000, { seed: 3 });
// The chain the engine runs for each referral (minus link resolution and the store write).
const chain = timeIt(() => {
  let ingestable = 0;
  for (const payload of payloads) {
    const parsed = parseReferral(payload);
    if (!parsed.ok) continue;
    const referral = parsed.referral;
    const filter = evaluateFilter(referral);
    const { type } = classifyReferral(referral);
    const domain = extractDomain(referral);
    const azureTenantId = extractAzureTenantId(referral);
    applyScoringHooks({ azureTenantId, referralType: type, referral });
    if (filter.ingest && domain.domain !== null) ingestable += 1;
  }
  return ingestable;
});

const chainUs = (chain.ms * 1000) / payloads.length;
const budgetShare = (chainUs * 2_000) / 1000 / (5 * 60_000);
const figures: Figure[] = [
  { bench: "rules normalizeDomain", metric: `50,000 mixed inputs (${domains.result.toLocaleString("en-US")} valid)`, value: domains.ms, unit: "ms", digits: 0 },
  { bench: "rules normalizeDomain", metric: "throughput", value: (inputs.length / domains.ms) * 1000, unit: "inputs/s", digits: 0 },
  { bench: "rules normalizeDomain", metric: "per input", value: (domains.ms * 1000) / inputs.length, unit: "µs" },
  { bench: "rules chain", metric: `10,000 referrals (${chain.result.toLocaleString("en-US")} ingestable)`, value: chain.ms, unit: "ms", digits: 0 },
  { bench: "rules chain", metric: "throughput", value: (payloads.length / chain.ms) * 1000, unit: "referrals/s", digits: 0 },
  { bench: "rules chain", metric: "per referral", value: chainUs, unit: "µs" },
  {
    bench: "rules chain",
    metric: "share of 5-min budget for 2,000",
    value: budgetShare * 100,
    unit: "%",
    digits: 3,
    target: { text: "< 1 % (derived)", pass: budgetShare < 0.01 },
  },
];
await report(figures);
