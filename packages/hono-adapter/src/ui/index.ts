// What routes.ts serves under <mount>/ui when `ui: true`.
export { INBOX_PAGE_HTML } from "./page.html.js";
export { INBOX_APP_JS } from "./app.js.js";
export { INBOX_STYLES_CSS } from "./styles.css.js";
export { BADGE_JS } from "./badge.js.js";
