/**
 * The error taxonomy of pc-referrals.
 *
 * Every error thrown by the library extends {@link PcReferralsError} and carries a stable,
 * snake_case `code`. Match on `code` (or use the static `is` guards), never on `message`:
 * messages are for people and may change. The same codes appear in HTTP JSON bodies
 * (`{ error: { code, message } }`) and in the CLI's `--json` output.
 */

const BRAND = Symbol.for("pc-referrals.error");

/** Every code an error of this library can carry. */
export type ErrorCode =
  | "config_invalid"
  | "auth_required"
  | "api_error"
  | "page_limit_exceeded"
  | "response_too_large"
  | "write_unconfirmed"
  | "rate_limited"
  | "timeout"
  | "network_error"
  | "store_error"
  | "migration_invalid"
  | "sync_in_progress"
  | "store_locked"
  | "aborted"
  | "feature_disabled"
  | "invalid_input"
  | "not_found"
  | "invalid_transition"
  | "referral_conflict";

/** Base class. Use `PcReferralsError.is(e)` rather than `instanceof`: it survives duplicate and ESM+CJS copies. */
export abstract class PcReferralsError extends Error {
  /** Stable machine-readable code; identical to the HTTP JSON `error.code`. */
  abstract readonly code: ErrorCode;
  readonly [BRAND] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** True for any error of this library, from whichever copy of the package threw it. */
  static is(error: unknown): error is PcReferralsError {
    return typeof error === "object" && error !== null && BRAND in error;
  }

  /** True when `error` is a library error with the given code. */
  static hasCode<C extends ErrorCode>(error: unknown, code: C): error is PcReferralsError & { code: C } {
    return PcReferralsError.is(error) && error.code === code;
  }

  /** The `{ code, message }` pair that HTTP bodies, events and CLI JSON expose. */
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** One bad configuration value: where it is, and the form that was expected. */
export interface ConfigIssue {
  /** Path of the bad value, e.g. `PARTNER_CENTER_SYNC_INTERVAL` or `options.retry.maxAttempts`. */
  path: string;
  /** What was expected there, in words a person can act on. */
  message: string;
}

/** Configuration or options failed validation. `issues` lists every bad key at once. */
export class ConfigError extends PcReferralsError {
  readonly code = "config_invalid";
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n")}`, options);
    this.issues = issues;
  }
}

/** The caller passed a value the library cannot act on (an unknown filter field, a bad id, …). */
export class InvalidInputError extends PcReferralsError {
  readonly code = "invalid_input";
}

/** A requested resource does not exist (HTTP 404 in the adapters). */
export class NotFoundError extends PcReferralsError {
  readonly code = "not_found";
}

/** A write-back action (`accept`, `decline`, `close`, …) named by `createReferralActions`. */
export type ReferralActionName = "accept" | "decline" | "close" | "setExternalReference" | "setDealValue";

/**
 * A write-back action the referral's stored status does not allow (New → accept or decline;
 * Active → close; Closed is terminal). Nothing was sent. HTTP 409 in the adapter.
 */
export class InvalidTransitionError extends PcReferralsError {
  readonly code = "invalid_transition";
  /** The actions the referral's status allows now (empty when Closed). */
  readonly allowed: readonly ReferralActionName[];
  /** The stored status and substatus the refusal was decided on. */
  readonly current: { status: string | null; substatus: string | null };
  constructor(action: ReferralActionName, current: { status: string | null; substatus: string | null }, allowed: readonly ReferralActionName[]) {
    const state = `${current.status ?? "no status"}${current.substatus ? `/${current.substatus}` : ""}`;
    const moves = allowed.length === 0 ? "none (the referral is closed, which is terminal)" : allowed.join(", ");
    super(`A referral in ${state} cannot be sent "${action}"; allowed now: ${moves}.`);
    this.allowed = [...allowed];
    this.current = { ...current };
  }
}

/** The remote state of a referral as a conflict reports it. */
export interface ReferralRemoteState {
  status: string | null;
  substatus: string | null;
  eTag: string | null;
}

/**
 * Partner Center refused a write-back with 412: someone changed the referral since it was stored.
 * The referral was read again and stored (the inbox shows `current`); the action was not retried.
 * Look at the referral and decide again. HTTP 409 in the adapter.
 */
