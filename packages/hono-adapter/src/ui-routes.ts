// GET /ui, /ui/app.js, /ui/styles.css, /ui/badge.js: the inbox page and the lead-list badge,
// served from strings in the package. Relative to the mount, so the page works wherever it is mounted.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { BADGE_JS, INBOX_APP_JS, INBOX_PAGE_HTML, INBOX_STYLES_CSS } from "./ui/index.js";

const FILES: ReadonlyArray<readonly [path: string, body: string, type: string]> = [
  ["/ui", INBOX_PAGE_HTML, "text/html; charset=utf-8"],
  ["/ui/app.js", INBOX_APP_JS, "text/javascript; charset=utf-8"],
  ["/ui/styles.css", INBOX_STYLES_CSS, "text/css; charset=utf-8"],
  ["/ui/badge.js", BADGE_JS, "text/javascript; charset=utf-8"],
];

/** Adds the page's files to `app` (not in the OpenAPI document: they are assets, not API). */
export function registerUiRoutes(app: OpenAPIHono): void {
  for (const [path, body, type] of FILES) {
    app.get(path, (c) => c.body(body, 200, { "content-type": type, "cache-control": "no-cache" }));
  }
}
