// The documented lifecycle as write-back actions (docs/partner-center-api.md §3): New → Active/Accepted
// or Closed/Declined; Active → Closed/Won or Closed/Lost; Closed is terminal.
import type { ReferralActionName } from "../errors.js";

/** A referral's lifecycle fields, as stored. */
export interface ReferralState {
  status: string | null;
  substatus: string | null;
}

const BY_STATUS: Readonly<Record<string, readonly ReferralActionName[]>> = {
  New: ["accept", "decline", "setExternalReference", "setDealValue"],
  Active: ["close", "setExternalReference", "setDealValue"],
};

/**
 * The actions a referral in `state` allows: New → accept, decline, setExternalReference,
 * setDealValue; Active → close, setExternalReference, setDealValue; Closed (terminal), None and
 * any status this library does not know → none. The page and the CLI use it to offer only these.
 */
export function allowedReferralActions(state: ReferralState): ReferralActionName[] {
  const { status } = state;
  return status !== null && Object.hasOwn(BY_STATUS, status) ? [...(BY_STATUS[status] ?? [])] : [];
}
