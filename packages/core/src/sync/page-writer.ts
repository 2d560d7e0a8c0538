// One fetched page → processed, linked, written in one applyBatch, then reported. A failing
// referral is isolated; only a store that is down fails the page (and the run).
import type { ReferralPage, ReferralPageItem } from "../client/types.js";
import { StoreError } from "../errors.js";
import type { Logger } from "../logger.js";
import { normalizeCompanyName } from "../rules/company-name.js";
import { extractDomain } from "../rules/domain.js";
import { foldCompanyUpserts } from "../store/company-merge.js";
import type { BatchOutcome, CompanyOutcome, KnownReferral, LinkDecision, ProcessedPage, ProcessedReferral, ReferralOutcome } from "../store/store.js";
import type { DomainScanRunner } from "./domain-scans.js";
import type { EngineStore } from "./guarded-store.js";
import { keptLink, resolveLinks, type LinkResolutionDeps, type MatchLead } from "./link-resolution.js";
import { staleCopyIndexes } from "./page-dedupe.js";
import {
  pageItemId,
  pageItemUpdatedAtMs,
  processReferral,
  type KeepDecision,
  type ReferralProcessingConfig,
  type SkipDecision,
} from "./process-referral.js";
import { contentHash } from "./content-hash.js";
import { summarizeError, type RunRecorder } from "./report.js";

/** What writing a page needs from the run. */
export interface PageWriterContext {
  runId: string;
  store: EngineStore;
  processing: ReferralProcessingConfig;
  matchLead: MatchLead | undefined;
  /** Parallel `matchLead` calls. */
  matchLeadConcurrency: number;
  recorder: RunRecorder;
  scans: DomainScanRunner | null;
  logger: Logger;
  now: () => number;
  /** Referrals dated later than this (epoch ms) are future-dated: stored, reported, never moving the mark. */
  capMs: number;
  /** The run lease every write asks the store to renew ({@link ProcessedPage.lease}); absent for none. */
  lease?: { owner: string; ttlMs: number } | undefined;
}

/** Timestamps (epoch ms) the cursor logic needs from a written page. */
export interface PageWriteResult {
  /** Newest `updatedDateTime` among the page's valid referrals, future-dated ones left out. */
  newestMs: number | null;
  /** Oldest `updatedDateTime` among the referrals that failed. */
  oldestFailedMs: number | null;
  /** Each referral that failed, for the cross-run failure bookkeeping (quarantine.ts). */
  failures: FailedReferral[];
  /** Ids of the referrals that went through: written, unchanged or skipped. */
  succeeded: string[];
  /** Referrals inserted or updated, with their `updatedDateTime` (reconcile.ts counts the missed ones). */
  changed: Array<{ referralId: string; updatedAtMs: number | null }>;
  /**
   * What the store said of `ctx.lease` when it renewed it with the page's writes (`renewed: false`
   * if any write found the lease taken); absent when no write renewed it, so the caller renews.
   */
  lease?: LeaseOutcome;
}

type LeaseOutcome = NonNullable<BatchOutcome["lease"]>;

/** A referral of the page that failed. */
export interface FailedReferral {
  referralId: string;
  updatedAtMs: number | null;
  contentHash: string | null;
  error: unknown;
}

type Slot =
  | SkipDecision
  | { kind: "stale"; referralId: string }
  | { kind: "fail"; referralId: string; error: unknown }
  | (KeepDecision & { link?: LinkDecision; outcome?: ReferralOutcome | undefined });

/**
 * What a written page changed that a page prepared before it was written may have read stale
 * (docs/architecture.md "Pipelined pages"): the referrals it wrote and the companies it created.
 */
export interface PageTouch {
  /** Ids with an outcome (inserted, updated, unchanged or stale): their known row is this page's now. */
  referralIds: ReadonlySet<string>;
  /** Domains and normalized names of the companies the page created: new link candidates. */
  createdDomains: ReadonlySet<string>;
  createdNames: ReadonlySet<string>;
}

/**
 * A fetched page processed against the store as it was read: known referrals, decisions, and
 * (without a `matchLead` hook) links. Nothing of it is written yet, and no event was emitted.
 */
export interface PreparedPage {
  readonly page: ReferralPage;
  /** @internal */
  readonly state: PreparedState;
}

