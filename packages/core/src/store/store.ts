/**
 * The storage contract of the sync engine.
 *
 * One narrow, batch-shaped interface: the engine hands the store one processed page at a time and
 * the store applies it in one transaction. Every implementation (memory, PostgreSQL, PGlite, yours)
 * must pass `describeStoreConformance` from `@pc-referrals/core/testing`, which is the executable
 * form of the rules written here.
 *
 * Conventions: absence is `null` (or an empty collection), never an exception. Throw only on
 * infrastructure failure; the engine wraps it in `StoreError`. Timestamps are ISO-8601 strings in UTC.
 */
import type { ReferralActionName } from "../errors.js";
import type { ReferralType, SkipReason } from "../referral.js";
import type { ExpiryAnnouncement } from "./expiry.js";
import type { ReferralFailureBatch, ReferralFailureState } from "./referral-failures.js";

/** How a referral relates to a lead/company that existed before it. */
export type LinkStatus = "auto_linked" | "multi_candidate" | "unlinked" | "manual_linked" | "manual_unlinked";
/** All link statuses. */
export const LINK_STATUSES: readonly LinkStatus[] = [
  "auto_linked",
  "multi_candidate",
  "unlinked",
  "manual_linked",
  "manual_unlinked",
];

/** The result of the scoring hooks for one referral. */
export interface ScoringResult {
  score: number | null;
  segment: string | null;
  reasons: string[];
}

/** The link the engine resolved for a referral. The store keeps a manual link instead, whatever this says. */
export interface LinkDecision {
  status: "auto_linked" | "multi_candidate" | "unlinked";
  /** The one candidate when `auto_linked`, else null. */
  companyId: string | null;
  /** Every candidate considered (empty when unlinked). */
  candidateIds: string[];
}

/** One referral after validation, classification, domain extraction, scoring and link resolution. */
export interface ProcessedReferral {
  referralId: string;
  referralType: ReferralType;
  /** Which rule decided the type (kept for audits). */
  typeEvidence: string;
  status: string | null;
  substatus: string | null;
  direction: string | null;
  customerName: string | null;
  /** Canonical registrable domain; null only for a stored referral kept current after it lost its domain. */
  domain: string | null;
  domainSource: "website" | "email" | null;
  /** First customer contact e-mail (stored with the raw lead, never logged). */
  contactEmail: string | null;
  /** The website location the domain came from, if any. */
  website: string | null;
  azureTenantId: string | null;
  scoring: ScoringResult;
  link: LinkDecision;
  /** Stable hash of the payload; equal hashes mean nothing changed and nothing is written but `lastSyncedAt`. */
  contentHash: string;
  /** The referral's `updatedDateTime`, if it has one. */
  remoteUpdatedAt: string | null;
  /** The full wire payload, stored verbatim (jsonb in PostgreSQL). */
  payload: Record<string, unknown>;
  /**
   * Canonical JSON of `payload` (the exact string `contentHash` hashed), so a store can splice it
   * instead of serializing again. Optional: a store must fall back to serializing `payload`.
   */
  payloadJson?: string;
  /**
   * When the referral closes as Expired unless answered (see `referralExpiresAt`): set only while it
   * is New; null for every other status. Stores keep it for the inbox's `expiresWithinDays` and
   * `urgency` order; an absent value is stored as null.
   */
  expiresAt: string | null;
}

/** A company to create or update, keyed by canonical domain. */
export interface CompanyUpsert {
  domain: string;
  /** Customer name as sent; the first one seen is kept. */
  name: string | null;
  /** Name normalized for matching (see `normalizeCompanyName`). */
  normalizedName: string | null;
  /** `M365` when a referral carried an Azure tenant id. A later null never clears a stored value. */
  provider: string | null;
  azureTenantId: string | null;
  /** Scoring result; null fields never overwrite stored values. */
  segment: string | null;
  score: number | null;
  reasons: string[];
}

