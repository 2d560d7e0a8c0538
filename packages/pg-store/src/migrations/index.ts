// Every migration of this package, in order. Append new ones; never reorder or edit released ones.
import { init } from "./0001-init.js";
import { cursorOrderAndRunWarnings } from "./0002-cursor-order-and-run-warnings.js";
import { referralFailures } from "./0003-referral-failures.js";
import { domainReferrals } from "./0004-domain-referrals.js";
import { onePayloadCopy } from "./0005-one-payload-copy.js";
import { inboxSearchAndCounts } from "./0006-inbox-search-and-counts.js";
import { referralActions } from "./0007-referral-actions.js";
import { expiryWatch } from "./0008-expiry-watch.js";
import { tenants } from "./0009-tenants.js";
import type { Migration } from "./types.js";

/** The migrations `migrate()` applies, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  init,
  cursorOrderAndRunWarnings,
  referralFailures,
  domainReferrals,
  onePayloadCopy,
  inboxSearchAndCounts,
  referralActions,
  expiryWatch,
  tenants,
];
