// writeBack.setExternalReferenceOnLink (docs/architecture.md "Write-back"): a referral linked to a
// company that has the host's own id (Company.externalId) gets it as `externalReferenceId`, so
// Microsoft's sellers see the partner's CRM reference. Auto links are written after the run (or the
// syncReferral) that made them; manual links by `engine.linkReferral`.
import type { ReferralActionResult, ReferralActions } from "../actions/referral-actions.js";
import { NotFoundError } from "../errors.js";
import type { ErrorSummary, SyncEventEmitter } from "../events.js";
import type { Logger } from "../logger.js";
import type { InboxRow, Store } from "../store/store.js";
import { summarizeError } from "./report.js";

/** The actor the audit trail names for a write-back the engine did on its own after an auto link. */
export const AUTO_LINK_ACTOR = "pc-referrals:auto-link";

/**
 * What writing the company's external id did: `written` (with the action's result), `failed` (the
 * link stands; the error is logged and audited), or null when nothing was to be written (the option
 * is off, an unlink, a company without `externalId`, or the referral already carries it).
 */
export type LinkWriteBack = { status: "written"; result: ReferralActionResult } | { status: "failed"; error: ErrorSummary } | null;

/** The result of `engine.linkReferral`. */
export interface LinkReferralResult {
  /** The referral's inbox row after the link. */
  row: InboxRow;
  writeBack: LinkWriteBack;
}

interface Deps {
  enabled: boolean;
  store: Pick<Store, "getReferral" | "getCompany" | "setManualLink">;
  actions: () => ReferralActions;
  emitter: SyncEventEmitter;
  logger: Logger;
}

/** The write-back of links for one engine. */
export function createLinkWriteBack(deps: Deps) {
  const pending = new Map<string, Set<string>>(); // runId → referral ids auto-linked when inserted

  // A link is decided when a referral is first stored; later syncs keep it, so only inserts count
  // (the re-read after the write-back is an update and never queues the referral again).
  if (deps.enabled) {
    deps.emitter.on("referral.ingested", (e) => {
      if (e.outcome !== "inserted" || e.linkStatus !== "auto_linked") return;
      const ids = pending.get(e.runId) ?? new Set<string>();
      pending.set(e.runId, ids.add(e.referralId));
    });
  }

  async function writeFor(referralId: string, actor: string | null): Promise<LinkWriteBack> {
    if (!deps.enabled) return null;
    try {
      const stored = await deps.store.getReferral(referralId);
      const companyId = stored?.linkedCompanyId ?? null;
      if (stored === null || companyId === null) return null;
      const company = await deps.store.getCompany(companyId);
      const externalId = company?.externalId ?? null;
      if (externalId === null || stored.payload.externalReferenceId === externalId) return null;
      const result = await deps.actions().setExternalReference(referralId, externalId, { actor });
      return { status: "written", result };
    } catch (error) {
      const summary = summarizeError(error);
      deps.logger.warn({ referralId, error: summary }, "link_write_back_failed");
      return { status: "failed", error: summary };
    }
  }

  return {
    /** Writes back the auto links `runId` made; never rejects (failures are logged and audited). */
    async flush(runId: string): Promise<void> {
      const ids = pending.get(runId);
      pending.delete(runId);
      for (const referralId of ids ?? []) await writeFor(referralId, AUTO_LINK_ACTOR);
    },

    /** `engine.linkReferral`: the manual link (or unlink), then the external id's write-back. */
    async link(referralId: string, companyId: string | null, actor: string | null): Promise<LinkReferralResult> {
      const row = await deps.store.setManualLink({ referralId, companyId });
      if (row === null) throw new NotFoundError(`No referral "${referralId}" is stored.`);
      const writeBack = companyId === null ? null : await writeFor(referralId, actor);
      return { row, writeBack };
    },
  };
}