/** One page of processed referrals, applied atomically by {@link Store.applyBatch}. */
export interface ProcessedPage {
  runId: string;
  /** The time written as `lastSyncedAt` on every referral of the page. */
  syncedAt: string;
  referrals: ProcessedReferral[];
  companies: CompanyUpsert[];
  /**
   * When set, the store renews this run lease in the same write (same transaction or statement)
   * and says so in {@link BatchOutcome.lease}. The page is written whether or not the lease is
   * still this owner's: the write is valid data, and the engine stops the run at that page.
   * A store that ignores it leaves `BatchOutcome.lease` out, and the engine renews on its own.
   */
  lease?: { owner: string; ttlMs: number };
}

/** What happened to one referral of a page. */
export interface ReferralOutcome {
  referralId: string;
  /**
   * `inserted`: new; `updated`: content hash changed; `unchanged`: only `lastSyncedAt` moved;
   * `stale`: the stored referral has a newer `remoteUpdatedAt` than this copy, so nothing but
   * `lastSyncedAt` moved (offset paging under concurrent updates lists a referral twice).
   */
  outcome: "inserted" | "updated" | "unchanged" | "stale";
  /** Status before this page (null when inserted). */
  previousStatus: string | null;
  previousSubstatus: string | null;
  /** The link status stored after this page (a manual link wins over the page's decision). */
  linkStatus: LinkStatus;
  linkedCompanyId: string | null;
}

/** What one company upsert did. */
export interface CompanyOutcome {
  companyId: string;
  domain: string;
  created: boolean;
}

/** The result of {@link Store.applyBatch}: one entry per referral and per company, in input order. */
export interface BatchOutcome {
  referrals: ReferralOutcome[];
  companies: CompanyOutcome[];
  /**
   * Present only when the store renewed `page.lease`: `renewed: false` means another run holds the
   * lease now (then `expiresAt` is that holder's, or null); `true` gives the new expiry.
   */
  lease?: { renewed: boolean; expiresAt: string | null };
}

/** What a store can read for one page in a single round trip ({@link Store.readPageContext}). */
export interface PageContextQuery {
  /** Every valid referral id of the page. */
  referralIds: readonly string[];
  /** Domains of the page's referrals (a superset of the new referrals' domains is fine). */
  domains: readonly string[];
  normalizedNames: readonly string[];
}

/** The answer of {@link Store.readPageContext}. */
export interface PageContext {
  /** The same as `getKnownReferrals(referralIds)`. */
  known: Map<string, KnownReferral>;
  /** The same as `findCompanies({ domains, normalizedNames })`, ordered by domain. */
  companies: Company[];
}

/** What the store already knows of a referral, so the engine can keep it current or skip work. */
export interface KnownReferral {
  referralId: string;
  contentHash: string;
  status: string | null;
  substatus: string | null;
  linkStatus: LinkStatus;
  /**
   * The company of the stored link (the same value as `StoredReferral.linkedCompanyId`), null when
   * the referral is linked to none. The engine sends it back with a changed `auto_linked`
   * referral, so the kept link keeps its company without reading the whole referral.
   */
  linkedCompanyId: string | null;
  /**
   * The stored `remoteUpdatedAt`. When a page holds an older copy, the engine then writes no
   * company from it; stores that leave it out only lose that shortcut (applyBatch still refuses the copy).
   */
  remoteUpdatedAt?: string | null;
}