export class ReferralConflictError extends PcReferralsError {
  readonly code = "referral_conflict";
  /** The referral as Partner Center holds it now (null fields when it could not be read again). */
  readonly current: ReferralRemoteState;
  readonly requestId: string | null;
  constructor(referralId: string, current: ReferralRemoteState, options?: { requestId?: string | null; cause?: unknown }) {
    const state = `${current.status ?? "unknown status"}${current.substatus ? `/${current.substatus}` : ""}`;
    super(
      `Referral ${referralId} was changed at Partner Center since it was stored (now ${state}); nothing was written. Look at it again and retry if still wanted.`,
      { cause: options?.cause },
    );
    this.current = { ...current };
    this.requestId = options?.requestId ?? null;
  }
}

/** The sync feature flag is off. HTTP 400 `feature_disabled`; the CLI exits non-zero. */
export class FeatureDisabledError extends PcReferralsError {
  readonly code = "feature_disabled";
  constructor(message = "Partner Center sync is disabled; set PARTNER_CENTER_ENABLED=true to enable it.") {
    super(message);
  }
}

/**
 * No usable token: never logged in, the refresh token was revoked or expired, or the token
 * cache cannot be read. Run the device-code login again (`pc-referrals login`).
 */
export class AuthRequiredError extends PcReferralsError {
  readonly code = "auth_required";
  /** What the person should do next. */
  readonly hint: string;
  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.hint = options?.hint ?? "Run `pc-referrals login` to sign in again with a device code.";
  }
}

/** A copy of the failed request that is safe to log: the bearer token is always redacted. */
export interface RedactedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** Details shared by every error of the Partner Center API family. */
export interface PartnerCenterHttpErrorDetails {
  /** HTTP status; 0 when no response arrived (timeouts). */
  status: number;
  /** `error.code` from the body (`{ error: { code, message, target, innerError } }`), if any. */
  apiCode?: string | undefined;
  /** The `request-id` response header, for Microsoft support. */
  requestId?: string | undefined;
  /** The `MS-CorrelationId` we sent, shared by every request of one run. */
  correlationId?: string | undefined;
  request?: RedactedRequest | undefined;
  cause?: unknown;
}

/** Partner Center answered with an error status that retries did not (or could not) fix. */
export class PartnerCenterHttpError extends PcReferralsError {
  readonly code: "api_error" | "rate_limited" | "timeout" | "response_too_large" = "api_error";
  readonly status: number;
  readonly apiCode: string | undefined;
  readonly requestId: string | undefined;
  readonly correlationId: string | undefined;
  readonly request: RedactedRequest | undefined;
  constructor(message: string, details: PartnerCenterHttpErrorDetails) {
    super(message, { cause: details.cause });
    this.status = details.status;
    this.apiCode = details.apiCode;
    this.requestId = details.requestId;
    this.correlationId = details.correlationId;
    this.request = details.request;
  }
}

