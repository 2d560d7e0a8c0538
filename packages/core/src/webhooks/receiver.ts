// createWebhookReceiver: acknowledges verified deliveries at once and syncs the named referral in
// the background (docs/architecture.md "Webhooks"): deduplicated (Microsoft retries up to 10
// times), coalesced per referral, one sync in flight per referral. Polling stays the safety net;
// the receiver counts what polling found that no webhook announced.
import { z } from "zod";
import { hasMethods, durationMs, loggerOption, parseOptions } from "../_options.js";
import type { SyncEvents } from "../events.js";
import { createMaskingLogger, silentLogger, type Logger } from "../logger.js";
import { summarizeError } from "../sync/report.js";
import { isReferralWebhookEvent, referralIdFromResourceUri, type PartnerCenterWebhookEvent } from "./event.js";

/** What the receiver needs of the engine: `syncReferral` and the events of polling runs. */
export interface WebhookSyncTarget extends Pick<SyncEvents, "on"> {
  syncReferral(id: string, options?: { reason?: "webhook"; signal?: AbortSignal }): Promise<{ outcome: string }>;
}

/** Options of {@link createWebhookReceiver}. */
export interface WebhookReceiverOptions {
  /** A sync engine (`createSyncEngine()`). */
  engine: WebhookSyncTarget;
  /** How long a delivery (event name + referral id + change date) is remembered as seen; default 24 h. */
  dedupeTtlMs?: number;
  /** Deliveries for one referral within this wait share one read; default 500 ms. */
  coalesceMs?: number;
  /** A referral polling stores within this long after a webhook named it counts as announced; default 10 minutes. */
  announceWindowMs?: number;
  /** Deliveries remembered for deduplication at most (oldest forgotten first); default 100 000. */
  maxTrackedDeliveries?: number;
  logger?: Logger;
  /** Clock in ms. */
  now?: () => number;
}

/** What {@link WebhookReceiver.accept} did with one event. */
export interface WebhookAcceptResult {
  /** `scheduled`: a sync will run; `coalesced`: one already waits or runs; `duplicate`: seen within the TTL; `ignored`: not a referral event. */
  outcome: "scheduled" | "coalesced" | "duplicate" | "ignored";
  referralId: string | null;
}

/** Counters since the receiver was created (kept in memory, per process: see docs/architecture.md "Webhooks"). */
export interface WebhookReceiverStatus {
  /** When the last delivery was accepted (ISO), or null. */
  lastReceivedAt: string | null;
  /** Deliveries accepted (duplicates and ignored events included). */
  received: number;
  /** Deliveries dropped as repeats within the dedupe TTL. */
  deduplicated: number;
  /** Deliveries folded into a sync already waiting or running for the same referral. */
  coalesced: number;
  /** Events that are not referral events (e.g. `test-created`) or name no referral id. */
  ignored: number;
  /** Background syncs finished, and how many of them failed. */
  synced: number;
  failed: number;
  /** Syncs waiting or running now. */
  pending: number;
  /** Referrals a polling run inserted or updated that no webhook had announced within the window: missed deliveries. */
  unannouncedByPolling: number;
}

/** Receives verified webhook events. */
export interface WebhookReceiver {
  /** Records the event and returns at once; the sync runs in the background. Never throws. */
  accept(event: PartnerCenterWebhookEvent): WebhookAcceptResult;
  status(): WebhookReceiverStatus;
  /** Starts every waiting sync now and resolves when none is waiting or running (tests, shutdown). */
  flush(): Promise<void>;
  /** Stops listening to the engine, then flushes. */
  close(): Promise<void>;
}

const optionsSchema = z.strictObject({
  engine: z.custom<WebhookSyncTarget>(hasMethods(["syncReferral", "on"]), "expected a sync engine with syncReferral() (createSyncEngine())"),
  dedupeTtlMs: durationMs({ min: 1 }).optional(),
  coalesceMs: durationMs({ min: 0 }).optional(),
  announceWindowMs: durationMs({ min: 1 }).optional(),
  maxTrackedDeliveries: z.number().int().min(1).max(10_000_000).optional(),
  logger: loggerOption.optional(),
  now: z.custom<() => number>((v) => typeof v === "function", "expected a function returning epoch ms").optional(),
});

interface ReferralState {
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  again: boolean;
}

