// `<pc-referral-badge domain="…">` for a host's own lead list: every badge on the page is
// batched into one GET <mount>/referral-types call (500 domains per request, the route's cap).
import { TYPE_BADGE_CSS, TYPE_BADGE_JS } from "./type-badge.js";

const BADGE_ELEMENT_JS = String.raw`
// Served at <mount>/ui/badge.js: the API is <mount>, wherever the host mounted it.
const API = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const BATCH = 500;
const known = new Map();   // domain → types (a settled answer)
const waiting = new Map(); // domain → Set of elements waiting for it
let flushQueued = false;

function sheet() {
  // One constructed stylesheet shared by every shadow root: no inline style, no extra request.
  if (!sheet.value) {
    sheet.value = new CSSStyleSheet();
    sheet.value.replaceSync(BADGE_CSS);
  }
  return sheet.value;
}

function normalize(domain) {
  return (domain || "").trim().toLowerCase();
}

function request(element, domain) {
  let elements = waiting.get(domain);
  if (!elements) waiting.set(domain, (elements = new Set()));
  elements.add(element);
  if (flushQueued) return;
  flushQueued = true;
  // A macrotask, so every badge the host inserts in the same task joins one request.
  setTimeout(flush, 0);
}

async function flush() {
  flushQueued = false;
  const batch = new Map(waiting);
  waiting.clear();
  const domains = Array.from(batch.keys());
  for (let i = 0; i < domains.length; i += BATCH) {
    const chunk = domains.slice(i, i + BATCH);
    const params = new URLSearchParams();
    for (const domain of chunk) params.append("domain", domain);
    let answer = null;
    try {
      const res = await fetch(API + "/referral-types?" + params.toString(), { credentials: "same-origin", headers: { accept: "application/json" } });
      if (res.ok) answer = await res.json();
    } catch {
      answer = null;
    }
    for (const domain of chunk) {
      const types = answer ? (Array.isArray(answer[domain]) ? answer[domain] : []) : null;
      if (types) known.set(domain, types);
      for (const element of batch.get(domain)) element.show(domain, types);
    }
  }
}

class PcReferralBadge extends HTMLElement {
  static get observedAttributes() {
    return ["domain"];
  }
  constructor() {
    super();
    this.attachShadow({ mode: "open" }).adoptedStyleSheets = [sheet()];
  }
  connectedCallback() {
    this.refresh();
  }
  attributeChangedCallback() {
    if (this.isConnected) this.refresh();
  }
  refresh() {
    const domain = normalize(this.getAttribute("domain"));
    if (!domain) return this.show(domain, []);
    if (known.has(domain)) return this.show(domain, known.get(domain));
    request(this, domain);
  }
  /** types: the domain's referral types, [] for none, null when the answer could not be had. */
  show(domain, types) {
    if (domain !== normalize(this.getAttribute("domain"))) return; // the attribute changed meanwhile
    const root = this.shadowRoot;
    if (types === null) {
      const unknown = document.createElement("span");
      unknown.className = "pcr-none";
      unknown.title = "Referral types unavailable";
      unknown.textContent = "?";
      return root.replaceChildren(unknown);
    }
    if (types.length === 0) {
      const none = document.createElement("span");
      none.className = "pcr-none";
      none.title = "No referral";
      none.textContent = "-";
      return root.replaceChildren(none);
    }
    root.replaceChildren(...types.map(pcrTypeBadge));
  }
}

if (!customElements.get("pc-referral-badge")) customElements.define("pc-referral-badge", PcReferralBadge);
`;

/** The module served at `<mount>/ui/badge.js`. */
export const BADGE_JS: string = [
  `const BADGE_CSS = ${JSON.stringify(TYPE_BADGE_CSS)};`,
  TYPE_BADGE_JS,
  BADGE_ELEMENT_JS,
].join("\n");
