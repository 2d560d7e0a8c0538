// The store's whole state and its one JSON file. Every change is written to a temporary file in
// the same folder, flushed to disk, then renamed over the old file: a reader (or a crash) sees the
// old state or the new one, never half of a page.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import {
  ConfigError,
  type Company,
  type Cursor,
  type DomainScanRecord,
  type RawLead,
  type ReferralActionRecord,
  type ReferralFailureState,
  type StoredReferral,
  type SyncRunRecord,
} from "@pc-referrals/core";

/** In memory: Maps (a key such as `__proto__` is data, not a prototype), in insertion order. */
export interface FileState {
  referrals: Map<string, StoredReferral>;
  /** Keyed by domain. */
  companies: Map<string, Company>;
  rawLeads: RawLead[];
  cursors: Map<string, Cursor>;
  /** In claim order. */
  scans: Map<string, DomainScanRecord>;
  runs: Map<string, SyncRunRecord>;
  /** scope → referral id → state. */
  failures: Map<string, Map<string, ReferralFailureState>>;
  /** The write-back audit trail, by record id, in the order written. */
  actions: Map<string, ReferralActionRecord>;
  /** One run lock for the whole store; its identity is the owner. */
  lease: { owner: string; expiresAtMs: number } | null;
}

/** On disk: arrays of rows, each carrying its own key. */
interface FileShape {
  format: "pc-referrals-json-store/1";
  referrals: StoredReferral[];
  companies: Company[];
  rawLeads: RawLead[];
  cursors: Array<[string, Cursor]>;
  scans: DomainScanRecord[];
  runs: SyncRunRecord[];
  failures: Array<[string, ReferralFailureState[]]>;
  /** Absent in files written before the audit trail existed. */
  actions?: ReferralActionRecord[];
  lease: { owner: string; expiresAtMs: number } | null;
}

export function emptyState(): FileState {
  return {
    referrals: new Map(),
    companies: new Map(),
    rawLeads: [],
    cursors: new Map(),
    scans: new Map(),
    runs: new Map(),
    failures: new Map(),
    actions: new Map(),
    lease: null,
  };
}

/** Reads the file, or an empty state when there is none yet. */
export function readState(path: string): FileState {
  if (!existsSync(path)) return emptyState();
  let data: FileShape;
  try {
    data = JSON.parse(readFileSync(path, "utf8")) as FileShape;
  } catch {
    data = { format: "unreadable" } as unknown as FileShape;
  }
  if (data?.format !== "pc-referrals-json-store/1") {
    // Never overwrite a file this store did not write.
    throw new ConfigError([{ path: "createJsonFileStore.path", message: `${path} is not a pc-referrals JSON store file: give a new path or this store's own file` }]);
  }
  return {
    referrals: new Map(data.referrals.map((r) => [r.referralId, r])),
    // Companies written before external ids existed have none.
    companies: new Map(data.companies.map((c) => [c.domain, { ...c, externalId: c.externalId ?? null }])),
    rawLeads: data.rawLeads,
    cursors: new Map(data.cursors),
    scans: new Map(data.scans.map((s) => [s.domain, s])),
    runs: new Map(data.runs.map((r) => [r.runId, r])),
    failures: new Map(data.failures.map(([scope, states]) => [scope, new Map(states.map((s) => [s.referralId, s]))])),
    actions: new Map((data.actions ?? []).map((a) => [a.id, a])),
    lease: data.lease,
  };
}

let sequence = 0;

/** Writes `state` as the new file in one rename. Throws (and leaves the old file) when it cannot. */
export function writeState(path: string, state: FileState): void {
  const shape: FileShape = {
    format: "pc-referrals-json-store/1",
    referrals: [...state.referrals.values()],
    companies: [...state.companies.values()],
    rawLeads: state.rawLeads,
    cursors: [...state.cursors],
    scans: [...state.scans.values()],
    runs: [...state.runs.values()],
    failures: [...state.failures].map(([scope, states]) => [scope, [...states.values()]]),
    actions: [...state.actions.values()],
    lease: state.lease,
  };
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${++sequence}.tmp`;
  try {
    const fd = openSync(temporary, "wx", 0o600);
    try {
      writeSync(fd, JSON.stringify(shape));
      fsyncSync(fd); // the rename must never point at data still in the page cache only
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