/** Remembers keys until their expiry, bounded; expired keys are swept as new ones arrive. */
function createExpiringSet(max: number) {
  const entries = new Map<string, number>();
  let sweepAt = 0;
  return {
    has(key: string, at: number): boolean {
      const expiry = entries.get(key);
      return expiry !== undefined && expiry > at;
    },
    get: (key: string) => entries.get(key),
    add(key: string, expiresAt: number, at: number) {
      entries.delete(key); // Re-inserted at the end, so the oldest stays first.
      entries.set(key, expiresAt);
      if (entries.size > max || at >= sweepAt) {
        for (const [k, expiry] of entries) if (expiry <= at) entries.delete(k);
        sweepAt = at + 60_000;
      }
      while (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
  };
}

/**
 * Creates a receiver over an engine. Throws `ConfigError` for bad options.
 *
 * ```ts
 * const receiver = createWebhookReceiver({ engine, logger });
 * const verified = await verifier.verify(rawBody, headers);
 * if (verified.ok) receiver.accept(event); // then answer 200 at once
 * ```
 */
export function createWebhookReceiver(options: WebhookReceiverOptions): WebhookReceiver {
  const o = parseOptions(optionsSchema, options, "createWebhookReceiver");
  const engine = options.engine;
  const now = (options.now as (() => number) | undefined) ?? Date.now;
  const logger = createMaskingLogger(options.logger ?? silentLogger);
  const dedupeTtlMs = o.dedupeTtlMs ?? 86_400_000;
  const coalesceMs = o.coalesceMs ?? 500;
  const announceWindowMs = o.announceWindowMs ?? 600_000;
  const max = o.maxTrackedDeliveries ?? 100_000;
  const deliveries = createExpiringSet(max);
  const announced = createExpiringSet(max);
  const states = new Map<string, ReferralState>();
  const pollingRuns = new Set<string>();
  const counts = { received: 0, deduplicated: 0, coalesced: 0, ignored: 0, synced: 0, failed: 0, unannouncedByPolling: 0 };
  let lastReceivedAt: string | null = null;

  // Runs of engine.run() announce themselves with sync.started; syncReferral's runs do not.
  const unsubscribe = [
    engine.on("sync.started", (e) => pollingRuns.add(e.runId)),
    engine.on("sync.completed", (e) => pollingRuns.delete(e.runId)),
    engine.on("sync.failed", (e) => pollingRuns.delete(e.runId)),
    engine.on("referral.ingested", (e) => {
      if (!pollingRuns.has(e.runId)) return;
      if (announced.has(e.referralId, now())) return;
      counts.unannouncedByPolling += 1;
      logger.info({ runId: e.runId, referralId: e.referralId, outcome: e.outcome }, "webhook_missed");
    }),
  ];

  function start(id: string, state: ReferralState): void {
    state.timer = null;
    state.again = false;
    state.running = engine
      .syncReferral(id, { reason: "webhook" })
      .then(
        (result) => {
          counts.synced += 1;
          if (result.outcome === "failed") counts.failed += 1;
          logger.debug({ referralId: id, outcome: result.outcome }, "webhook_synced");
        },
        (error: unknown) => {
          counts.synced += 1;
          counts.failed += 1;
          logger.warn({ referralId: id, error: summarizeError(error) }, "webhook_sync_failed");
        },
      )
      .finally(() => {
        state.running = null;
        // A delivery that came during the read may describe a change the read missed: read once more.
        if (state.again) schedule(id, state);
        else states.delete(id);
      });
  }

  function schedule(id: string, state: ReferralState): void {
    state.timer = setTimeout(() => start(id, state), coalesceMs);
    state.timer.unref();
  }

  async function flush(): Promise<void> {
    for (;;) {
      const waiting = [...states.entries()];
      if (waiting.length === 0) return;
      for (const [id, state] of waiting) {
        if (state.timer !== null && state.running === null) {
          clearTimeout(state.timer);
          start(id, state);
        }
      }
      await Promise.all(waiting.map(([, s]) => s.running));
    }
  }

  return {
    accept(event) {
      const at = now();
      counts.received += 1;
      lastReceivedAt = new Date(at).toISOString();
      const id = isReferralWebhookEvent(event.eventName) ? referralIdFromResourceUri(event.resourceUri) : null;
      if (id === null) {
        counts.ignored += 1;
        logger.info({ eventName: event.eventName.slice(0, 100) }, "webhook_ignored");
        return { outcome: "ignored", referralId: null };
      }
      announced.add(id, at + announceWindowMs, at);
      const key = `${event.eventName.toLowerCase()}\u0000${id}\u0000${event.resourceChangeUtcDate ?? ""}`;
      if (deliveries.has(key, at)) {
        counts.deduplicated += 1;
        return { outcome: "duplicate", referralId: id };
      }
      deliveries.add(key, at + dedupeTtlMs, at);
      const state = states.get(id);
      if (state !== undefined) {
        counts.coalesced += 1;
        if (state.running !== null && state.timer === null) state.again = true;
        return { outcome: "coalesced", referralId: id };
      }
      const fresh: ReferralState = { timer: null, running: null, again: false };
      states.set(id, fresh);
      schedule(id, fresh);
      return { outcome: "scheduled", referralId: id };
    },
    status: () => ({ lastReceivedAt, ...counts, pending: states.size }),
    flush,
    async close() {
      for (const off of unsubscribe) off();
      await flush();
    },
  };
}