/** A company as stored. */
export interface Company {
  id: string;
  domain: string;
  name: string | null;
  normalizedName: string | null;
  provider: string | null;
  azureTenantId: string | null;
  segment: string | null;
  score: number | null;
  reasons: string[];
  /**
   * The host's own id of this company (its CRM lead or account), set with
   * {@link Store.setCompanyExternalId}; syncs never change it. With the engine's
   * `writeBack.setExternalReferenceOnLink`, a referral linked to the company gets it as `externalReferenceId`.
   */
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The incremental-sync high-water mark of one scope (one partner tenant). */
export interface Cursor {
  /**
   * Newest `updatedDateTime` that is durable in the store, never later than the start of the run
   * that wrote it plus the engine's `clockSkewAllowanceMs`.
   */
  updatedAt: string;
  /**
   * `false` when a run saw the listing break its `updatedDateTime desc` order: until a run sees it
   * honoured again, incremental runs list in full. Absent means `true`; stores return it only when false.
   */
  orderHonoured?: boolean;
}

/** A held run lock. Release it when the run ends; renew it for runs longer than the lease. */
export interface RunLock {
  readonly owner: string;
  readonly expiresAt: string;
  release(): Promise<void>;
  /** Extends the lease; false when the lock was lost (expired and taken by someone else). */
  renew(ttlMs: number): Promise<boolean>;
}

/** Result of {@link Store.acquireRunLock}. */
export type RunLockResult =
  | { acquired: true; lock: RunLock }
  | { acquired: false; holder: string | null; expiresAt: string | null };

/** How a sync run was started. */
export type SyncTrigger = "manual" | "schedule" | "api";
/** The state of a sync run. */
export type SyncRunStatus = "running" | "succeeded" | "partial" | "failed" | "skipped";

/** Counts of one run. `skipped` has every reason as a key. */
export interface SyncCounts {
  pages: number;
  fetched: number;
  ingested: number;
  updated: number;
  unchanged: number;
  skipped: Record<SkipReason, number>;
  failed: number;
  domainScansRequested: number;
  /** Referrals dated after the run's start plus the clock-skew allowance: stored, but never moving the mark. */
  futureDated: number;
  /** Copies older than the stored referral or than another copy on the same page: not written. */
  stale: number;
  /** Referrals this run put in quarantine (see {@link Store.recordReferralFailures}). */
  quarantined: number;
  /**
   * Full runs only (null otherwise): referrals inserted or updated with an `updatedDateTime` at or
   * below the mark the run started with, which no incremental run had written. Referrals that were
   * already known to fail are not counted. Non-zero is a `missed_by_incremental` warning.
   */
  missedByIncremental: number | null;
}

/** Codes of {@link SyncWarning}. */
export type SyncWarningCode =
  | "future_dated"
  | "order_not_honoured"
  | "cursor_in_future"
  | "missed_by_incremental"
  | "referrals_quarantined";

/**
 * Something a run worked around and the operator should see; warnings alone never change a run's
 * status (a run with only warnings is `succeeded`). `future_dated`: referrals dated past the run's
 * start plus the allowance (`count` of them); `order_not_honoured`: the listing was not newest
 * first, so the run read to the end and later runs list in full until the order is back;
 * `cursor_in_future`: the stored mark lay past that limit (written before this check existed), so
 * the run listed in full and set the mark back; `missed_by_incremental`: a full run found referrals
 * new or changed at or below the mark that no incremental run had written (`count`);
 * `referrals_quarantined`: referrals that failed in consecutive runs were quarantined (`count`).
 */
export interface SyncWarning {
  code: SyncWarningCode;
  message: string;
  count?: number;
}

/** A sync run as recorded by the store (written at start, overwritten at finish). */
export interface SyncRunRecord {
  runId: string;
  trigger: SyncTrigger;
  full: boolean;
  status: SyncRunStatus;
  startedAt: string;
  finishedAt: string | null;
  counts: SyncCounts;
  /** Failures with the referral they belong to (null for run-level errors). No contact data. */
  errors: Array<{ referralId: string | null; code: string; message: string }>;
  /** See {@link SyncWarning}; no contact data. */
  warnings: SyncWarning[];
}

/**
 * The run-level error a store appends to a `running` run whose lock another run took over: its
 * process died or stalled past its lease, so it never wrote its own end (code `abandoned`).
 */
export function abandonedRunError(takenOverBy: string): SyncRunRecord["errors"][number] {
  return {
    referralId: null,
    code: "abandoned",
    message: `The run stopped before it finished (its process died or stalled past its lease); run ${takenOverBy} took over the run lock.`,
  };
}

/** Status of the sync as a whole, for status pages. */
export interface SyncStatus {
  lastRun: SyncRunRecord | null;
  lastSucceededRun: SyncRunRecord | null;
  /** The newest full run that succeeded or was partial: the last reconcile (`counts.missedByIncremental`). */
  lastReconcile: SyncRunRecord | null;
  /** Quarantined referrals of the scope, oldest quarantine first. */
  quarantined: ReferralFailureState[];
  /** `missed_by_incremental` (last reconcile) and `referrals_quarantined`, when non-zero (see `syncStatusWarnings`). */
  warnings: SyncWarning[];
  /** The run holding the lock now, if any. */
  running: { owner: string; expiresAt: string } | null;
  cursor: Cursor | null;
  referralCount: number;
}

/** Filters and paging of the inbox. `page` is 1-based; `pageSize` defaults to 50 and is capped at 500. */
export interface InboxQuery {
  page?: number;
  pageSize?: number;
  referralType?: ReferralType;
  status?: string;
  linkStatus?: LinkStatus;
  /** Case-insensitive substring of customer name, domain or referral id; LIKE metacharacters are literal. */
  q?: string;
  /**
   * Only referrals with an `expiresAt` at most this many days (a number ≥ 0, fractions allowed)
   * after `now`; deadlines already past are included (they are the most urgent).
   */
  expiresWithinDays?: number;
  /** `updated` (the default): newest `updatedAt` first. `urgency`: soonest `expiresAt` first, rows without one last, then as `updated`. */
  sort?: InboxSort;
  /** The instant `expiresWithinDays` counts from (ISO-8601). Default: the store's clock. */
  now?: string;
}

/** Orders of the inbox. */
export type InboxSort = "updated" | "urgency";
/** All inbox orders. */
export const INBOX_SORTS: readonly InboxSort[] = ["updated", "urgency"];

/** One inbox line. The same keys appear in HTTP JSON and CLI `--json`. */
export interface InboxRow {
  /** The partner tenant the referral was synced for (`"default"` in a single-tenant store). */
  tenant: string;
  referralId: string;
  referralType: ReferralType;
  status: string | null;
  substatus: string | null;
  customerName: string | null;
  domain: string | null;
  linkStatus: LinkStatus;
  linkedCompanyId: string | null;
  azureTenantId: string | null;
  /** The referral's `updatedDateTime` at Partner Center. */
  updatedAt: string | null;
  /** When this store last saw the referral in a sync. */
  syncedAt: string;
  /** When the referral closes as Expired unless answered; null unless its status is New. */
  expiresAt: string | null;
}

/** A page of results with the total across all pages. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * One domain with a referral, as the pg-store `domain_referrals` view shows it: what a host's lead
 * list needs to filter or badge its own leads by referral, joined on the company domain.
 */
export interface ReferralDomainRow {
  /** Canonical domain, exactly as stored on the referrals (case-sensitive). */
  domain: string;
  /** Distinct types of the domain's referrals, in `REFERRAL_TYPES` order. */
  referralTypes: ReferralType[];
  /** Status of the domain's newest referral (see `latestReferralId`). */
  latestStatus: string | null;
  /** How many stored referrals have this domain, of every type. */
  referralCount: number;
  /**
   * The newest referral of the domain: latest remote `updatedAt` first, referrals without one
   * last, ties by `referralId` ascending (the first row the inbox shows for the domain).
   */
  latestReferralId: string;
  /** The remote `updatedAt` of that referral; null when none of the domain's referrals has one. */
  latestUpdatedAt: string | null;
}

/**
 * Filter and paging of {@link Store.listReferralDomains}. `page` is 1-based; `pageSize` defaults to
 * 100 and must be 1..500 (unlike the inbox, a larger value is rejected, not clamped).
 */
export interface ReferralDomainsQuery {
  /** Only domains with at least one referral of this type (their rows still count every type). */
  referralType?: ReferralType;
  page?: number;
  pageSize?: number;
}

/** A referral as stored, with its payload. */
export interface StoredReferral extends InboxRow {
  typeEvidence: string;
  direction: string | null;
  contentHash: string;
  firstSeenAt: string;
  score: number | null;
  segment: string | null;
  reasons: string[];
  payload: Record<string, unknown>;
}

/** The outcome of a domain scan, recorded once per domain. */
export interface DomainScanResult {
  domain: string;
  status: "done" | "failed";
  result?: unknown;
  error?: string;
}

/**
 * One write-back attempt, as the audit trail keeps it. `succeeded`: Partner Center took the change;
 * `conflict`: it answered 412 (the referral had changed); `refused`: decided locally, nothing sent
 * (a transition the status does not allow, bad input, a referral not stored); `failed`: sent, and
 * it failed or its outcome is unknown (`error.code` says which, e.g. `write_unconfirmed`).
 * `input` holds what the caller asked for (reason, outcome, value), never tokens or contact data.
 */
export interface ReferralActionRecord {
  id: string;
  referralId: string;
  action: ReferralActionName;
  /** Who asked (the host's `authorize` actor), null when unknown. */
  actor: string | null;
  outcome: "succeeded" | "conflict" | "refused" | "failed";
  /** Partner Center's `request-id` of the PATCH, when one was answered. */
  requestId: string | null;
  input: Record<string, unknown>;
  error: { code: string; message: string } | null;
  /** When the attempt finished (ISO 8601, UTC). */
  at: string;
}

/** Filter of {@link Store.listReferralActions}: one referral's, and how many (default 50, at most 500). */
export interface ReferralActionsQuery {
  referralId?: string;
  limit?: number;
}

/** What the sync engine needs from storage. See the file comment for the conventions. */
export interface Store {
  /** `"memory"`, `"pg"`, `"pglite"` or your own name. */
  readonly kind: string;
  /**
   * The partner tenant whose rows this store reads and writes: `"default"` for the store itself,
   * the id given to {@link Store.forTenant} for a view. Stores without tenants may leave it out.
   */
  readonly tenant?: string;
  /**
   * Optional: the same store narrowed to one partner tenant. Every row the view reads or writes
   * (referrals, raw leads, companies, cursors, runs, the run lock, failures, expiry announcements,
   * the audit trail) belongs to `tenant`, so the same referral id can be stored once per tenant and
   * two tenants sync at once while one tenant never runs twice. Domain scans (public DNS facts) are
   * shared. A view has no `close`: closing the store closes its views. A bad id is `invalid_input`
   * (see `TENANT_ID_RULE`).
   */
  forTenant?(tenant: string): Store;
  /** Apply one processed page in one transaction: all of it or none of it. */
  applyBatch(page: ProcessedPage): Promise<BatchOutcome>;
  /** What is stored of these referrals (absent ids are missing from the map). */
  getKnownReferrals(referralIds: readonly string[]): Promise<Map<string, KnownReferral>>;
  /** Companies whose domain or normalized name matches: the link candidates. */
  findCompanies(query: { domains: readonly string[]; normalizedNames: readonly string[] }): Promise<Company[]>;
  /**
   * Optional: `getKnownReferrals` and `findCompanies` for one page in one round trip (the engine
   * calls it once per page when present; without it the engine makes the two calls).
   */
  readPageContext?(query: PageContextQuery): Promise<PageContext>;
  getCursor(scope: string): Promise<Cursor | null>;
  advanceCursor(scope: string, next: Cursor): Promise<void>;
  /** Claims the domains not claimed before; returns only the newly claimed ones. */
  claimDomainScans(domains: readonly string[]): Promise<string[]>;
  recordDomainScan(result: DomainScanResult): Promise<void>;
  /**
   * Takes the run lock if it is free, its lease expired, or its holder is known to be dead (a
   * store that can tell, e.g. by the holder's connection, frees such a lease at once).
   * `getSyncStatus().running` must agree: it names a holder exactly when this call would refuse.
   * Taking the lock over from another owner marks that owner's run (owner = runId), if still
   * `running`, `failed` with a `finishedAt` and the run-level error {@link abandonedRunError}.
   */
  acquireRunLock(request: { owner: string; ttlMs: number }): Promise<RunLockResult>;
  /** Inserts or replaces the run with this `runId`. */
  recordRun(run: SyncRunRecord): Promise<void>;
  /** Newest first. */
  listRuns(query?: { limit?: number }): Promise<SyncRunRecord[]>;
  getSyncStatus(scope: string): Promise<SyncStatus>;
  /**
   * Cross-run failure bookkeeping of one scope, applied atomically. First every `succeeded` id
   * loses its state; then each failed referral (listed twice: counted once, the last entry wins)
   * counts one more failing run, unless it already failed in this `runId` (then only its details
   * change) or its content hash differs from the stored one (then the count starts again at 1 and
   * it leaves quarantine). A referral reaching `quarantineAfter` is quarantined at `at`; it stays
   * so until it succeeds or its content changes. Returns the state of each `failed` entry, in
   * input order. Rejects bad input with `invalid_input`.
   */
  recordReferralFailures(batch: ReferralFailureBatch): Promise<ReferralFailureState[]>;
  /** Every referral of the scope with failure state (quarantined or not), by referral id. */
  listReferralFailures(scope: string): Promise<ReferralFailureState[]>;
  queryInbox(query: InboxQuery): Promise<Page<InboxRow>>;
  getReferral(referralId: string): Promise<StoredReferral | null>;
  /** Link (companyId) or unlink (null) by hand; later syncs keep it. Null when the referral is unknown. */
  setManualLink(request: { referralId: string; companyId: string | null }): Promise<InboxRow | null>;
  /** Referral types seen per domain, for a lead list column. Domains with none are absent. */
  referralTypesByDomain(domains: readonly string[]): Promise<Map<string, ReferralType[]>>;
  /**
   * Domains that have a referral (of `referralType` when given), ordered by domain in code point
   * order (PostgreSQL's "C" collation), with the total across all pages; referrals without a domain
   * are not listed. For lead lists of hosts whose leads live in another store. A bad page, page size
   * or referral type is `invalid_input`.
   */
  listReferralDomains(query: ReferralDomainsQuery): Promise<Page<ReferralDomainRow>>;
  /**
   * Records these `referral.expiring` announcements unless already recorded, atomically (two
   * replicas claiming the same item: exactly one gets it). Keyed by (referralId, thresholdDays,
   * expiresAt as an instant); the referral need not be stored. Returns the newly claimed items in
   * input order, duplicates once, `expiresAt` as ISO instants. Bad items are `invalid_input`
   * (nothing recorded). Kept across restarts by every durable store.
   */
  claimExpiryAnnouncements(items: readonly ExpiryAnnouncement[]): Promise<ExpiryAnnouncement[]>;
  /** One company by id, or null. */
  getCompany(companyId: string): Promise<Company | null>;
  /**
   * Sets (or clears, with null) the host's own id of a company; later syncs keep it. Returns the
   * company, or null when the id names none. A value that is not a non-empty string of at most
   * 200 characters without control characters is `invalid_input`.
   */
  setCompanyExternalId(request: { companyId: string; externalId: string | null }): Promise<Company | null>;
  /**
   * Appends one write-back attempt to the audit trail. Records are never changed or removed by the
   * library; writing an `id` twice keeps the first. A record missing a field or with an unknown
   * `action`/`outcome` is `invalid_input`.
   */
  recordReferralAction(record: ReferralActionRecord): Promise<void>;
  /** The audit trail, newest first (`at` descending, then `id` descending); `limit` 1..500 (default 50), else `invalid_input`. */
  listReferralActions(query?: ReferralActionsQuery): Promise<ReferralActionRecord[]>;
  close?(): Promise<void>;
}
