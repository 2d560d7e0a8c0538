// A user-written Store over one JSON file: the whole state lives in memory and every change is
// written to the file by an atomic rename (file-state.ts) before it becomes visible, so an
// applyBatch lands whole or not at all and a restarted process reads back what it last wrote.
// One process per file: the run lock lives in the file too, but nothing stops a second process
// from writing over the first (use pg-store for several replicas).
import { randomUUID } from "node:crypto";
import {
  abandonedRunError,
  compareReferralActions,
  InvalidInputError,
  isJsonObject,
  nextFailureState,
  normalizeCompanyExternalId,
  normalizeReferralActionRecord,
  normalizeReferralActionsQuery,
  normalizeReferralFailureBatch,
  quarantinedOf,
  REFERRAL_TYPES,
  syncStatusWarnings,
  toIsoInstant,
  toStoredCursor,
  type Company,
  type DomainScanRecord,
  type KnownReferral,
  type RawLead,
  type ReferralFailureState,
  type ReferralType,
  type RunLock,
  type Store,
  type SyncRunRecord,
} from "@pc-referrals/core";
import { stagePage } from "./apply-page.js";
import { readState, writeState, type FileState } from "./file-state.js";
import { queryInboxRows, referralDomainPage, toInboxRow } from "./queries.js";

export interface JsonFileStoreOptions {
  /** The JSON file; created (with its folder) on the first write. */
  path: string;
  /** Clock in epoch ms (lock leases, timestamps), for tests. Default `Date.now`. */
  now?: () => number;
}

/** The Store, plus the rows the interface never reads back (for the conformance suite's `inspect`). */
export interface JsonFileStore extends Store {
  readonly kind: "json-file";
  readonly path: string;
  listRawLeads(): Promise<RawLead[]>;
  listDomainScans(): Promise<DomainScanRecord[]>;
}

const RUNS_DEFAULT_LIMIT = 20;
const RUNS_MAX_LIMIT = 500;

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

const copy = <T>(value: T): T => structuredClone(value);

