// Issue 9 items 1 and 15: the cursor remembers a listing that broke its order, and a run keeps its
// warnings. Never edit once released (the migrator refuses an applied migration whose text changed).
import type { Migration } from "./types.js";

const up = `
ALTER TABLE sync_cursor ADD COLUMN order_honoured boolean NOT NULL DEFAULT true;
COMMENT ON COLUMN sync_cursor.order_honoured IS
  'false after a run saw the listing break updatedDateTime desc: incremental runs list in full until one sees it honoured.';
ALTER TABLE sync_runs ADD COLUMN warnings jsonb NOT NULL DEFAULT '[]'::jsonb;
`;

const down = `
ALTER TABLE sync_runs DROP COLUMN warnings;
ALTER TABLE sync_cursor DROP COLUMN order_honoured;
`;

/** `sync_cursor.order_honoured` and `sync_runs.warnings`. */
export const cursorOrderAndRunWarnings: Migration = { id: 2, name: "cursor-order-and-run-warnings", up, down };
