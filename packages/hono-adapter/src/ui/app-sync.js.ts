// Part of the inbox page's ES module: the sync button, the status line, the sign-in banner and
// the live event stream, plus the start-up that wires every part.

/** Plain-JS source; app.js.ts concatenates the parts into one module. */
export const APP_SYNC_JS = String.raw`
let lastStatus = null;
let progress = null;
let pollTimer = null;
const finishedRuns = new Set();

async function loadStatus() {
  try {
    renderStatus(await api("/sync/status"));
  } catch (error) {
    $("status-line").textContent = "Sync status unavailable: " + error.message;
  }
}

function isRunning(s) {
  return Boolean(s && s.running);
}

function renderStatus(s) {
  lastStatus = s;
  let reason = "";
  if (!s.enabled) reason = "Sync is turned off for this installation.";
  else if (isRunning(s)) reason = "A sync is running.";
  $("sync-button").disabled = reason !== "";
  $("sync-reason").textContent = reason;
  $("login-banner").hidden = !s.loginRequired;
  showStatusLine();
  // Polling backs up the event stream while a run is in flight (a proxy may buffer SSE).
  if (isRunning(s) && pollTimer === null) pollTimer = setInterval(loadStatus, 5000);
  if (!isRunning(s) && pollTimer !== null) {
    clearInterval(pollTimer);
    pollTimer = null;
    loadInbox();
  }
}

function statusLine(s) {
  const parts = [];
  if (isRunning(s)) {
    parts.push("Sync running");
    if (progress) parts.push("page " + progress.page + " · " + fmt(progress.fetched) + " fetched");
  }
  const run = s.lastRun && s.lastRun.status === "running" ? s.lastSucceededRun : s.lastRun;
  if (run) {
    parts.push("Last sync " + ago(run.finishedAt || run.startedAt));
    const errors = Array.isArray(run.errors) ? run.errors : [];
    const label = RUN_LABELS[run.status] || String(run.status);
    parts.push(run.status === "failed" && errors[0] ? label + " (" + errors[0].code + ")" : label);
    if (run.counts) {
      parts.push(fmt(run.counts.ingested) + " new");
      if (run.counts.updated) parts.push(fmt(run.counts.updated) + " updated");
    }
  } else if (!isRunning(s)) {
    parts.push("Never synced");
  }
  if (s.nextRunAt) parts.push("next " + inTime(s.nextRunAt));
  return parts.join(" · ");
}

// The line is a live region: write it only when its text changes, so nothing is re-announced.
function showStatusLine() {
  if (!lastStatus) return;
  const text = statusLine(lastStatus);
  if ($("status-line").textContent !== text) $("status-line").textContent = text;
}

function markRunning(runId) {
  if (finishedRuns.has(runId) || !lastStatus) return;
  if (!isRunning(lastStatus)) renderStatus(Object.assign({}, lastStatus, { running: { runId } }));
}

async function startSync() {
  $("sync-button").disabled = true;
  try {
    const started = await api("/sync", { method: "POST", body: JSON.stringify({}) });
    // A tenant synced by workers gets its job queued ({ queued, jobId }), not a run id.
    if (typeof started.queued === "boolean") {
      toast(started.queued ? "Sync queued." : "A sync is already queued.", "info");
      loadStatus();
      return;
    }
    toast("Sync started.", "info");
    markRunning(started.runId);
  } catch (error) {
    if (error.status === 409) toast("A sync is already running.", "info");
    else toast("Could not start the sync: " + error.message, "error");
    loadStatus();
  }
}

function reportSummary(report) {
  const counts = report && report.counts;
  if (!counts) return "";
  return " · " + fmt(counts.ingested) + " new" + (counts.updated ? " · " + fmt(counts.updated) + " updated" : "");
}

function finishRun(runId) {
  finishedRuns.add(runId);
  progress = null;
  loadStatus();
  scheduleRefresh(null);
}

function connectEvents() {
  if (typeof EventSource !== "function") return;
  const source = new EventSource(API + "/events");
  const on = (type, handle) => source.addEventListener(type, (message) => {
    let data = null;
    try { data = JSON.parse(message.data); } catch { return; }
    handle(data);
  });
  on("sync.started", (e) => { progress = null; markRunning(e.runId); });
  on("page.fetched", (e) => {
    progress = { page: e.page, fetched: (progress ? progress.fetched : 0) + e.count };
    showStatusLine();
  });
  on("referral.ingested", (e) => scheduleRefresh(e.referralId));
  on("referral.status_changed", (e) => scheduleRefresh(e.referralId));
  on("sync.completed", (e) => {
    toast("Sync finished" + reportSummary(e.report) + ".", "ok");
    finishRun(e.runId);
  });
  on("sync.failed", (e) => {
    toast("Sync failed: " + ((e.error && e.error.message) || "unknown error"), "error");
    finishRun(e.runId);
  });
  on("auth.required", () => { $("login-banner").hidden = false; });
  let lost = false;
  source.addEventListener("error", () => { lost = true; });
  source.addEventListener("open", () => {
    // Events sent while the stream was down are gone: catch up once it is back.
    if (!lost) return;
    lost = false;
    loadStatus();
    loadInbox();
  });
}

function start() {
  readUrl();
  syncControls();
  wireInbox();
  wireDetail();
  $("sync-button").addEventListener("click", startSync);
  // The side sheet starts below the sticky header (CSSOM, which the CSP allows, unlike style attributes).
  const header = document.querySelector(".app-header");
  new ResizeObserver(() => {
    document.documentElement.style.setProperty("--pcr-header-height", header.offsetHeight + "px");
  }).observe(header);
  window.addEventListener("popstate", () => {
    readUrl();
    syncControls();
    loadInbox();
    if (state.open) openDetail(state.open, false);
    else if (!$("detail").hidden) closeDetail();
  });
  loadStatus();
  loadInbox();
  if (state.open) openDetail(state.open, false);
  connectEvents();
  // Keep "4 min ago" true without refetching.
  setInterval(showStatusLine, 30000);
}

start();
`;