export function createJsonFileStore(options: JsonFileStoreOptions): JsonFileStore {
  const path = requireText(options.path, "createJsonFileStore.path");
  const now = options.now ?? Date.now;
  const nowIso = () => new Date(now()).toISOString();
  let state: FileState = readState(path);

  /** Applies `change` to a copy of the state, writes the copy, and only then adopts it. */
  function commit<T>(change: (draft: FileState) => T): T {
    const draft: FileState = {
      ...state,
      cursors: new Map(state.cursors),
      scans: new Map(state.scans),
      runs: new Map(state.runs),
      failures: new Map([...state.failures].map(([scope, states]) => [scope, new Map(states)])),
    };
    const result = change(draft);
    writeState(path, draft);
    state = draft;
    return result;
  }

  const liveLease = () => (state.lease !== null && state.lease.expiresAtMs > now() ? state.lease : null);
  const newestFirst = (a: SyncRunRecord, b: SyncRunRecord): number =>
    Date.parse(b.startedAt) - Date.parse(a.startedAt) || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0);

  function lockHandle(owner: string, expiresAtMs: number): RunLock {
    let expiresAt = new Date(expiresAtMs).toISOString();
    return {
      owner,
      get expiresAt() {
        return expiresAt;
      },
      async release() {
        if (state.lease?.owner === owner) commit((d) => void (d.lease = null));
      },
      async renew(ttlMs) {
        const ttl = requireTtl(ttlMs);
        // Still ours if nobody took it, even past expiry: no run could have started in between.
        if (state.lease?.owner !== owner) return false;
        const lease = { owner, expiresAtMs: now() + ttl };
        commit((d) => void (d.lease = lease));
        expiresAt = new Date(lease.expiresAtMs).toISOString();
        return true;
      },
    };
  }

  return {
    kind: "json-file",
    path,

    async applyBatch(page) {
      const staged = stagePage(state, page, { nowIso, newId: randomUUID });
      commit((d) => Object.assign(d, staged.tables));
      return copy(staged.outcome);
    },

    async getKnownReferrals(referralIds) {
      const known = new Map<string, KnownReferral>();
      for (const id of referralIds) {
        const r = state.referrals.get(id);
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
    },

    async findCompanies({ domains, normalizedNames }) {
      const found: Company[] = [];
      for (const c of state.companies.values()) {
        if (domains.includes(c.domain) || (c.normalizedName !== null && normalizedNames.includes(c.normalizedName))) found.push(copy(c));
      }
      return found.sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
    },

    async getCursor(scope) {
      const cursor = state.cursors.get(scope);
      return cursor ? { ...cursor } : null;
    },

    async advanceCursor(scope, next) {
      const key = requireText(scope, "scope");
      const cursor = toStoredCursor(next);
      commit((d) => void d.cursors.set(key, cursor));
    },

    async claimDomainScans(domains) {
      const fresh = [...new Set(domains)].filter((d) => typeof d === "string" && d !== "" && !state.scans.has(d));
      if (fresh.length === 0) return [];
      commit((d) => {
        for (const domain of fresh) d.scans.set(domain, { domain, status: "claimed", result: null, error: null });
      });
      return fresh;
    },

    async recordDomainScan(result) {
      const domain = requireText(result.domain, "domain");
      if (result.status !== "done" && result.status !== "failed") throw new InvalidInputError("status must be done or failed.");
      const value: unknown = result.result ?? null;
      if (value !== null && !isJsonObject({ value })) throw new InvalidInputError("result must be JSON-serializable.");
      const record: DomainScanRecord = { domain, status: result.status, result: JSON.parse(JSON.stringify(value)) as unknown, error: result.error ?? null };
      commit((d) => void d.scans.set(domain, record));
    },

    async acquireRunLock({ owner, ttlMs }) {
      requireText(owner, "owner");
      const ttl = requireTtl(ttlMs);
      const held = liveLease();
      if (held !== null && held.owner !== owner) {
        return { acquired: false, holder: held.owner, expiresAt: new Date(held.expiresAtMs).toISOString() };
      }
      const previous = state.lease?.owner;
      const lease = { owner, expiresAtMs: now() + ttl };
      commit((d) => {
        d.lease = lease;
        // The expired holder never wrote its end: its record would say `running` forever.
        const run = previous !== undefined && previous !== owner ? d.runs.get(previous) : undefined;
        if (run?.status === "running") {
          d.runs.set(run.runId, { ...run, status: "failed", finishedAt: nowIso(), errors: [...run.errors, abandonedRunError(owner)] });
        }
      });
      return { acquired: true, lock: lockHandle(owner, lease.expiresAtMs) };
    },

    async recordRun(run) {
      requireText(run.runId, "runId");
      const record: SyncRunRecord = {
        ...copy(run),
        startedAt: toIsoInstant(run.startedAt, "startedAt"),
        finishedAt: run.finishedAt === null ? null : toIsoInstant(run.finishedAt, "finishedAt"),
      };
      commit((d) => void d.runs.set(record.runId, record));
    },

    async listRuns(query = {}) {
      const limit = query.limit ?? RUNS_DEFAULT_LIMIT;
      if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidInputError("limit must be a positive integer.");
      return copy([...state.runs.values()].sort(newestFirst).slice(0, Math.min(limit, RUNS_MAX_LIMIT)));
    },

    async getSyncStatus(scope) {
      const sorted = [...state.runs.values()].sort(newestFirst);
      const landed = sorted.filter((r) => r.status === "succeeded" || r.status === "partial");
      const lastReconcile = landed.find((r) => r.full) ?? null;
      const quarantined = quarantinedOf(state.failures.get(scope)?.values() ?? []);
      const held = liveLease();
      return copy({
        lastRun: sorted[0] ?? null,
        lastSucceededRun: landed[0] ?? null,
        lastReconcile,
        quarantined,
        warnings: syncStatusWarnings({ lastReconcile, quarantined }),
        running: held ? { owner: held.owner, expiresAt: new Date(held.expiresAtMs).toISOString() } : null,
        cursor: state.cursors.get(scope) ?? null,
        referralCount: state.referrals.size,
      });
    },

    async recordReferralFailures(batch) {
      const normalized = normalizeReferralFailureBatch(batch);
      const byId = commit((d) => {
        const states = new Map(d.failures.get(normalized.scope));
        d.failures.set(normalized.scope, states);
        for (const id of normalized.succeeded) states.delete(id);
        for (const input of normalized.failed) states.set(input.referralId, nextFailureState(states.get(input.referralId), input, normalized));
        return states;
      });
      // A referral listed twice gets the same (final) state back for both entries.
      return batch.failed.map((f) => copy(byId.get(f.referralId) as ReferralFailureState));
    },

    async listReferralFailures(scope) {
      return copy([...(state.failures.get(scope)?.values() ?? [])].sort((a, b) => (a.referralId < b.referralId ? -1 : 1)));
    },

    async queryInbox(query) {
      return copy(queryInboxRows(state.referrals.values(), query));
    },

    async getReferral(referralId) {
      const r = state.referrals.get(referralId);
      return r ? copy(r) : null;
    },

    async setManualLink({ referralId, companyId }) {
      const r = state.referrals.get(referralId);
      if (!r) return null;
      if (companyId !== null && ![...state.companies.values()].some((c) => c.id === companyId)) {
        throw new InvalidInputError("companyId does not name a known company.");
      }
      const next = { ...r, linkStatus: companyId === null ? ("manual_unlinked" as const) : ("manual_linked" as const), linkedCompanyId: companyId };
      commit((d) => {
        d.referrals = new Map(d.referrals).set(referralId, next);
      });
      return copy(toInboxRow(next));
    },

    async referralTypesByDomain(domains) {
      const wanted = new Set(domains);
      const seen = new Map<string, Set<ReferralType>>();
      for (const r of state.referrals.values()) {
        if (r.domain === null || !wanted.has(r.domain)) continue;
        seen.set(r.domain, (seen.get(r.domain) ?? new Set<ReferralType>()).add(r.referralType));
      }
      return new Map([...seen].map(([domain, types]) => [domain, REFERRAL_TYPES.filter((t) => types.has(t))]));
    },

    async listReferralDomains(query) {
      return copy(referralDomainPage(state.referrals.values(), query));
    },

    async getCompany(companyId) {
      const company = [...state.companies.values()].find((c) => c.id === companyId);
      return company ? copy(company) : null;
    },

    async setCompanyExternalId({ companyId, externalId }) {
      const value = normalizeCompanyExternalId(externalId);
      const company = [...state.companies.values()].find((c) => c.id === companyId);
      if (!company) return null;
      const next: Company = { ...company, externalId: value, updatedAt: nowIso() };
      commit((d) => {
        d.companies = new Map(d.companies).set(next.domain, next);
      });
      return copy(next);
    },

    async recordReferralAction(record) {
      const checked = normalizeReferralActionRecord(record);
      if (state.actions.has(checked.id)) return;
      commit((d) => {
        d.actions = new Map(d.actions).set(checked.id, checked);
      });
    },

    async listReferralActions(query) {
      const { referralId, limit } = normalizeReferralActionsQuery(query);
      const rows = [...state.actions.values()].filter((a) => referralId === null || a.referralId === referralId);
      return copy(rows.sort(compareReferralActions).slice(0, limit));
    },

    async listRawLeads() {
      return copy(state.rawLeads);
    },

    async listDomainScans() {
      return copy([...state.scans.values()]);
    },
  };
}
