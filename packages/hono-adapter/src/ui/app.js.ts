// The inbox page's ES module, assembled from parts kept small enough to read in one sitting.
import { APP_ACTIONS_JS } from "./app-actions.js.js";
import { APP_CORE_JS } from "./app-core.js.js";
import { APP_DETAIL_JS } from "./app-detail.js.js";
import { APP_INBOX_JS } from "./app-inbox.js.js";
import { APP_SYNC_JS } from "./app-sync.js.js";
import { TYPE_BADGE_JS } from "./type-badge.js";

/** The whole module as served at `<mount>/ui/app.js` (ES module, no imports, no build step). */
export const INBOX_APP_JS: string = [TYPE_BADGE_JS, APP_CORE_JS, APP_INBOX_JS, APP_DETAIL_JS, APP_ACTIONS_JS, APP_SYNC_JS].join("\n");
