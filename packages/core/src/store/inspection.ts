/**
 * Rows a store writes but the {@link Store} interface never reads back: raw leads and domain scans.
 *
 * Stores may expose them (the memory store does) so that `describeStoreConformance` can check
 * them through its `inspect` option.
 */
import type { ProcessedReferral, Store } from "./store.js";

/** The full payload of a referral, kept when it is new or its content changed (source `partnercenter`). */
export interface RawLead {
  source: "partnercenter";
  referralId: string;
  domain: string | null;
  /** The customer name of the referral. */
  companyName: string | null;
  /** The first customer contact e-mail. PII: never log it. */
  email: string | null;
  website: string | null;
  payload: Record<string, unknown>;
  contentHash: string;
  createdAt: string;
}

/** The one-time scan of a domain: `claimed` until its result is recorded. */
export interface DomainScanRecord {
  domain: string;
  status: "claimed" | "done" | "failed";
  /** The scanner's result as JSON, null when none. */
  result: unknown;
  error: string | null;
}

/** What a store needs to show the conformance suite the rows its interface does not read. */
export interface StoreInspector<S extends Store = Store> {
  /** Every raw lead, in any order. */
  rawLeads?(store: S): Promise<RawLead[]>;
  /** Every claimed or scanned domain, in any order. */
  domainScans?(store: S): Promise<DomainScanRecord[]>;
}

/** The raw lead row a store writes for an inserted or updated referral. */
export function toRawLead(referral: ProcessedReferral, createdAt: string): RawLead {
  return {
    source: "partnercenter",
    referralId: referral.referralId,
    domain: referral.domain,
    companyName: referral.customerName,
    email: referral.contactEmail,
    website: referral.website,
    payload: referral.payload,
    contentHash: referral.contentHash,
    createdAt,
  };
}
