// Custom code on the engine's typed events: every newly inserted co-sell referral becomes one
// chat message, and so does every `referral.expiring` warning (a referral about to close as
// Expired because nobody answered it), posted with undici. Posting happens off the event (listeners must stay
// synchronous and fast), one message at a time, and a failing webhook never fails a sync.
import type { Logger, Store, SyncEventOf, SyncEvents } from "@pc-referrals/core";
import { ConfigError, silentLogger } from "@pc-referrals/core";
import { request, type Dispatcher } from "undici";

export interface ForwardOptions {
  /** Incoming-webhook URL of the chat (Slack, Teams, Mattermost: all take `{ "text": … }`). */
  webhookUrl: string;
  /** Read for the customer name and the domain's company, which events never carry. */
  store: Pick<Store, "getReferral">;
  /** Attempts per message on a network error, 429 or 5xx. Default 3. */
  attempts?: number;
  /** Wait before a retry, doubled each time (a `Retry-After` in seconds wins). Default 500 ms. */
  retryDelayMs?: number;
  /** Also post each `referral.expiring` warning (every referral type; the scheduler's tick emits them). Default true. */
  expiring?: boolean;
  /** undici dispatcher (a proxy `Agent`, or a `MockAgent` in tests). */
  dispatcher?: Dispatcher;
  logger?: Logger;
}

export interface Forwarder {
  /** Resolves once every message queued so far was posted or given up. */
  flush(): Promise<void>;
  /** Unsubscribes; messages already queued are still sent (await `flush()`). */
  stop(): void;
  /** Messages posted and messages given up since start. */
  readonly stats: { posted: number; failed: number };
}

type Ingested = SyncEventOf<"referral.ingested">;
type Expiring = SyncEventOf<"referral.expiring">;

/** The chat message of one referral: plain text, no contact data of any person. */
export function messageFor(event: Ingested, customerName: string | null): { text: string } {
  const who = customerName ?? "(no customer name)";
  const where = event.domain === null ? "" : ` (${event.domain})`;
  const score = event.score === null ? "" : `, score ${event.score}`;
  return { text: `New co-sell referral: ${who}${where}${score}. Partner Center id ${event.referralId}.` };
}

const TYPE_LABELS: Record<string, string> = { "co-sell": "co-sell", marketplace: "marketplace", "solution-provider": "solution provider" };

/** The chat message of a referral about to expire: how long is left and the deadline (UTC). */
export function expiringMessageFor(event: Expiring, stored: { customerName: string | null; referralType: string; domain: string | null } | null): { text: string } {
  const who = stored?.customerName ?? "(no customer name)";
  const where = stored?.domain == null ? "" : ` (${stored.domain})`;
  const kind = stored === null ? "Referral" : `${(TYPE_LABELS[stored.referralType] ?? stored.referralType).replace(/^./, (c) => c.toUpperCase())} referral`;
  const left = event.daysLeft === 1 ? "1 day" : `${event.daysLeft} days`;
  const by = event.expiresAt.slice(0, 16).replace("T", " ");
  return {
    text: `${kind} expiring in ${left}: ${who}${where}. Accept or decline it before ${by} UTC, or Microsoft closes it as Expired. Partner Center id ${event.referralId}.`,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Subscribes to `engine` and posts each new co-sell referral, and each expiring referral, to `webhookUrl`. */
export function forwardCoSellReferrals(engine: SyncEvents, options: ForwardOptions): Forwarder {
  const { webhookUrl, store, attempts = 3, retryDelayMs = 500, dispatcher, logger = silentLogger, expiring = true } = options;
  // A bad URL fails here, at start, not on the first referral.
  if (!URL.canParse(webhookUrl) || !/^https?:$/.test(new URL(webhookUrl).protocol)) {
    throw new ConfigError([{ path: "forwardCoSellReferrals.webhookUrl", message: "expected an http:// or https:// URL" }]);
  }
  const stats = { posted: 0, failed: 0 };
  let queue: Promise<void> = Promise.resolve();

  async function post(body: { text: string }, referralId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let retryAfterMs: number | null = null;
      let reason: string;
      try {
        const res = await request(webhookUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          ...(dispatcher === undefined ? {} : { dispatcher }),
        });
        await res.body.dump();
        if (res.statusCode >= 200 && res.statusCode < 300) {
          stats.posted += 1;
          return;
        }
        reason = `status ${res.statusCode}`;
        const header = res.headers["retry-after"];
        const seconds = Number(Array.isArray(header) ? header[0] : header);
        if (Number.isFinite(seconds) && seconds >= 0) retryAfterMs = seconds * 1000;
        // Anything but 429/5xx (a revoked webhook, a bad payload) will not get better by retrying.
        if (res.statusCode !== 429 && res.statusCode < 500) attempt = attempts;
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
      if (attempt >= attempts) {
        stats.failed += 1;
        logger.warn({ referralId, reason, attempts: attempt }, "webhook_post_failed");
        return;
      }
      await sleep(retryAfterMs ?? retryDelayMs * 2 ** (attempt - 1));
    }
  }

  const off = engine.on("referral.ingested", (event) => {
    if (event.outcome !== "inserted" || event.referralType !== "co-sell") return;
    queue = queue.then(async () => {
      // The event fires after the referral's page committed, so the store has it.
      const stored = await store.getReferral(event.referralId).catch(() => null);
      await post(messageFor(event, stored?.customerName ?? null), event.referralId);
    });
  });

  const offExpiring = expiring
    ? engine.on("referral.expiring", (event) => {
        queue = queue.then(async () => {
          const stored = await store.getReferral(event.referralId).catch(() => null);
          await post(expiringMessageFor(event, stored), event.referralId);
        });
      })
    : () => {};

  return {
    flush: () => queue,
    stop: () => {
      off();
      offExpiring();
    },
    stats,
  };
}
