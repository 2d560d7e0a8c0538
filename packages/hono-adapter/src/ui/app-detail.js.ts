// Part of the inbox page's ES module: the detail panel of one referral, with link/unlink actions.

/** Plain-JS source; app.js.ts concatenates the parts into one module. */
export const APP_DETAIL_JS = String.raw`
let detailSeq = 0;
const LINKED = new Set(["auto_linked", "manual_linked"]);

async function openDetail(id, focus) {
  state.open = id;
  writeUrl(false);
  markOpenRow();
  const seq = ++detailSeq;
  $("detail").hidden = false;
  $("layout").classList.add("layout--detail");
  try {
    const referral = await api("/referrals/" + encodeURIComponent(id));
    if (seq !== detailSeq) return;
    renderDetail(referral);
  } catch (error) {
    if (seq !== detailSeq) return;
    $("detail-title").textContent = "Referral " + id;
    const text = error.status === 404 ? "This referral is not in the store." : "Could not load it: " + error.message;
    $("detail-body").replaceChildren(h("p", { class: "error", text }));
  }
  if (focus) $("detail-title").focus();
}

function closeDetail() {
  const id = state.open;
  detailSeq++;
  state.open = "";
  $("detail").hidden = true;
  $("layout").classList.remove("layout--detail");
  writeUrl(false);
  markOpenRow();
  const row = findRow(id);
  const button = row && row.querySelector(".row-open");
  if (button) button.focus();
}

function fact(label, value) {
  const shown = value === null || value === undefined || value === "" ? "—" : value instanceof Node ? value : String(value);
  return [h("dt", { text: label }), h("dd", null, shown)];
}

function renderDetail(r) {
  $("detail-title").textContent = r.customerName || "Referral " + r.referralId;
  const facts = h("dl", { class: "facts" },
    ...fact("Referral id", r.referralId),
    ...fact("Domain", r.domain),
    ...fact("Type", pcrTypeBadge(r.referralType)),
    ...fact("Type evidence", r.typeEvidence),
    ...fact("Status", statusText(r)),
    ...fact("Direction", r.direction),
    ...fact("Link status", linkBadge(r.linkStatus)),
    ...fact("Linked company", r.linkedCompanyId),
    ...fact("Azure tenant", r.azureTenantId),
    ...fact("Score", r.score),
    ...fact("Segment", r.segment),
    ...fact("Reasons", Array.isArray(r.reasons) ? r.reasons.join(", ") : null),
    ...fact("Updated at Partner Center", timeEl(r.updatedAt)),
    ...fact("First seen", timeEl(r.firstSeenAt)),
    ...fact("Last synced", timeEl(r.syncedAt)));
  // Write-back buttons only where the host configured it (createReferralRoutes({ actions })).
  $("detail-body").replaceChildren(facts, ...(r.writeBack ? [actionsSection(r)] : []), candidatesSection(r), linkSection(r));
}

function candidatesSection(r) {
  const candidates = Array.isArray(r.candidates) ? r.candidates : [];
  const items = candidates.map((c) => {
    const linked = c.id === r.linkedCompanyId;
    const action = linked
      ? h("span", { class: "pill", text: "Linked" })
      : h("button", { type: "button", class: "btn btn--small", onclick: () => link(r.referralId, c.id) }, "Link to " + (c.name || c.domain));
    return h("li", { class: "candidate" },
      h("span", { class: "candidate__name", text: c.name || c.domain }),
      h("span", { class: "candidate__meta", text: c.domain + " · " + c.id }),
      action);
  });
  return h("section", { class: "detail__section", "aria-labelledby": "cand-title" },
    h("h3", { id: "cand-title", text: "Link candidates" }),
    items.length ? h("ul", { class: "candidates" }, ...items) : h("p", { class: "muted", text: "No company has this domain or name." }));
}

function linkSection(r) {
  const input = h("input", { id: "link-company", name: "companyId", type: "text", autocomplete: "off", required: true });
  const form = h("form", { class: "link-form", onsubmit: (e) => {
    e.preventDefault();
    const companyId = input.value.trim();
    if (companyId) link(r.referralId, companyId);
  } },
    h("label", { for: "link-company", text: "Company id" }), input,
    h("button", { type: "submit", class: "btn" }, "Link"));
  const unlink = LINKED.has(r.linkStatus) || r.linkedCompanyId
    ? h("button", { type: "button", class: "btn btn--danger", onclick: () => unlinkReferral(r.referralId) }, "Unlink")
    : null;
  return h("section", { class: "detail__section", "aria-labelledby": "link-title" },
    h("h3", { id: "link-title", text: "Link by hand" }),
    h("p", { class: "muted", text: "A link or unlink made here is kept by later syncs." }),
    form, unlink);
}

async function link(referralId, companyId) {
  try {
    const row = await api("/referrals/" + encodeURIComponent(referralId) + "/link", { method: "PUT", body: JSON.stringify({ companyId }) });
    toast("Linked to company " + companyId + ".", "ok");
    afterLinkChange(row);
  } catch (error) {
    toast("Could not link: " + error.message, "error");
  }
}

async function unlinkReferral(referralId) {
  try {
    const row = await api("/referrals/" + encodeURIComponent(referralId) + "/link", { method: "DELETE" });
    toast("Unlinked.", "ok");
    afterLinkChange(row);
  } catch (error) {
    toast("Could not unlink: " + error.message, "error");
  }
}

function afterLinkChange(row) {
  replaceRow(row);
  // The clicked button is gone after the re-render: keep keyboard focus in the panel.
  if (state.open === row.referralId) openDetail(row.referralId, true);
}

function wireDetail() {
  $("detail-close").addEventListener("click", closeDetail);
  $("detail").addEventListener("keydown", (e) => {
    if (e.key === "Escape") closeDetail();
  });
}
`;
