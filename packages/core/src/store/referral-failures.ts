// Cross-run failure bookkeeping (quarantine): its types, and the rules every store applies, as
// plain functions (the memory store runs them as they are; pg-store states the same in SQL).
import { InvalidInputError } from "../errors.js";
import type { SyncRunRecord, SyncWarning } from "./store.js";
import { toIsoInstant } from "./validate-page.js";

/**
 * A referral that failed in its latest run(s), tracked per scope by
 * {@link Store.recordReferralFailures}. Quarantined once `failures` reached the threshold.
 */
export interface ReferralFailureState {
  referralId: string;
  /** Consecutive runs in which the referral appeared and failed. */
  failures: number;
  /** Content hash of the payload that last failed; another hash starts the count again. */
  contentHash: string | null;
  /** The referral's `updatedDateTime` when it last failed. */
  updatedAt: string | null;
  lastError: { code: string; message: string };
  lastRunId: string;
  /** When it was quarantined (its failures no longer hold the mark back); null while it is not. */
  quarantinedAt: string | null;
}

/** One failure reported to {@link Store.recordReferralFailures}. */
export interface ReferralFailureInput {
  referralId: string;
  contentHash: string | null;
  updatedAt: string | null;
  error: { code: string; message: string };
}

/** The failures and successes of one page (or run) of one scope. */
export interface ReferralFailureBatch {
  scope: string;
  runId: string;
  /** A referral reaching this many consecutive failing runs is quarantined (a positive integer). */
  quarantineAfter: number;
  /** The time written as `quarantinedAt` (ISO-8601). */
  at: string;
  failed: ReferralFailureInput[];
  /** Referrals that went through (written or skipped) in this run: their failure state is dropped. */
  succeeded: readonly string[];
}

function requireText(value: unknown, path: string): string {
  if (typeof value !== "string" || value.length === 0) throw new InvalidInputError(`${path} must be a non-empty string.`);
  return value;
}

function textOrNull(value: unknown, path: string): string | null {
  if (value === null) return null;
  if (typeof value !== "string") throw new InvalidInputError(`${path} must be a string or null.`);
  return value;
}

/**
 * Checks a batch and returns it normalized: instants as `toISOString()`, each failed referral once
 * (its last entry). Throws `InvalidInputError` naming the first bad field.
 */
export function normalizeReferralFailureBatch(batch: ReferralFailureBatch): ReferralFailureBatch {
  if (typeof batch !== "object" || batch === null) throw new InvalidInputError("The failure batch must be an object.");
  const { quarantineAfter } = batch;
  if (!Number.isSafeInteger(quarantineAfter) || quarantineAfter < 1) {
    throw new InvalidInputError("quarantineAfter must be a positive integer.");
  }
  if (!Array.isArray(batch.failed) || !Array.isArray(batch.succeeded)) {
    throw new InvalidInputError("failed and succeeded must be arrays.");
  }
  const failed = new Map<string, ReferralFailureInput>();
  batch.failed.forEach((f, i) => {
    const referralId = requireText(f?.referralId, `failed[${i}].referralId`);
    failed.delete(referralId);
    failed.set(referralId, {
      referralId,
      contentHash: textOrNull(f.contentHash, `failed[${i}].contentHash`),
      updatedAt: f.updatedAt === null ? null : toIsoInstant(f.updatedAt, `failed[${i}].updatedAt`),
      error: { code: requireText(f.error?.code, `failed[${i}].error.code`), message: String(f.error?.message ?? "") },
    });
  });
  return {
    scope: requireText(batch.scope, "scope"),
    runId: requireText(batch.runId, "runId"),
    quarantineAfter,
    at: toIsoInstant(batch.at, "at"),
    failed: [...failed.values()],
    succeeded: batch.succeeded.map((id, i) => requireText(id, `succeeded[${i}]`)),
  };
}

/** The state after one more failure of `input` (see `Store.recordReferralFailures`). */
export function nextFailureState(
  previous: ReferralFailureState | undefined,
  input: ReferralFailureInput,
  batch: Pick<ReferralFailureBatch, "runId" | "quarantineAfter" | "at">,
): ReferralFailureState {
  const sameContent = previous !== undefined && previous.contentHash === input.contentHash;
  const failures = !sameContent ? 1 : previous.lastRunId === batch.runId ? previous.failures : previous.failures + 1;
  const kept = sameContent ? previous.quarantinedAt : null;
  return {
    referralId: input.referralId,
    failures,
    contentHash: input.contentHash,
    updatedAt: input.updatedAt,
    lastError: { ...input.error },
    lastRunId: batch.runId,
    quarantinedAt: kept ?? (failures >= batch.quarantineAfter ? batch.at : null),
  };
}

/** Applies a normalized batch to one scope's states (keyed by referral id); returns the `failed` states. */
export function applyReferralFailures(
  states: Map<string, ReferralFailureState>,
  batch: ReferralFailureBatch,
): ReferralFailureState[] {
  for (const id of batch.succeeded) states.delete(id);
  return batch.failed.map((input) => {
    const next = nextFailureState(states.get(input.referralId), input, batch);
    states.set(input.referralId, next);
    return structuredClone(next);
  });
}

/** Quarantined states, oldest quarantine first (ties by referral id), as `SyncStatus.quarantined` lists them. */
export function quarantinedOf(states: Iterable<ReferralFailureState>): ReferralFailureState[] {
  return [...states]
    .filter((s) => s.quarantinedAt !== null)
    .sort((a, b) => Date.parse(a.quarantinedAt ?? "") - Date.parse(b.quarantinedAt ?? "") || (a.referralId < b.referralId ? -1 : 1));
}

/** The warnings of a run's counts: `missed_by_incremental` and `referrals_quarantined` when non-zero. */
export function countWarnings(counts: Pick<SyncRunRecord["counts"], "missedByIncremental" | "quarantined">): SyncWarning[] {
  const warnings: SyncWarning[] = [];
  const missed = counts.missedByIncremental ?? 0;
  if (missed > 0) {
    warnings.push({
      code: "missed_by_incremental",
      message: `${missed} referral(s) were new or changed at or below the incremental mark; a full run picked them up.`,
      count: missed,
    });
  }
  if (counts.quarantined > 0) {
    warnings.push({
      code: "referrals_quarantined",
      message: `${counts.quarantined} referral(s) failed in consecutive runs and were quarantined; the mark no longer waits for them.`,
      count: counts.quarantined,
    });
  }
  return warnings;
}

/**
 * `SyncStatus.warnings`: the last reconcile's `missed_by_incremental` and the referrals in
 * quarantine now. Stores build their status with it, so every store words them the same.
 */
export function syncStatusWarnings(status: { lastReconcile: SyncRunRecord | null; quarantined: readonly ReferralFailureState[] }): SyncWarning[] {
  return countWarnings({
    missedByIncremental: status.lastReconcile?.counts.missedByIncremental ?? null,
    quarantined: status.quarantined.length,
  });
}
