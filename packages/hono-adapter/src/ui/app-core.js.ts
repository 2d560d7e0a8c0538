// Part of the inbox page's ES module: API access, DOM and formatting helpers, toasts, URL state.
// Everything from a referral reaches the DOM as text (textContent, text nodes, attributes).

/** Plain-JS source; app.js.ts concatenates the parts into one module. */
export const APP_CORE_JS = String.raw`
// The page is served at <mount>/ui and this module at <mount>/ui/app.js: the API is <mount>.
const API = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const $ = (id) => document.getElementById(id);

/** createElement with props; strings among the children become text nodes, never markup. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = String(value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

class ApiError extends Error {
  constructor(problem, status) {
    super(problem.detail || problem.title || "HTTP " + status);
    this.status = status;
    this.code = problem.code || "http_" + status;
  }
}

async function api(path, init) {
  const headers = { accept: "application/json" };
  if (init && init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(API + path, Object.assign({ credentials: "same-origin" }, init, { headers }));
  const type = res.headers.get("content-type") || "";
  const body = type.includes("json") ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new ApiError(body || {}, res.status);
  return body;
}

function toast(message, kind) {
  const tone = kind || "info";
  const el = h("div", { class: "toast toast--" + tone, role: tone === "error" ? "alert" : "status" },
    h("span", { class: "toast__text", text: message }),
    h("button", { type: "button", class: "toast__close", "aria-label": "Dismiss", onclick: () => el.remove() }, "×"));
  $("toasts").append(el);
  setTimeout(() => el.remove(), tone === "error" ? 12000 : 6000);
}

const LINK_LABELS = {
  auto_linked: "Linked",
  multi_candidate: "Several candidates",
  unlinked: "Unlinked",
  manual_linked: "Linked by hand",
  manual_unlinked: "Unlinked by hand",
};
const RUN_LABELS = { succeeded: "OK", partial: "Partial", failed: "Failed", skipped: "Skipped", running: "Running" };
const numberFormat = new Intl.NumberFormat("en-US");
const fmt = (n) => numberFormat.format(Number(n) || 0);

function linkBadge(status) {
  return h("span", { class: "link link--" + String(status).replace(/[^a-z_]/g, ""), text: LINK_LABELS[status] || String(status) });
}
function statusText(r) {
  const status = r.status || "—";
  return r.substatus && r.substatus !== "None" ? status + " · " + r.substatus : status;
}
function timeEl(iso) {
  if (!iso) return "—";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return String(iso);
  return h("time", { datetime: iso, title: iso, text: new Date(ms).toISOString().slice(0, 16).replace("T", " ") });
}
// Whole days to the deadline, rounded up as referral.expiring counts them (core's expiryDaysLeft).
const DAY_MS = 24 * 60 * 60 * 1000;
function daysLeftEl(iso) {
  if (!iso) return "—";
  const left = Date.parse(iso) - Date.now();
  if (Number.isNaN(left)) return String(iso);
  const title = "Closes as Expired unless answered by " + new Date(Date.parse(iso)).toISOString().slice(0, 16).replace("T", " ") + " UTC";
  if (left <= 0) return h("time", { datetime: iso, title, class: "days days--over", text: "Expired" });
  const days = Math.ceil(left / DAY_MS);
  const urgency = days <= 1 ? " days--now" : days <= 3 ? " days--soon" : "";
  return h("time", { datetime: iso, title, class: "days" + urgency, text: days === 1 ? "1 day" : days + " days" });
}
function ago(iso) {
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return "";
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return minutes + " min ago";
  const hours = Math.round(minutes / 60);
  return hours < 36 ? hours + " h ago" : Math.round(hours / 24) + " days ago";
}
function inTime(iso) {
  const minutes = Math.round((Date.parse(iso) - Date.now()) / 60000);
  if (!Number.isFinite(minutes)) return "";
  if (minutes < 1) return "in under a minute";
  return minutes < 90 ? "in " + minutes + " min" : "in " + Math.round(minutes / 60) + " h";
}

// The view lives in the URL, so a reload or a shared link shows the same filters, page and row.
const FILTER_KEYS = ["referralType", "status", "linkStatus", "expiresWithinDays", "sort", "q"];
const DEFAULT_PAGE_SIZE = 25;
const state = { referralType: "", status: "", linkStatus: "", expiresWithinDays: "", sort: "", q: "", page: 1, pageSize: DEFAULT_PAGE_SIZE, open: "" };

function readUrl() {
  const params = new URLSearchParams(location.search);
  for (const key of FILTER_KEYS) state[key] = params.get(key) || "";
  state.page = Math.max(1, Number.parseInt(params.get("page") || "1", 10) || 1);
  const size = Number.parseInt(params.get("pageSize") || "", 10);
  state.pageSize = size >= 1 && size <= 100 ? size : DEFAULT_PAGE_SIZE;
  state.open = params.get("referral") || "";
}
function writeUrl(push) {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) if (state[key]) params.set(key, state[key]);
  if (state.page > 1) params.set("page", String(state.page));
  if (state.pageSize !== DEFAULT_PAGE_SIZE) params.set("pageSize", String(state.pageSize));
  if (state.open) params.set("referral", state.open);
  const query = params.toString();
  const url = location.pathname + (query ? "?" + query : "");
  if (url !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", url);
}
function inboxQuery() {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) if (state[key]) params.set(key, state[key]);
  params.set("page", String(state.page));
  params.set("pageSize", String(state.pageSize));
  return params.toString();
}
`;
