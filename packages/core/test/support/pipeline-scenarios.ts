// Test support for the pipelined page writer (issue 12 item 2): listings whose page k+1 depends on
// what page k writes, and a store wrapper that makes page k's write wait until page k+1's
// preparation has read the store, so the pipeline's redo path runs on every store, even on ones
// whose writes never yield (memory, PGlite). The real store does every read and write.
import type { SyncEvent, SyncReport } from "../../src/events.js";
import type { Store } from "../../src/store/store.js";
import { createSyncEngine } from "../../src/sync/engine.js";
import { referenceExamples } from "../fixtures/reference-examples.js";
import { pagesOf, pageSourceClient } from "./page-source.js";

const T0 = Date.parse("2025-06-01T12:00:00.000Z");

/** Reference example A (co-sell) with its own id, customer, domain and `updatedDateTime`. */
export function coSellAt(id: string, customer: string, domain: string, minutesBeforeT0: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const a = structuredClone(referenceExamples.A) as Record<string, unknown> & { customerProfile: Record<string, unknown> };
  return {
    ...a,
    id,
    updatedDateTime: new Date(T0 - minutesBeforeT0 * 60_000).toISOString(),
    customerProfile: { ...a.customerProfile, name: customer, team: [{ firstName: "Jana", lastName: "K", email: `jana@${domain}` }] },
    details: { notes: `Customer site: https://www.${domain}/about` },
    ...extra,
  };
}

/**
 * Offset paging under a concurrent update: page 2 lists page 1's last referral again (same
 * content), and an older copy of another page-1 referral (other content). Sequentially both are
 * known when page 2 is processed: `unchanged` and `stale`, and neither upserts a company.
 */
export function repeatedIdListing(): unknown[][] {
  const first = [
    coSellAt("rep-1", "Alpenblick Logistik GmbH", "alpenblick-logistik.de", 1),
    coSellAt("rep-2", "Fabrikam Inc", "fabrikam.com", 2),
    coSellAt("rep-3", "Northwind Traders", "northwind-traders.com", 3),
  ];
  const olderCopy = coSellAt("rep-2", "Fabrikam Old Name", "fabrikam.com", 10, { status: "Active", substatus: "Accepted" });
  const second = [first[2] as Record<string, unknown>, olderCopy, coSellAt("rep-4", "Tailspin Toys", "tailspin-toys.com", 11)];
  const third = [coSellAt("rep-5", "Wingtip Toys", "wingtip-toys.com", 12)];
  return [first, second, third];
}

/**
 * Page 1 creates the company `alpenblick-logistik.de`; on page 2 one new referral has that domain
 * and one has another domain but the same customer name: sequentially both link to it.
 */
export function sharedCompanyListing(): unknown[][] {
  const first = [
    coSellAt("co-1", "Alpenblick Logistik GmbH", "alpenblick-logistik.de", 1),
    coSellAt("co-2", "Fabrikam Inc", "fabrikam.com", 2),
  ];
  const second = [
    coSellAt("co-3", "Alpenblick Vertrieb", "alpenblick-logistik.de", 3),
    coSellAt("co-4", "Alpenblick Logistik GmbH", "alpenblick-logistik.at", 4),
    coSellAt("co-5", "Tailspin Toys", "tailspin-toys.com", 5),
  ];
  const third = [coSellAt("co-6", "Wingtip Toys", "wingtip-toys.com", 6)];
  return [first, second, third];
}

/**
 * `store` with each page's write (but the last one's) held until the next page's context read
 * was issued. `overlapped` counts the writes that were held that way. Assumes one applyBatch per
 * page (pages without a failing referral; the empty probe is let through) and one context read
 * per page preparation.
 */
export function overlappingWrites<S extends Store>(store: S, pages: number): { store: S; readonly overlapped: number } {
  let reads = 0;
  let writes = 0;
  let overlapped = 0;
  const waiters: Array<{ reads: number; resume: () => void }> = [];
  const counted = (target: S, name: "getKnownReferrals" | "readPageContext") => async (...args: unknown[]) => {
    const promise = (target[name] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
    reads += 1;
    for (const waiter of waiters.splice(0)) {
      if (reads >= waiter.reads) waiter.resume();
      else waiters.push(waiter);
    }
    return promise;
  };
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (prop === "getKnownReferrals" || prop === "readPageContext") return counted(target, prop);
      if (prop !== "applyBatch") return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args);
      return async (...args: Parameters<Store["applyBatch"]>) => {
        // The engine's empty probe (is the store up?) is no page.
        if (args[0].referrals.length === 0) return target.applyBatch(...args);
        writes += 1;
        if (writes < pages) {
          const wanted = writes + 1;
          if (reads < wanted) await new Promise<void>((resume) => waiters.push({ reads: wanted, resume }));
          overlapped += 1;
        }
        return target.applyBatch(...args);
      };
    },
  });
  return {
    store: wrapped,
    get overlapped() {
      return overlapped;
    },
  };
}

/** An event without what differs between two runs (run id, time, generated company ids). */
function comparable(event: SyncEvent, companyDomains: Map<string, string>): Record<string, unknown> {
  const { at: _at, runId: _runId, ...rest } = event as SyncEvent & { runId?: unknown };
  const copy: Record<string, unknown> = { ...rest };
  if ("report" in copy) copy.report = (copy.report as SyncReport).counts;
  if (typeof copy.companyId === "string") copy.companyId = `company of ${companyDomains.get(copy.companyId) ?? "?"}`;
  return copy;
}

/** One full run of `listing` (pages of payloads) into `store`; events and rows in comparable form. */
export async function runListing(store: Store, listing: unknown[][]) {
  const { client } = pageSourceClient(() => pagesOf(listing));
  const engine = createSyncEngine({ client, store, enabled: true });
  const events: SyncEvent[] = [];
  engine.onAny((e) => events.push(e));
  const report = await engine.run({ trigger: "manual" });
  const domains = new Map<string, string>();
  for (const e of events) if (e.type === "company.upserted") domains.set(e.companyId, e.domain);
  const rows = (await store.queryInbox({ pageSize: 500 })).items.map((r) => ({
    referralId: r.referralId,
    status: r.status,
    customerName: r.customerName,
    linkStatus: r.linkStatus,
    linkedTo: r.linkedCompanyId === null ? null : (domains.get(r.linkedCompanyId) ?? "?"),
  }));
  return { report, events: events.map((e) => comparable(e, domains)), rows: rows.sort((a, b) => a.referralId.localeCompare(b.referralId)) };
}