interface PreparedState {
  slots: Slot[];
  findCompanies: FindCompanies;
  /** The store read failed: the page's write rethrows it (after its `page.fetched`). */
  failure: { error: unknown } | null;
}

/** Processes and writes one page; rejects only on a run-level failure (store down). */
export async function writePage(page: ReferralPage, ctx: PageWriterContext): Promise<PageWriteResult> {
  return commitPage(await preparePage(page, ctx), ctx, null);
}

/**
 * Reads what the store knows of the page and decides every referral, without writing or
 * emitting anything, so it can run while the page before is being written. Never rejects: a
 * store failure is kept and thrown by {@link commitPage}. The store read is issued before the
 * first `await`, which the pipeline relies on to tell whether it saw the page before.
 */
export async function preparePage(page: ReferralPage, ctx: PageWriterContext): Promise<PreparedPage> {
  const state: PreparedState = { slots: [], findCompanies: async () => [], failure: null };
  try {
    const { known, findCompanies } = await readContext(page, ctx);
    state.findCompanies = findCompanies;
    const stale = staleCopyIndexes(page.referrals);
    state.slots = page.referrals.map((item, index) => (stale.has(index) ? { kind: "stale", referralId: pageItemId(item) ?? "" } : decide(item, known, ctx)));
    // A host's matchLead is asked only once the pages before are written, as in sequential runs.
    if (ctx.matchLead === undefined) await assignLinks(state.slots, ctx, findCompanies);
  } catch (error) {
    state.failure = { error };
  }
  return { page, state };
}

function decide(item: ReferralPageItem, known: ReadonlyMap<string, KnownReferral>, ctx: PageWriterContext): Slot {
  try {
    return processReferral(item, item.ok ? known.get(item.referral.id) : undefined, ctx.processing);
  } catch (error) {
    return { kind: "fail", referralId: pageItemId(item) ?? "", error };
  }
}

/**
 * Writes a prepared page and reports it. `previous` is what the page written after this one was
 * prepared changed (null when the preparation already saw it): only the referrals it wrote are
 * decided again, and only the links a company it created could change are resolved again, so
 * outcomes and events are exactly those of preparing this page now.
 */
export async function commitPage(prepared: PreparedPage, ctx: PageWriterContext, previous: PageTouch | null): Promise<PageWriteResult & { touched: PageTouch }> {
  const { page, state } = prepared;
  const { recorder } = ctx;
  recorder.pageFetched(page.pageNumber, page.referrals.length);
  if (state.failure !== null) throw state.failure.error;
  const { slots } = state;
  if (previous !== null) await refresh(page, state, previous, ctx);
  await assignLinks(slots, ctx, state.findCompanies);

  const written = await applyWithIsolation(slots, ctx);
  report(slots, page.pageNumber, recorder);
  for (const company of written.companies) recorder.companyUpserted(company);
  await requestScans(slots, ctx);
  const result: PageWriteResult & { touched: PageTouch } = { ...timestamps(page, slots, ctx), ...outcomes(page, slots), touched: touchOf(slots, written.companies) };
  if (written.lease !== undefined) result.lease = written.lease;
  return result;
}

/** Redoes the parts of a page prepared before `previous` was written that the write changed. */
async function refresh(page: ReferralPage, state: PreparedState, previous: PageTouch, ctx: PageWriterContext): Promise<void> {
  const { slots } = state;
  const rewritten = new Set<string>();
  page.referrals.forEach((item, i) => {
    if (item.ok && slots[i]?.kind !== "stale" && previous.referralIds.has(item.referral.id)) rewritten.add(item.referral.id);
  });
  if (rewritten.size > 0) {
    const known = await ctx.store.getKnownReferrals([...rewritten]);
    page.referrals.forEach((item, i) => {
      if (item.ok && rewritten.has(item.referral.id) && slots[i]?.kind !== "stale") slots[i] = decide(item, known, ctx);
    });
  }
  if (previous.createdDomains.size === 0 && previous.createdNames.size === 0) return;
  // The companies read with the page predate the new ones: ask the store from now on.
  state.findCompanies = (query) => ctx.store.findCompanies(query);
  for (const slot of slots) {
    if (slot.kind !== "keep" || slot.known !== null || slot.link === undefined) continue;
    const { domain } = slot.referral;
    const name = slot.normalizedName;
    if ((domain !== null && previous.createdDomains.has(domain)) || (name !== null && previous.createdNames.has(name))) delete slot.link;
  }
}

