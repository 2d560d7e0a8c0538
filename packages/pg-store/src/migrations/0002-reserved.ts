// Placeholder for migration 0002, which another change of issue 9 (the cursor's order flag) owns;
// it keeps the ids gapless on this branch. Replace it with that migration when the branches merge.
import type { Migration } from "./types.js";

/** Does nothing; see the file comment. */
export const reserved: Migration = { id: 2, name: "reserved", up: "SELECT 1;", down: "SELECT 1;" };
