// Part of the inbox page's ES module: the table, its filters, search and pagination.

/** Plain-JS source; app.js.ts concatenates the parts into one module. */
export const APP_INBOX_JS = String.raw`
let inboxSeq = 0;
const freshIds = new Set();

async function loadInbox() {
  const seq = ++inboxSeq;
  const table = $("inbox");
  table.setAttribute("aria-busy", "true");
  try {
    const data = await api("/inbox?" + inboxQuery());
    if (seq !== inboxSeq) return;
    const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
    if (data.items.length === 0 && data.total > 0 && state.page > pages) {
      // A filter or a sync shrank the list below the page in the URL: show its last page.
      state.page = pages;
      writeUrl(false);
      return loadInbox();
    }
    renderRows(data, pages);
  } catch (error) {
    if (seq === inboxSeq) toast("Could not load the inbox: " + error.message, "error");
  } finally {
    if (seq === inboxSeq) table.removeAttribute("aria-busy");
  }
}

function rowFor(r) {
  const open = h("button", { type: "button", class: r.customerName ? "row-open" : "row-open row-open--unnamed",
    onclick: () => openDetail(r.referralId, true) }, r.customerName || "(no name)");
  open.dataset.id = r.referralId;
  const tr = h("tr", null,
    h("td", null, open),
    h("td", { class: "cell-domain" }, r.domain || "—"),
    h("td", null, pcrTypeBadge(r.referralType)),
    h("td", { class: "cell-status" }, statusText(r)),
    h("td", { class: "cell-days" }, daysLeftEl(r.expiresAt)),
    h("td", null, linkBadge(r.linkStatus)),
    h("td", { class: "cell-time" }, timeEl(r.updatedAt)));
  tr.dataset.id = r.referralId;
  if (freshIds.has(r.referralId)) tr.classList.add("row--fresh");
  return tr;
}

function hasFilters() {
  return FILTER_KEYS.some((key) => state[key] !== "");
}

function renderRows(data, pages) {
  const rows = data.items.map(rowFor);
  if (rows.length === 0) {
    const text = hasFilters() ? "No referral matches these filters." : "No referrals yet. Run a Partner Center sync to fetch them.";
    rows.push(h("tr", null, h("td", { colspan: "7", class: "empty", text })));
  }
  $("rows").replaceChildren(...rows);
  freshIds.clear();
  const noun = data.total === 1 ? " referral" : " referrals";
  $("page-info").textContent = "Page " + data.page + " of " + pages + " · " + fmt(data.total) + noun;
  $("prev").disabled = data.page <= 1;
  $("next").disabled = data.page >= pages;
  markOpenRow();
}

function findRow(id) {
  return Array.from($("rows").children).find((tr) => tr.dataset.id === id) || null;
}
function replaceRow(row) {
  const tr = findRow(row.referralId);
  if (tr) tr.replaceWith(rowFor(row));
  markOpenRow();
}
function markOpenRow() {
  for (const tr of $("rows").children) {
    const open = tr.dataset.id !== undefined && tr.dataset.id === state.open;
    tr.classList.toggle("row--open", open);
    const button = tr.querySelector(".row-open");
    if (button) button.setAttribute("aria-expanded", open ? "true" : "false");
  }
}

// Live updates arrive in bursts (one event per referral); refresh the page at most twice a second.
let refreshTimer = null;
function scheduleRefresh(id) {
  if (id) freshIds.add(id);
  if (refreshTimer !== null) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    const reopen = state.open && freshIds.has(state.open);
    loadInbox();
    if (reopen) openDetail(state.open, false);
  }, 500);
}

function syncControls() {
  $("f-type").value = state.referralType;
  $("f-status").value = state.status;
  $("f-link").value = state.linkStatus;
  $("f-expiring").value = state.expiresWithinDays;
  $("f-sort").value = state.sort;
  $("f-q").value = state.q;
}

function setFilter(key, value, push) {
  if (state[key] === value) return;
  state[key] = value;
  state.page = 1;
  writeUrl(push);
  loadInbox();
}

let searchTimer = null;
function wireInbox() {
  $("f-type").addEventListener("change", (e) => setFilter("referralType", e.target.value, true));
  $("f-status").addEventListener("change", (e) => setFilter("status", e.target.value, true));
  $("f-link").addEventListener("change", (e) => setFilter("linkStatus", e.target.value, true));
  $("f-expiring").addEventListener("change", (e) => {
    // Asking for what expires soon means the most urgent first, unless an order was picked.
    if (e.target.value && !state.sort) {
      state.sort = "urgency";
      $("f-sort").value = "urgency";
    }
    setFilter("expiresWithinDays", e.target.value, true);
  });
  $("f-sort").addEventListener("change", (e) => setFilter("sort", e.target.value, true));
  $("f-q").addEventListener("input", (e) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => setFilter("q", e.target.value.trim(), false), 300);
  });
  $("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    clearTimeout(searchTimer);
    setFilter("q", $("f-q").value.trim(), false);
  });
  $("f-clear").addEventListener("click", () => {
    for (const key of FILTER_KEYS) state[key] = "";
    state.page = 1;
    syncControls();
    writeUrl(true);
    loadInbox();
  });
  $("prev").addEventListener("click", () => goToPage(state.page - 1));
  $("next").addEventListener("click", () => goToPage(state.page + 1));
}

function goToPage(page) {
  state.page = Math.max(1, page);
  writeUrl(true);
  loadInbox();
}
`;