function touchOf(slots: readonly Slot[], companies: readonly CompanyOutcome[]): PageTouch {
  const referralIds = new Set<string>();
  const created = new Set<string>();
  for (const c of companies) if (c.created) created.add(c.domain);
  const createdNames = new Set<string>();
  for (const slot of slots) {
    if (slot.kind !== "keep" || slot.outcome === undefined) continue;
    referralIds.add(slot.referral.referralId);
    // Every name sent for a created domain counts: which one the store kept does not matter here.
    if (slot.company !== null && created.has(slot.company.domain) && slot.company.normalizedName !== null) createdNames.add(slot.company.normalizedName);
  }
  return { referralIds, createdDomains: created, createdNames };
}

type FindCompanies = LinkResolutionDeps["findCompanies"];

/**
 * The known referrals of the page and a link-candidate lookup: one `readPageContext` round trip
 * when the store has it (its companies answer every lookup of the page, being a superset), else
 * `getKnownReferrals` now and `findCompanies` when links need it.
 */
async function readContext(page: ReferralPage, ctx: PageWriterContext): Promise<{ known: Map<string, KnownReferral>; findCompanies: FindCompanies }> {
  const { store } = ctx;
  const valid = page.referrals.filter((i) => i.ok);
  const ids = [...new Set(valid.map((i) => i.referral.id))];
  if (store.readPageContext === undefined) {
    const known = ids.length === 0 ? new Map<string, KnownReferral>() : await store.getKnownReferrals(ids);
    return { known, findCompanies: (query) => store.findCompanies(query) };
  }
  if (ids.length === 0) return { known: new Map(), findCompanies: async () => [] };
  const domains = new Set<string>();
  const names = new Set<string>();
  for (const item of valid) {
    try {
      const domain = extractDomain(item.referral, ctx.processing.rules.domain).domain;
      if (domain !== null && domain !== "") domains.add(domain);
      const name = normalizeCompanyName(typeof item.referral.customerProfile?.name === "string" ? item.referral.customerProfile.name : null);
      if (name !== null && name !== "") names.add(name);
    } catch {
      // processReferral meets the same error and fails this referral alone.
    }
  }
  const context = await store.readPageContext({ referralIds: ids, domains: [...domains], normalizedNames: [...names] });
  const companies = Array.isArray(context?.companies) ? context.companies : [];
  const known = context?.known instanceof Map ? context.known : new Map<string, KnownReferral>();
  return {
    known,
    findCompanies: async (query) => {
      const wanted = new Set(query.domains);
      const wantedNames = new Set(query.normalizedNames);
      return companies.filter((c) => wanted.has(c.domain) || (c.normalizedName !== null && wantedNames.has(c.normalizedName)));
    },
  };
}

/** Links every kept slot that has none yet. */
async function assignLinks(slots: Slot[], ctx: PageWriterContext, findCompanies: FindCompanies): Promise<void> {
  const fresh: Array<KeepDecision & { link?: LinkDecision }> = [];
  for (const slot of slots) {
    if (slot.kind !== "keep" || slot.link !== undefined) continue;
    if (slot.known === null) fresh.push(slot);
    else slot.link = keptLink(slot.known.linkStatus, slot.known.linkedCompanyId);
  }
  if (fresh.length === 0) return;
  const links = await resolveLinks(
    fresh.map((s) => ({
      referralId: s.referral.referralId,
      domain: s.referral.domain,
      customerName: s.referral.customerName,
      normalizedName: s.normalizedName,
    })),
    { matchLead: ctx.matchLead, concurrency: ctx.matchLeadConcurrency, findCompanies },
  );
  fresh.forEach((slot, i) => {
    const resolved = links[i];
    if (resolved?.ok) slot.link = resolved.link;
    else replaceWithFailure(slots, slot, resolved?.error ?? new Error("link resolution returned nothing"));
  });
}

function replaceWithFailure(slots: Slot[], slot: Slot, error: unknown): void {
  const index = slots.indexOf(slot);
  if (index >= 0 && slot.kind === "keep") slots[index] = { kind: "fail", referralId: slot.referral.referralId, error };
}

