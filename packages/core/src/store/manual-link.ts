// "A later sync never overwrites a manual link" (docs/architecture.md "Link status"), as one rule for every store.
import type { KnownReferral, LinkDecision, LinkStatus } from "./store.js";

/** True for the link statuses a person set by hand. */
export function isManualLink(status: LinkStatus): boolean {
  return status === "manual_linked" || status === "manual_unlinked";
}

/**
 * The link a store writes for a referral: the stored one when a person set it by hand, otherwise
 * the engine's decision. `previous` is the row as stored before this write (undefined when new).
 */
export function keepManualLink(
  previous: Pick<KnownReferral, "linkStatus" | "linkedCompanyId"> | undefined,
  decision: Pick<LinkDecision, "status" | "companyId">,
): { status: LinkStatus; companyId: string | null } {
  return previous !== undefined && isManualLink(previous.linkStatus)
    ? { status: previous.linkStatus, companyId: previous.linkedCompanyId }
    : { status: decision.status, companyId: decision.companyId };
}
