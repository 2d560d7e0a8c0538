// The complete in-memory Store: same semantics as the pg store (it passes the same conformance
// suite), for tests, demos and single-process hosts that do not need durability.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { InvalidInputError } from "../errors.js";
import { REFERRAL_TYPES, type ReferralType } from "../referral.js";
import { parseOptions } from "../_options.js";
import { DEFAULT_TENANT, requireTenantId } from "../tenants/tenant.js";
import { expiryClaimKey, normalizeExpiryClaims, type ExpiryAnnouncement } from "./expiry.js";
import { pageInboxRows } from "./inbox-query.js";
import { pageReferralDomains } from "./referral-domains.js";
import type { DomainScanRecord, RawLead } from "./inspection.js";
import { applyPageToTables, type MemoryTables } from "./memory-batch.js";
import {
  applyReferralFailures,
  normalizeReferralFailureBatch,
  quarantinedOf,
  syncStatusWarnings,
  type ReferralFailureState,
} from "./referral-failures.js";
import {
  abandonedRunError,
  type Company,
  type Cursor,
  type ReferralActionRecord,
  type DomainScanResult,
  type InboxRow,
  type KnownReferral,
  type RunLock,
  type RunLockResult,
  type Store,
  type StoredReferral,
  type SyncRunRecord,
} from "./store.js";
import {
  compareReferralActions,
  normalizeCompanyExternalId,
  normalizeReferralActionRecord,
  normalizeReferralActionsQuery,
} from "./referral-actions.js";
import { isJsonObject, jsonClone, toIsoInstant, toStoredCursor } from "./validate-page.js";

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Clock in epoch milliseconds, for lock leases and company/raw-lead timestamps. Default `Date.now`. */
  now?: () => number;
}

/** The memory store: a {@link Store} that can also show the rows the interface never reads back. */
export interface MemoryStore extends Store {
  readonly kind: "memory";
  readonly tenant: string;
  /** The same store narrowed to one tenant (see `Store.forTenant`); the same view each time. */
  forTenant(tenant: string): MemoryStore;
  /** Every raw lead written, oldest first. */
  listRawLeads(): Promise<RawLead[]>;
  /** Every claimed or scanned domain, in claim order. */
  listDomainScans(): Promise<DomainScanRecord[]>;
}

const optionsSchema = z.strictObject({
  now: z.custom<() => number>((v) => typeof v === "function", "must be a function returning epoch ms").optional(),
});

/** `listRuns` returns this many runs unless asked otherwise, and never more than `RUNS_MAX_LIMIT`. */
const RUNS_DEFAULT_LIMIT = 20;
const RUNS_MAX_LIMIT = 500;

function toInboxRow(r: StoredReferral): InboxRow {
  return {
    tenant: r.tenant,
    referralId: r.referralId,
    referralType: r.referralType,
    status: r.status,
    substatus: r.substatus,
    customerName: r.customerName,
    domain: r.domain,
    linkStatus: r.linkStatus,
    linkedCompanyId: r.linkedCompanyId,
    azureTenantId: r.azureTenantId,
    updatedAt: r.updatedAt,
    syncedAt: r.syncedAt,
    expiresAt: r.expiresAt,
  };
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== "string" || value.length === 0) throw new InvalidInputError(`${name} must be a non-empty string.`);
  return value;
}

function requireTtl(ttlMs: unknown): number {
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new InvalidInputError("ttlMs must be a positive, finite number of milliseconds.");
  }
  return ttlMs;
}

/** What every tenant view of one memory store shares. */
interface SharedState {
  now: () => number;
  /** Domain scans are public DNS facts: one table for all tenants. */
  scans: Map<string, DomainScanRecord>;
  views: Map<string, MemoryStore>;
}