type KeptSlot = KeepDecision & { link: LinkDecision; outcome?: ReferralOutcome | undefined };

function kept(slots: Slot[]): KeptSlot[] {
  return slots.filter((s): s is KeptSlot => s.kind === "keep" && s.link !== undefined);
}

function toProcessed(slot: KeptSlot): ProcessedReferral {
  return { ...slot.referral, link: slot.link };
}

function pageOf(ctx: PageWriterContext, syncedAt: string, batch: KeptSlot[]): ProcessedPage {
  const page: ProcessedPage = {
    runId: ctx.runId,
    syncedAt,
    referrals: batch.map(toProcessed),
    companies: foldCompanyUpserts(batch.flatMap((s) => (s.company === null ? [] : [s.company]))),
  };
  if (ctx.lease !== undefined) page.lease = { ...ctx.lease };
  return page;
}

async function applyChecked(ctx: PageWriterContext, page: ProcessedPage): Promise<BatchOutcome> {
  const outcome = await ctx.store.applyBatch(page);
  if (!outcome || !Array.isArray(outcome.referrals) || outcome.referrals.length !== page.referrals.length) {
    throw new StoreError("applyBatch must return one outcome per referral, in input order.");
  }
  const checked: BatchOutcome = { referrals: outcome.referrals, companies: Array.isArray(outcome.companies) ? outcome.companies : [] };
  // Only a lease the page asked for counts; anything malformed means "not renewed here" and the engine renews itself.
  const lease: unknown = outcome.lease;
  if (page.lease !== undefined && typeof lease === "object" && lease !== null && typeof (lease as LeaseOutcome).renewed === "boolean") {
    const { renewed, expiresAt } = lease as LeaseOutcome;
    checked.lease = { renewed, expiresAt: typeof expiresAt === "string" ? expiresAt : null };
  }
  return checked;
}

/** A lease lost in any write of the page stays lost. */
function mergeLease(seen: LeaseOutcome | undefined, next: LeaseOutcome | undefined): LeaseOutcome | undefined {
  if (next === undefined) return seen;
  return seen?.renewed === false ? seen : next;
}

/**
 * Writes the kept referrals in one batch. When the batch fails, an empty batch probes the store:
 * if that fails too the store is down and the run fails; otherwise each referral is written on
 * its own and only the ones the store rejects (e.g. a value PostgreSQL cannot hold) fail.
 */
async function applyWithIsolation(slots: Slot[], ctx: PageWriterContext): Promise<{ companies: CompanyOutcome[]; lease?: LeaseOutcome }> {
  const batch = kept(slots);
  if (batch.length === 0) return { companies: [] };
  const syncedAt = new Date(ctx.now()).toISOString();
  const probe = () => applyChecked(ctx, { runId: ctx.runId, syncedAt, referrals: [], companies: [] });
  try {
    const outcome = await applyChecked(ctx, pageOf(ctx, syncedAt, batch));
    batch.forEach((slot, i) => (slot.outcome = outcome.referrals[i]));
    return outcome.lease === undefined ? { companies: outcome.companies } : { companies: outcome.companies, lease: outcome.lease };
  } catch (error) {
    try {
      await probe();
    } catch {
      throw error;
    }
    ctx.logger.warn({ runId: ctx.runId, error: summarizeError(error), size: batch.length }, "page_write_isolating");
  }
  const companies = new Map<string, CompanyOutcome>();
  let lease: LeaseOutcome | undefined;
  for (const slot of batch) {
    try {
      const outcome = await applyChecked(ctx, pageOf(ctx, syncedAt, [slot]));
      slot.outcome = outcome.referrals[0];
      lease = mergeLease(lease, outcome.lease);
      for (const c of outcome.companies) {
        const seen = companies.get(c.domain);
        companies.set(c.domain, seen ? { ...seen, created: seen.created || c.created } : c);
      }
    } catch (error) {
      await probe().catch(() => {
        throw error;
      });
      replaceWithFailure(slots, slot, error);
    }
  }
  return lease === undefined ? { companies: [...companies.values()] } : { companies: [...companies.values()], lease };
}

