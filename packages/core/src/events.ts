/**
 * Typed events of the sync engine and the client.
 *
 * Each event is one documented payload object (graphile-worker style). Payloads carry ids and
 * counts, never contact data or tokens, so they are safe to forward to logs, metrics and SSE.
 *
 * ```ts
 * const off = engine.on("referral.skipped", (e) => metrics.inc(e.reason)); // e is fully typed
 * engine.onAny((e) => stream.writeSSE({ event: e.type, data: JSON.stringify(e) }));
 * ```
 */
import { z } from "zod";
import type { ErrorCode, ReferralActionName } from "./errors.js";
import { parseOptions } from "./_options.js";
import type { ReferralType, SkipReason } from "./referral.js";
import type { LinkStatus, SyncRunRecord, SyncTrigger, SyncWarning } from "./store/store.js";

/** `{ code, message }` of an error, as carried by events and reports. */
export interface ErrorSummary {
  code: ErrorCode | "internal";
  message: string;
}

/**
 * The result of one `engine.run()`. `warnings` (see `SyncWarning`) never change `status`: a run
 * with only warnings is `succeeded`, and the warnings are logged (`logger.warn`) and kept here.
 */
export interface SyncReport extends SyncRunRecord {
  status: "succeeded" | "partial" | "failed" | "skipped";
  finishedAt: string;
  durationMs: number;
  /** The incremental mark before the run and after it (unchanged unless the run succeeded or was partial). */
  cursor: { previous: string | null; next: string | null };
  /** Referrals this run put in quarantine (their failures no longer hold the mark back). */
  quarantined: string[];
  /** `missed_by_incremental`, `referrals_quarantined`: what an operator should look at. */
  warnings: SyncWarning[];
}

/** Every event, by name, with its payload (without the `type` and `at` every event also has). */
export interface SyncEventMap {
  /** A run took the lock and began. */
  "sync.started": { runId: string; trigger: SyncTrigger; full: boolean };
  /** A page of referrals arrived from Partner Center (1-based page number). */
  "page.fetched": { runId: string; page: number; count: number };
  /** A referral was stored for the first time (`inserted`) or with changed content (`updated`). */
  "referral.ingested": {
    runId: string;
    referralId: string;
    referralType: ReferralType;
    outcome: "inserted" | "updated";
    domain: string | null;
    linkStatus: LinkStatus;
    score: number | null;
  };
  /**
   * A referral was not ingested; `reason` says which rule decided. A payload without a usable
   * id is reported as `page-<n>/item-<m>` (its position in the listing).
   */
  "referral.skipped": { runId: string; referralId: string; reason: SkipReason };
  /**
   * A referral's `updatedDateTime` lies past the run's start plus `clockSkewAllowanceMs`. It is
   * stored as usual but never moves the incremental mark (`updatedAt` as sent).
   */
  "referral.future_dated": { runId: string; referralId: string; updatedAt: string };
  /** Processing one referral failed; the rest of its page still lands. */
  "referral.failed": { runId: string; referralId: string; error: ErrorSummary };
  /**
   * A referral failed in `failures` consecutive runs and is quarantined: the mark moves past it.
   * It is still processed whenever it is read (a full run reads it) and leaves quarantine once it
   * goes through or its content changes.
   */
  "referral.quarantined": { runId: string; referralId: string; failures: number };
  /** A stored referral moved to another status or substatus (e.g. New → Closed/Won). */
  "referral.status_changed": {
    runId: string;
    referralId: string;
    from: { status: string | null; substatus: string | null };
    to: { status: string | null; substatus: string | null };
  };
  /**
   * A write-back action finished (`createReferralActions`): who asked, what, and how it ended, as the
   * audit record `auditId` keeps it. A status it changed also fires `referral.status_changed`
   * from the re-read that follows, under that re-read's `runId`.
   */
  "referral.action": {
    referralId: string;
    action: ReferralActionName;
    actor: string | null;
    outcome: "succeeded" | "conflict" | "refused" | "failed";
    /** Partner Center's `request-id` of the PATCH, when one was answered. */
    requestId: string | null;
    auditId: string;
  };
  /** A company was created or updated by a referral of this run. */
  "company.upserted": { runId: string; companyId: string; domain: string; created: boolean };
  /** A domain was claimed for its one-time scan. */
  "domain.scan_requested": { runId: string; domain: string };
  /** Partner Center asked us to slow down (429/503); the client waits `delayMs` and retries. */
  rate_limited: { runId: string | null; attempt: number; delayMs: number; status: number; requestId: string | null };
  /** No usable token: a person must run the device-code login again. */
  "auth.required": { runId: string | null; message: string };
  /** The run finished as succeeded, partial or skipped. */
  "sync.completed": { runId: string; report: SyncReport };
  /** The run failed as a whole (auth, network, store); nothing past the last durable page is lost. */
  "sync.failed": { runId: string; error: ErrorSummary; report: SyncReport };
}

/** Name of an event. */
export type SyncEventName = keyof SyncEventMap;

/** An event as delivered to listeners: its payload plus `type` and `at` (ISO time). */
export type SyncEventOf<K extends SyncEventName> = { type: K; at: string } & SyncEventMap[K];

/** Any event; narrow it with `switch (e.type)`. */
export type SyncEvent = { [K in SyncEventName]: SyncEventOf<K> }[SyncEventName];

/** Subscribe with full type inference; every `on` returns its unsubscribe function. */
export interface SyncEvents {
  on<K extends SyncEventName>(type: K, listener: (event: SyncEventOf<K>) => void): () => void;
  onAny(listener: (event: SyncEvent) => void): () => void;
}

/** An emitter of {@link SyncEventMap}: what the engine exposes, plus `emit` for the producer. */
export interface SyncEventEmitter extends SyncEvents {
  emit<K extends SyncEventName>(type: K, payload: SyncEventMap[K]): void;
}

const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", `expected ${what}`);
const emitterOptionsSchema = z
  .strictObject({
    onListenerError: fn("a function (error, type) => void").optional(),
    now: fn("a function returning a Date").optional(),
  })
  .optional();

/**
 * Creates an emitter. Emitting is synchronous; a listener that throws is reported to
 * `onListenerError` (the engine logs it as `listener_failed`) and never stops the others.
 */
export function createEventEmitter(options?: {
  onListenerError?: (error: unknown, type: SyncEventName) => void;
  now?: () => Date;
}): SyncEventEmitter {
  parseOptions(emitterOptionsSchema, options, "createEventEmitter");
  const listeners = new Map<SyncEventName, Set<(event: SyncEvent) => void>>();
  const anyListeners = new Set<(event: SyncEvent) => void>();
  const now = options?.now ?? (() => new Date());

  const subscribe = (set: Set<(event: SyncEvent) => void>, listener: (event: SyncEvent) => void) => {
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };

  return {
    on(type, listener) {
      let set = listeners.get(type);
      if (!set) {
        set = new Set();
        listeners.set(type, set);
      }
      return subscribe(set, listener as unknown as (event: SyncEvent) => void);
    },
    onAny(listener) {
      return subscribe(anyListeners, listener);
    },
    emit(type, payload) {
      const event = { ...payload, type, at: now().toISOString() } as SyncEvent;
      // Copy first: a listener may unsubscribe (itself or another) while we iterate.
      for (const listener of [...(listeners.get(type) ?? []), ...anyListeners]) {
        try {
          listener(event);
        } catch (error) {
          try {
            options?.onListenerError?.(error, type);
          } catch {
            // The error hook itself failed; an emitter must never throw into its producer.
          }
        }
      }
    },
  };
}
