// Every migration of this package, in order. Append new ones; never reorder or edit released ones.
import { init } from "./0001-init.js";
import { reserved } from "./0002-reserved.js";
import { referralFailures } from "./0003-referral-failures.js";
import type { Migration } from "./types.js";

/** The migrations `migrate()` applies, oldest first. */
export const MIGRATIONS: readonly Migration[] = [init, reserved, referralFailures];