function report(slots: readonly Slot[], pageNumber: number, recorder: RunRecorder): void {
  slots.forEach((slot, index) => {
    if (slot.kind === "stale") {
      recorder.stale();
    } else if (slot.kind === "skip") {
      recorder.skipped({ id: slot.referralId, page: pageNumber, index }, slot.reason, slot.issues);
    } else if (slot.kind === "fail") {
      recorder.failed(slot.referralId, slot.error);
    } else if (slot.outcome !== undefined) {
      const { outcome } = slot;
      const r = slot.referral;
      if (outcome.outcome === "unchanged") {
        recorder.unchanged();
        return;
      }
      if (outcome.outcome === "stale") {
        recorder.stale();
        return;
      }
      recorder.ingested({
        referralId: r.referralId,
        referralType: r.referralType,
        outcome: outcome.outcome,
        domain: r.domain,
        linkStatus: outcome.linkStatus,
        score: r.scoring.score,
      });
      if (outcome.outcome === "updated" && (outcome.previousStatus !== r.status || outcome.previousSubstatus !== r.substatus)) {
        recorder.statusChanged({
          referralId: r.referralId,
          from: { status: outcome.previousStatus, substatus: outcome.previousSubstatus },
          to: { status: r.status, substatus: r.substatus },
        });
      }
    }
  });
}

async function requestScans(slots: readonly Slot[], ctx: PageWriterContext): Promise<void> {
  // Without a scanner nothing is claimed: a scanner configured later must still see these domains.
  if (!ctx.scans) return;
  const domains = new Set<string>();
  for (const slot of slots) {
    if (slot.kind !== "keep" || slot.company === null) continue;
    if (slot.outcome?.outcome === "inserted" || slot.outcome?.outcome === "updated") domains.add(slot.company.domain);
  }
  if (domains.size === 0) return;
  let claimed: string[];
  try {
    claimed = await ctx.store.claimDomainScans([...domains]);
  } catch (error) {
    // Unclaimed domains are claimed again the next time a referral of theirs is written.
    ctx.logger.warn({ runId: ctx.runId, error: summarizeError(error) }, "domain_scan_claim_failed");
    return;
  }
  for (const domain of claimed) ctx.recorder.scanRequested(domain);
  ctx.scans.enqueue(claimed);
}

/** Also reports the future-dated referrals, which the mark must never follow (issue 9 item 1). */
function timestamps(page: ReferralPage, slots: readonly Slot[], ctx: PageWriterContext): Pick<PageWriteResult, "newestMs" | "oldestFailedMs"> {
  let newestMs: number | null = null;
  let oldestFailedMs: number | null = null;
  page.referrals.forEach((item, i) => {
    const ms = item.ok ? pageItemUpdatedAtMs(item) : null;
    if (ms === null || !item.ok || slots[i]?.kind === "stale") return;
    if (ms > ctx.capMs) {
      ctx.recorder.futureDated({ referralId: item.referral.id, updatedAt: item.referral.updatedDateTime ?? "" });
      return;
    }
    if (newestMs === null || ms > newestMs) newestMs = ms;
    if (slots[i]?.kind === "fail" && (oldestFailedMs === null || ms < oldestFailedMs)) oldestFailedMs = ms;
  });
  return { newestMs, oldestFailedMs };
}

function outcomes(page: ReferralPage, slots: readonly Slot[]): Pick<PageWriteResult, "failures" | "succeeded" | "changed"> {
  const result: Pick<PageWriteResult, "failures" | "succeeded" | "changed"> = { failures: [], succeeded: [], changed: [] };
  slots.forEach((slot, i) => {
    const item = page.referrals[i];
    const updatedAtMs = item?.ok ? pageItemUpdatedAtMs(item) : null;
    if (slot.kind === "fail") {
      // Hashed here: a hook may have thrown before processReferral computed it.
      const hash = item?.ok ? contentHash(item.referral) : null;
      result.failures.push({ referralId: slot.referralId, updatedAtMs, contentHash: hash, error: slot.error });
    } else if (slot.kind === "skip") {
      if (slot.referralId !== null) result.succeeded.push(slot.referralId);
    } else if (slot.kind === "stale") {
      // The page's newer copy of the same referral decides; this one neither fails nor succeeds.
    } else if (slot.outcome !== undefined) {
      result.succeeded.push(slot.referral.referralId);
      const { outcome } = slot.outcome;
      if (outcome === "inserted" || outcome === "updated") result.changed.push({ referralId: slot.referral.referralId, updatedAtMs });
    }
  });
  return result;
}
