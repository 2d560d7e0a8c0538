/**
 * Public types of the Partner Center client. See `partner-center-client.ts` for the factory.
 */
import type { Referral } from "../referral.js";
import type { TokenProvider } from "../auth/token-provider.js";
import type { Logger } from "../logger.js";

/** One referral of a page: validated, or kept raw with the schema issues (reported as `invalid_payload`). */
export type ReferralPageItem =
  | { ok: true; referral: Referral }
  | { ok: false; referralId: string | null; issues: string[]; raw: unknown };

/** One page of `GET /v1.0/engagements/referrals`. */
export interface ReferralPage {
  /** 1-based position of this page in the listing. */
  pageNumber: number;
  referrals: ReferralPageItem[];
  /** `@odata.count` when the service sent it. */
  rawCount: number | null;
  /** `@odata.nextLink` as sent (we only carry its `$skiptoken`), null on the last page. */
  nextLink: string | null;
}

/** Options of one listing. */
export interface ListReferralsQuery {
  /** An OData `$filter`: build it with `odataFilter` rather than by concatenating strings. */
  filter?: string;
  /** `$orderby`, e.g. `updatedDateTime desc` (default). */
  orderBy?: string;
  /** `$top`, clamped to 1..100 (the documented maximum). Default 100. */
  top?: number;
  signal?: AbortSignal;
  /** `MS-CorrelationId` shared by every request of this listing (default: a new UUID). */
  correlationId?: string;
}

/** An RFC 6902 operation; Partner Center supports only `replace` and `add`. */
export interface JsonPatchOperation {
  op: "replace" | "add";
  path: string;
  value: unknown;
}

/** Information about a throttled or retried request, as the `rate_limited` event carries it. */
export interface RetryNotice {
  attempt: number;
  delayMs: number;
  status: number;
  requestId: string | null;
  correlationId: string;
}

/** Retry caps. Defaults: 4 attempts, 2 minutes of total waiting. */
export interface RetryOptions {
  maxAttempts?: number;
  maxTotalWaitMs?: number;
  /** First backoff step for 5xx/network errors (full jitter), default 500 ms. */
  baseDelayMs?: number;
  /** Largest single backoff, default 30 s. */
  maxDelayMs?: number;
}

/** Options of `createPartnerCenterClient`. */
export interface PartnerCenterClientOptions {
  tokenProvider: TokenProvider;
  /** API origin (default `https://api.partner.microsoft.com`); the `/v1.0/engagements/referrals` path is ours. */
  baseUrl?: string;
  /** Per-request timeout for connect, headers and body, default 30 s. */
  timeoutMs?: number;
  /**
   * Most pages one listing fetches, default 10,000 (1,000,000 referrals): a next page past it throws
   * `PageLimitExceededError` (`page_limit_exceeded`) before it is requested; the pages yielded stay valid.
   */
  maxPages?: number;
  /**
   * Largest response body read, in bytes, default 16 MiB: a longer one (counted as it streams, or
   * declared in `content-length`) aborts the request with `ResponseTooLargeError` (`response_too_large`), not retried.
   */
  maxResponseBytes?: number;
  retry?: RetryOptions;
  /** Minimum interval between two requests (pacing), default 0. */
  minIntervalMs?: number;
  /** Called before each wait caused by 429/503 or a retryable failure. */
  onRetry?: (notice: RetryNotice) => void;
  logger?: Logger;
  /** Injected time base, for tests: sleeping, the clock and jitter. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

/** The Partner Center referrals client. */
export interface PartnerCenterClient {
  /** Async-iterates pages; `break` stops early and releases the connection. */
  listReferrals(query?: ListReferralsQuery): AsyncGenerator<ReferralPage, void, undefined>;
  /** One referral, or null when Partner Center answers 404. */
  getReferral(id: string, options?: { signal?: AbortSignal; correlationId?: string }): Promise<Referral | null>;
  /**
   * JSON Patch (`replace`/`add`); `If-Match` when `etag` is given. Returns the updated referral.
   * Never sent twice once it may have reached the server (reset, timeout after send, 5xx other
   * than 503): it is retried only when refused at connect or DNS, or answered 429/503. After such
   * an unknown outcome, with `etag` the referral is read back: the call resolves with it when the
   * change visibly landed (eTag moved on, every op's value in place), else throws
   * `UnconfirmedWriteError` (`write_unconfirmed`) whose `landed` is `false` (still at your eTag:
   * safe to resend with it) or `null` (unknown); without `etag`, `landed` is `null`.
   */
  updateReferral(
    id: string,
    operations: readonly JsonPatchOperation[],
    options?: {
      etag?: string;
      signal?: AbortSignal;
      correlationId?: string;
      /** Told the PATCH's answer (its `request-id`, for Microsoft support) before any read-back. */
      onResponse?: (response: { status: number; requestId: string }) => void;
    },
  ): Promise<Referral | null>;
  /** Closes the keep-alive connections. */
  close(): Promise<void>;
}

export type { TokenProvider };