/**
 * Creates an empty in-memory store (the `default` tenant; `forTenant(id)` gives the others). Every
 * value going in or out is copied, so callers cannot alias its state.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const { now = Date.now } = parseOptions(optionsSchema, options, "createMemoryStore");
  const shared: SharedState = { now, scans: new Map(), views: new Map() };
  return tenantView(DEFAULT_TENANT, shared);
}

function tenantView(tenant: string, shared: SharedState): MemoryStore {
  const existing = shared.views.get(tenant);
  if (existing !== undefined) return existing;
  const { now, scans } = shared;
  const nowIso = (): string => new Date(now()).toISOString();
  const tables: MemoryTables = { referrals: new Map(), companies: new Map(), rawLeads: [] };
  const cursors = new Map<string, Cursor>();
  const runs = new Map<string, SyncRunRecord>();
  const failures = new Map<string, Map<string, ReferralFailureState>>(); // scope → referral id → state
  const announcements = new Map<string, ExpiryAnnouncement & { announcedAt: string }>();
  const actions = new Map<string, ReferralActionRecord>();
  // One lease per tenant; its identity is the owner, so a stale holder cannot free a newer one.
  let lease: { owner: string; expiresAtMs: number } | null = null;

  const liveLease = (): { owner: string; expiresAtMs: number } | null =>
    lease !== null && lease.expiresAtMs > now() ? lease : null;

  const newestFirst = (a: SyncRunRecord, b: SyncRunRecord): number =>
    Date.parse(b.startedAt) - Date.parse(a.startedAt) || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0);

  // The expired holder never wrote its end: its record would say `running` forever.
  function abandonRun(runId: string, takenOverBy: string): void {
    const run = runs.get(runId);
    if (run?.status !== "running") return;
    runs.set(runId, { ...run, status: "failed", finishedAt: nowIso(), errors: [...run.errors, abandonedRunError(takenOverBy)] });
  }

  function lockHandle(owner: string, expiresAtMs: number): RunLock {
    let expiresAt = new Date(expiresAtMs).toISOString();
    return {
      owner,
      get expiresAt() {
        // applyBatch may have renewed the lease since (ProcessedPage.lease).
        return lease?.owner === owner ? new Date(lease.expiresAtMs).toISOString() : expiresAt;
      },
      async release() {
        if (lease?.owner === owner) lease = null;
      },
      async renew(ttlMs) {
        const ttl = requireTtl(ttlMs);
        // Still ours if nobody took it, even past expiry: no run could have started in between.
        if (lease?.owner !== owner) return false;
        lease = { owner, expiresAtMs: now() + ttl };
        expiresAt = new Date(lease.expiresAtMs).toISOString();
        return true;
      },
    };
  }

  function knownReferrals(referralIds: readonly string[]): Map<string, KnownReferral> {
    const known = new Map<string, KnownReferral>();
    for (const id of referralIds) {
      const r = tables.referrals.get(id);
      if (r) {
        known.set(id, {
          referralId: r.referralId,
          contentHash: r.contentHash,
          status: r.status,
          substatus: r.substatus,
          linkStatus: r.linkStatus,
          linkedCompanyId: r.linkedCompanyId,
          remoteUpdatedAt: r.updatedAt,
        });
      }
    }
    return known;
  }

  function companiesMatching({ domains, normalizedNames }: { domains: readonly string[]; normalizedNames: readonly string[] }): Company[] {
    const found: Company[] = [];
    for (const company of tables.companies.values()) {
      const byName = company.normalizedName !== null && normalizedNames.includes(company.normalizedName);
      if (domains.includes(company.domain) || byName) found.push(structuredClone(company));
    }
    return found.sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
  }

  const view: MemoryStore = {
    kind: "memory",
    tenant,

    forTenant: (id) => tenantView(requireTenantId(id), shared),

    async applyBatch(page) {
      const renew = page.lease === undefined ? null : { owner: requireText(page.lease.owner, "lease.owner"), ttl: requireTtl(page.lease.ttlMs) };
      const outcome = structuredClone(applyPageToTables(tables, page, { nowIso, newId: randomUUID, tenant }));
      if (renew === null) return outcome;
      // The same rule as RunLock.renew; the page is written either way (its data is valid).
      if (lease?.owner !== renew.owner) {
        const held = liveLease();
        return { ...outcome, lease: { renewed: false, expiresAt: held ? new Date(held.expiresAtMs).toISOString() : null } };
      }
      lease = { owner: renew.owner, expiresAtMs: now() + renew.ttl };
      return { ...outcome, lease: { renewed: true, expiresAt: new Date(lease.expiresAtMs).toISOString() } };
    },

    async readPageContext({ referralIds, domains, normalizedNames }) {
      return { known: knownReferrals(referralIds), companies: companiesMatching({ domains, normalizedNames }) };
    },

    getKnownReferrals: async (referralIds) => knownReferrals(referralIds),

    findCompanies: async (query) => companiesMatching(query),

    async getCursor(scope) {
      const cursor = cursors.get(scope);
      return cursor ? { ...cursor } : null;
    },

    async advanceCursor(scope, next) {
      cursors.set(requireText(scope, "scope"), toStoredCursor(next));
    },

    async claimDomainScans(domains) {
      const claimed: string[] = [];
      for (const domain of domains) {
        if (typeof domain !== "string" || domain === "" || scans.has(domain)) continue;
        scans.set(domain, { domain, status: "claimed", result: null, error: null });
        claimed.push(domain);
      }
      return claimed;
    },

    async recordDomainScan(result: DomainScanResult) {
      const domain = requireText(result.domain, "domain");
      if (result.status !== "done" && result.status !== "failed") {
        throw new InvalidInputError("status must be done or failed.");
      }
      const value: unknown = result.result ?? null;
      if (value !== null && !isJsonObject({ value })) throw new InvalidInputError("result must be JSON-serializable.");
      scans.set(domain, { domain, status: result.status, result: jsonClone(value), error: result.error ?? null });
    },

    async acquireRunLock({ owner, ttlMs }): Promise<RunLockResult> {
      requireText(owner, "owner");
      const ttl = requireTtl(ttlMs);
      const held = liveLease();
      if (held !== null && held.owner !== owner) {
        return { acquired: false, holder: held.owner, expiresAt: new Date(held.expiresAtMs).toISOString() };
      }
      const previous = lease?.owner;
      lease = { owner, expiresAtMs: now() + ttl };
      if (previous !== undefined && previous !== owner) abandonRun(previous, owner);
      return { acquired: true, lock: lockHandle(owner, lease.expiresAtMs) };
    },

    async recordRun(run) {
      requireText(run.runId, "runId");
      runs.set(run.runId, {
        ...structuredClone(run),
        startedAt: toIsoInstant(run.startedAt, "startedAt"),
        finishedAt: run.finishedAt === null ? null : toIsoInstant(run.finishedAt, "finishedAt"),
      });
    },

    async listRuns(query = {}) {
      const limit = query.limit ?? RUNS_DEFAULT_LIMIT;
      if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidInputError("limit must be a positive integer.");
      return structuredClone([...runs.values()].sort(newestFirst).slice(0, Math.min(limit, RUNS_MAX_LIMIT)));
    },

    async getSyncStatus(scope) {
      const sorted = [...runs.values()].sort(newestFirst);
      const held = liveLease();
      const cursor = cursors.get(scope);
      const landed = sorted.filter((run) => run.status === "succeeded" || run.status === "partial");
      const lastReconcile = landed.find((run) => run.full) ?? null;
      const quarantined = quarantinedOf(failures.get(scope)?.values() ?? []);
      return structuredClone({
        lastRun: sorted[0] ?? null,
        lastSucceededRun: landed[0] ?? null,
        lastReconcile,
        quarantined,
        warnings: syncStatusWarnings({ lastReconcile, quarantined }),
        running: held ? { owner: held.owner, expiresAt: new Date(held.expiresAtMs).toISOString() } : null,
        cursor: cursor ?? null,
        referralCount: tables.referrals.size,
      });
    },

    async recordReferralFailures(batch) {
      const normalized = normalizeReferralFailureBatch(batch);
      const states = failures.get(normalized.scope) ?? new Map<string, ReferralFailureState>();
      failures.set(normalized.scope, states);
      // One state per referral, so a duplicate in `failed` gets the same (final) state back.
      const byId = new Map(applyReferralFailures(states, normalized).map((s) => [s.referralId, s]));
      return batch.failed.map((f) => structuredClone(byId.get(f.referralId) as ReferralFailureState));
    },

    async listReferralFailures(scope) {
      return structuredClone([...(failures.get(scope)?.values() ?? [])].sort((a, b) => (a.referralId < b.referralId ? -1 : 1)));
    },

    async queryInbox(query) {
      return structuredClone(pageInboxRows([...tables.referrals.values()].map(toInboxRow), query, { now }));
    },

    async getReferral(referralId) {
      const referral = tables.referrals.get(referralId);
      return referral ? structuredClone(referral) : null;
    },

    async setManualLink({ referralId, companyId }) {
      const referral = tables.referrals.get(referralId);
      if (!referral) return null;
      if (companyId !== null && ![...tables.companies.values()].some((c) => c.id === companyId)) {
        throw new InvalidInputError("companyId does not name a known company.");
      }
      const next: StoredReferral = {
        ...referral,
        linkStatus: companyId === null ? "manual_unlinked" : "manual_linked",
        linkedCompanyId: companyId,
      };
      tables.referrals.set(referralId, next);
      return toInboxRow(structuredClone(next));
    },

    async referralTypesByDomain(domains) {
      const wanted = new Set(domains);
      const seen = new Map<string, Set<ReferralType>>();
      for (const r of tables.referrals.values()) {
        if (r.domain === null || !wanted.has(r.domain)) continue;
        const types = seen.get(r.domain) ?? new Set<ReferralType>();
        types.add(r.referralType);
        seen.set(r.domain, types);
      }
      const result = new Map<string, ReferralType[]>();
      for (const [domain, types] of seen) result.set(domain, REFERRAL_TYPES.filter((t) => types.has(t)));
      return result;
    },

    async listReferralDomains(query) {
      return structuredClone(pageReferralDomains([...tables.referrals.values()].map(toInboxRow), query));
    },

    async claimExpiryAnnouncements(items) {
      const claimed: ExpiryAnnouncement[] = [];
      for (const item of normalizeExpiryClaims(items)) {
        const key = expiryClaimKey(item);
        if (announcements.has(key)) continue;
        announcements.set(key, { ...item, announcedAt: nowIso() });
        claimed.push(item);
      }
      return claimed;
    },

    async getCompany(companyId) {
      const company = [...tables.companies.values()].find((c) => c.id === companyId);
      return company ? structuredClone(company) : null;
    },

    async setCompanyExternalId({ companyId, externalId }) {
      const value = normalizeCompanyExternalId(externalId);
      const company = [...tables.companies.values()].find((c) => c.id === companyId);
      if (!company) return null;
      const next: Company = { ...company, externalId: value, updatedAt: nowIso() };
      tables.companies.set(company.domain, next);
      return structuredClone(next);
    },

    async recordReferralAction(record) {
      const checked = normalizeReferralActionRecord(record);
      if (!actions.has(checked.id)) actions.set(checked.id, checked);
    },

    async listReferralActions(query) {
      const { referralId, limit } = normalizeReferralActionsQuery(query);
      const rows = [...actions.values()].filter((r) => referralId === null || r.referralId === referralId);
      return structuredClone(rows.sort(compareReferralActions).slice(0, limit));
    },

    async listRawLeads() {
      return structuredClone(tables.rawLeads);
    },

    async listDomainScans() {
      return structuredClone([...scans.values()]);
    },
  };
  shared.views.set(tenant, view);
  return view;
}
