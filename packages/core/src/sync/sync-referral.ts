// engine.syncReferral: one referral read from Partner Center and written as a one-item page, beside
// (never instead of) the runs: no run lock, no run record, the cursor untouched (docs/architecture.md
// "Syncing one referral"). The store's stale-copy rule keeps it safe next to a running sync.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { PartnerCenterClient, ReferralPage } from "../client/types.js";
import { AbortedError, InvalidInputError, PcReferralsError } from "../errors.js";
import type { SyncEventEmitter } from "../events.js";
import type { Logger } from "../logger.js";
import { SKIP_REASONS, type SkipReason } from "../referral.js";
import type { DomainScanRunner } from "./domain-scans.js";
import type { EngineStore } from "./guarded-store.js";
import type { MatchLead } from "./link-resolution.js";
import { writePage, type PageWriterContext } from "./page-writer.js";
import type { ReferralProcessingConfig } from "./process-referral.js";
import { createRunRecorder, summarizeError } from "./report.js";

/** Why a referral was synced on its own (logged; the events are the same whatever the reason). */
export type SyncReferralReason = "webhook" | "action" | "manual";

/** Options of `engine.syncReferral`. */
export interface SyncReferralOptions {
  reason?: SyncReferralReason;
  signal?: AbortSignal;
}

/**
 * What `engine.syncReferral` did with the referral. `inserted`/`updated`/`unchanged`/`stale` are
 * the store's outcomes (`stale`: the store already holds a newer copy); `skipped` names the rule in
 * `skipReason`; `failed` carries the error (the referral itself could not be processed or stored);
 * `not_found`: Partner Center answered 404, nothing was written.
 */
export interface SyncReferralResult {
  referralId: string;
  /** The id the events of this call carry (and the `MS-CorrelationId` of its request). */
  runId: string;
  outcome: "inserted" | "updated" | "unchanged" | "stale" | "skipped" | "failed" | "not_found";
  skipReason?: SkipReason;
  error?: { code: string; message: string };
}

/** What syncing one referral needs from its engine. */
export interface ReferralSyncerDeps {
  client: Partial<Pick<PartnerCenterClient, "getReferral">>;
  store: EngineStore;
  processing: ReferralProcessingConfig;
  matchLead: MatchLead | undefined;
  emitter: SyncEventEmitter;
  logger: Logger;
  now: () => number;
  clockSkewAllowanceMs: number;
  maxReportedErrors: number;
  /** A scan runner for this call's run id, or null without a scanner. */
  scans: (runId: string) => DomainScanRunner | null;
}

const optionsSchema = z
  .strictObject({
    reason: z.enum(["webhook", "action", "manual"]).default("manual"),
    signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, "expected an AbortSignal").optional(),
  })
  .default({ reason: "manual" });

function parseArguments(id: unknown, options: unknown): { id: string; reason: SyncReferralReason; signal: AbortSignal | undefined } {
  if (typeof id !== "string" || id.trim() === "") throw new InvalidInputError("syncReferral needs a referral id (a non-empty string).");
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${["syncReferral", ...i.path.map(String)].join(".")}: ${i.message}`).join("; ");
    throw new InvalidInputError(`Invalid syncReferral options: ${detail}`);
  }
  return { id: id.trim(), reason: parsed.data.reason, signal: parsed.data.signal };
}

/** Returns `syncReferral`; concurrent calls for one id share one request and one write (single flight per id). */
export function createReferralSyncer(deps: ReferralSyncerDeps) {
  const inFlight = new Map<string, Promise<SyncReferralResult>>();
  // page.fetched belongs to runs (it counts pages in the metrics); the rest is emitted as a run would.
  const emitter: SyncEventEmitter = {
    on: (type, listener) => deps.emitter.on(type, listener),
    onAny: (listener) => deps.emitter.onAny(listener),
    emit: (type, payload) => {
      if (type !== "page.fetched") deps.emitter.emit(type, payload);
    },
  };

  async function once(id: string, reason: SyncReferralReason, signal: AbortSignal | undefined): Promise<SyncReferralResult> {
    const runId = randomUUID();
    const { client } = deps;
    if (typeof client.getReferral !== "function") {
      throw new InvalidInputError("syncReferral needs a client with getReferral (createPartnerCenterClient has it).");
    }
    signal?.throwIfAborted();
    let referral;
    try {
      referral = await client.getReferral(id, { ...(signal ? { signal } : {}), correlationId: runId });
    } catch (error) {
      if (signal?.aborted && !PcReferralsError.hasCode(error, "aborted")) throw new AbortedError(undefined, { cause: error });
      throw error;
    }
    if (referral === null) {
      deps.logger.info({ runId, referralId: id, reason }, "referral_sync_not_found");
      return { referralId: id, runId, outcome: "not_found" };
    }
    const startMs = deps.now();
    const recorder = createRunRecorder({
      runId,
      trigger: "api",
      full: false,
      startedAt: new Date(startMs).toISOString(),
      emitter,
      maxErrors: deps.maxReportedErrors,
    });
    const scans = deps.scans(runId);
    const ctx: PageWriterContext = {
      runId,
      store: deps.store,
      processing: deps.processing,
      matchLead: deps.matchLead,
      matchLeadConcurrency: 1,
      recorder,
      scans,
      logger: deps.logger,
      now: deps.now,
      capMs: startMs + deps.clockSkewAllowanceMs,
    };
    const page: ReferralPage = { pageNumber: 1, referrals: [{ ok: true, referral }], rawCount: null, nextLink: null };
    const written = await writePage(page, ctx);
    // Scans finish in the background, as they would after a run's page; drain() never rejects.
    if (scans) void scans.drain();
    const result = resultOf(id, runId, recorder.counts, written.failures[0]?.error);
    deps.logger.info({ runId, referralId: id, reason, outcome: result.outcome }, "referral_synced");
    return result;
  }

  return function syncReferral(id: string, options?: SyncReferralOptions): Promise<SyncReferralResult> {
    const parsed = parseArguments(id, options);
    const running = inFlight.get(parsed.id);
    if (running) return running;
    const work = once(parsed.id, parsed.reason, parsed.signal).finally(() => inFlight.delete(parsed.id));
    inFlight.set(parsed.id, work);
    return work;
  };
}

type Counts = ReturnType<typeof createRunRecorder>["counts"];

// A one-item page moves exactly one count; which one is the outcome.
function resultOf(referralId: string, runId: string, counts: Counts, failure: unknown): SyncReferralResult {
  if (counts.failed > 0) return { referralId, runId, outcome: "failed", error: summarizeError(failure) };
  if (counts.ingested > 0) return { referralId, runId, outcome: "inserted" };
  if (counts.updated > 0) return { referralId, runId, outcome: "updated" };
  if (counts.unchanged > 0) return { referralId, runId, outcome: "unchanged" };
  if (counts.stale > 0) return { referralId, runId, outcome: "stale" };
  const skipReason = SKIP_REASONS.find((r) => counts.skipped[r] > 0);
  if (skipReason !== undefined) return { referralId, runId, outcome: "skipped", skipReason };
  return { referralId, runId, outcome: "failed", error: { code: "internal", message: "The referral was neither written nor skipped." } };
}
