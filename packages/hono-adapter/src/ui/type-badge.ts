// The referral-type badge, shared by the inbox page and the lead-list badge element so both
// render the same labels, tooltip and colours (issue 10: co-sell blue, marketplace green,
// solution provider orange labelled "SP").

/** Plain-JS source of `pcrTypeBadge(type)`: one badge element, label and tooltip set as text. */
export const TYPE_BADGE_JS = String.raw`
const PCR_TYPES = {
  "co-sell": { label: "Co-sell", title: "" },
  marketplace: { label: "Marketplace", title: "" },
  "solution-provider": { label: "SP", title: "Solution Provider" },
};
function pcrTypeBadge(type) {
  const known = Object.prototype.hasOwnProperty.call(PCR_TYPES, type) ? PCR_TYPES[type] : null;
  // <abbr> carries the expansion for assistive technology and the tooltip for the mouse.
  const el = document.createElement(known && known.title ? "abbr" : "span");
  el.className = known ? "pcr-type pcr-type--" + type : "pcr-type";
  el.textContent = known ? known.label : String(type);
  if (known && known.title) el.title = known.title;
  return el;
}
`;

/** Badge colours: dark text on light fills, well above WCAG AA contrast. */
export const TYPE_BADGE_CSS = `
.pcr-type { display: inline-block; padding: 0.1rem 0.5rem; border-radius: 999px; border: 1px solid transparent;
  font: 600 0.78rem/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; white-space: nowrap; text-decoration: none; }
.pcr-type + .pcr-type { margin-left: 0.25rem; }
.pcr-type--co-sell { background: #dbeafe; color: #1e3a8a; border-color: #93c5fd; }
.pcr-type--marketplace { background: #dcfce7; color: #14532d; border-color: #86efac; }
.pcr-type--solution-provider { background: #ffedd5; color: #7c2d12; border-color: #fdba74; cursor: help; }
.pcr-none { color: #4b5563; font: 0.85rem/1.4 system-ui, sans-serif; }
`;