/** Still HTTP 429 after the retry caps (attempts, total wait) ran out. */
export class RateLimitedError extends PartnerCenterHttpError {
  override readonly code = "rate_limited";
  /** The last `Retry-After` the server asked for, in milliseconds, if it sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, details: PartnerCenterHttpErrorDetails & { retryAfterMs?: number | undefined }) {
    super(message, details);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** A request exceeded its timeout on every allowed attempt. */
export class TimeoutError extends PartnerCenterHttpError {
  override readonly code = "timeout";
}

/**
 * A response body grew past the client's `maxResponseBytes`: the request was aborted as soon as
 * the count (or `content-length`) passed the cap, and it is not retried (the same answer would come back).
 */
export class ResponseTooLargeError extends PartnerCenterHttpError {
  override readonly code = "response_too_large";
  /** The cap that was exceeded, in bytes. */
  readonly limitBytes: number;
  constructor(message: string, details: PartnerCenterHttpErrorDetails & { limitBytes: number }) {
    super(message, details);
    this.limitBytes = details.limitBytes;
  }
}

/**
 * A listing reached the client's `maxPages` and Partner Center still offered a next page. The pages
 * already yielded stay valid (the engine keeps what it wrote); raise `maxPages` for a larger tenant,
 * or suspect a server that never stops paging.
 */
export class PageLimitExceededError extends PcReferralsError {
  readonly code = "page_limit_exceeded";
  /** The cap that was reached, in pages. */
  readonly maxPages: number;
  constructor(maxPages: number) {
    super(`The listing reached maxPages (${maxPages}) and Partner Center still offered another page; stopping.`);
    this.maxPages = maxPages;
  }
}

/**
 * A write (PATCH) failed after it may have reached Partner Center, so it was not sent again:
 * sending an `add` twice would apply it twice. `landed` says what is known:
 * - `true`: Partner Center answered 2xx (the change applied) but neither its body nor a read-back could be read;
 * - `false`: a read-back shows the referral still carries the `etag` you sent, so the change has not
 *   applied; sending it again with the same `etag` is safe (If-Match lets at most one copy apply);
 * - `null`: unknown (no `etag` to check against, the referral changed without showing the change, or the read-back failed).
 * `cause` is the failure itself (`network_error`, `timeout`, `api_error`, …).
 */
export class UnconfirmedWriteError extends PcReferralsError {
  readonly code = "write_unconfirmed";
  readonly landed: boolean | null;
  constructor(message: string, options: { landed: boolean | null; cause: unknown }) {
    super(message, { cause: options.cause });
    this.landed = options.landed;
  }
}

/** The connection failed (DNS, reset, refused) on every allowed attempt. */
export class NetworkError extends PcReferralsError {
  readonly code = "network_error";
}

/** The store failed for infrastructure reasons (connection lost, constraint broken). Nothing half-written stays. */
export class StoreError extends PcReferralsError {
  readonly code: "store_error" | "migration_invalid" = "store_error";
}

/** A migration cannot be applied: an applied migration was edited, or the history is unknown. */
export class MigrationError extends StoreError {
  override readonly code = "migration_invalid";
}

/** Who holds an embedded database folder: the process that opened it. */
export interface StoreLockHolder {
  pid: number;
  host: string;
  /** When the holder opened the folder (ISO 8601). */
  since: string;
}

/**
 * The embedded (PGlite) database folder is open in another process, or another store of this
 * one. Embedded PostgreSQL is single-process: two openers would each overwrite the other's
 * commits. Stop the holder, or use a PostgreSQL server (`connectionString` / `DATABASE_URL`)
 * when several processes sync. A lock left by a crashed process on this host is cleared by itself.
 */
export class StoreLockedError extends PcReferralsError {
  readonly code = "store_locked";
  /** The folder that is locked. */
  readonly dataDir: string;
  readonly holder: StoreLockHolder;
  constructor(dataDir: string, holder: StoreLockHolder, options?: { cause?: unknown }) {
    super(
      `The embedded database in ${dataDir} is already open in process ${holder.pid} on ${holder.host} (since ${holder.since}). ` +
        "Embedded PGlite serves one process only: stop that process, or give every process the same PostgreSQL server " +
        "(connectionString / DATABASE_URL) to run several at once.",
      options,
    );
    this.dataDir = dataDir;
    this.holder = holder;
  }
}

/** Another run holds the sync (in this process or, through the store lock, in another one). */
export class SyncInProgressError extends PcReferralsError {
  readonly code = "sync_in_progress";
  /** Id of the run that is in flight, when known. */
  readonly runningRunId: string | null;
  constructor(runningRunId: string | null) {
    super(runningRunId ? `A sync is already running (run ${runningRunId}).` : "A sync is already running.");
    this.runningRunId = runningRunId;
  }
}

/** The caller's `AbortSignal` stopped the work; what was already durable stays. */
export class AbortedError extends PcReferralsError {
  readonly code = "aborted";
  constructor(message = "The operation was aborted.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** `{ code, message }` of any thrown value, for reports and events; unknown errors become `internal`. */
export function describeError(error: unknown): { code: ErrorCode | "internal"; message: string } {
  if (PcReferralsError.is(error)) return { code: error.code, message: error.message };
  return { code: "internal", message: error instanceof Error ? error.message : String(error) };
}
