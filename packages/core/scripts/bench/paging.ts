// Memory flatness of paging: the client alone lists 2,000 then 10,000 referrals and drops each page.
// If pages are released as they are consumed, heap used stays about the same whatever the count
// (ratio near 1); a client that accumulated referrals would show a ratio near 5.
import { createPartnerCenterClient, createStaticTokenProvider } from "../../src/index.js";
import { report, settledHeap, startMemorySampler, toMB, type Figure } from "./kit.js";
import { startFakeProcess } from "./fake-process.js";

/** Highest heap used at a page boundary (after a full gc there when `--expose-gc` is on) and the peak sampled in between. */
async function pageThrough(count: number): Promise<{ boundaryMax: number; peak: number; referrals: number; pages: number }> {
  const fake = await startFakeProcess(count, 7);
  const client = createPartnerCenterClient({ tokenProvider: createStaticTokenProvider(fake.token), baseUrl: fake.url });
  try {
    settledHeap();
    const sampler = startMemorySampler(10);
    let boundaryMax = 0;
    let referrals = 0;
    let pages = 0;
    for await (const page of client.listReferrals()) {
      referrals += page.referrals.length;
      pages += 1;
      sampler.sample();
      boundaryMax = Math.max(boundaryMax, settledHeap() ?? process.memoryUsage().heapUsed);
    }
    return { boundaryMax, peak: sampler.stop().peakHeap, referrals, pages };
  } finally {
    await client.close();
    await fake.stop();
  }
}

const gcOn = settledHeap() !== null;
const small = await pageThrough(2_000);
const large = await pageThrough(10_000);
if (small.referrals !== 2_000 || large.referrals !== 10_000) {
  throw new Error(`paging lost referrals: ${small.referrals}/2000, ${large.referrals}/10000`);
}
const bench = "paging client";
const ratio = large.boundaryMax / small.boundaryMax;
const figures: Figure[] = [
  { bench, metric: `heap used at page boundary, 2,000 (${small.pages} pages)`, value: toMB(small.boundaryMax), unit: "MB" },
  { bench, metric: `heap used at page boundary, 10,000 (${large.pages} pages)`, value: toMB(large.boundaryMax), unit: "MB" },
  { bench, metric: "ratio 10,000 / 2,000", value: ratio, unit: "×", digits: 2, target: { text: "< 1.5 (flat)", pass: ratio < 1.5 } },
  { bench, metric: "peak heap sampled, 2,000", value: toMB(small.peak), unit: "MB" },
  { bench, metric: "peak heap sampled, 10,000", value: toMB(large.peak), unit: "MB" },
];
if (!gcOn) figures.forEach((f) => (f.metric += " (no gc: noisy)"));
await report(figures);
