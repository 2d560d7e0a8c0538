// The inbox page's document. No inline script or style (the adapter's CSP forbids both); the
// module and the stylesheet are siblings under <mount>/ui, linked relative to the page URL.

const option = (value: string, label: string): string => `<option value="${value}">${label}</option>`;

const TYPE_OPTIONS = [
  option("", "All types"),
  option("co-sell", "Co-sell"),
  option("marketplace", "Marketplace"),
  option("solution-provider", "Solution Provider (SP)"),
].join("");
const STATUS_OPTIONS = [option("", "All statuses"), ...["New", "Active", "Closed"].map((s) => option(s, s))].join("");
const EXPIRING_OPTIONS = [
  option("", "Any deadline"),
  option("1", "Within 1 day"),
  option("3", "Within 3 days"),
  option("7", "Within 7 days"),
].join("");
const SORT_OPTIONS = [option("", "Newest first"), option("urgency", "Deadline first")].join("");
const LINK_OPTIONS = [
  option("", "All link statuses"),
  option("auto_linked", "Linked"),
  option("multi_candidate", "Several candidates"),
  option("unlinked", "Unlinked"),
  option("manual_linked", "Linked by hand"),
  option("manual_unlinked", "Unlinked by hand"),
].join("");

/** The full document served at `<mount>/ui`. */
export const INBOX_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Partner Center referrals</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="./ui/styles.css">
<script type="module" src="./ui/app.js"></script>
</head>
<body>
<a class="skip-link" href="#inbox-title">Skip to the inbox</a>
<header class="app-header">
  <div class="app-header__title">
    <h1>Partner Center referrals</h1>
    <p id="status-line" class="status-line" role="status">Loading sync status…</p>
  </div>
  <div class="app-header__actions">
    <button id="sync-button" type="button" class="btn btn--primary" aria-describedby="sync-reason" disabled>Partner Center sync</button>
    <p id="sync-reason" class="sync-reason"></p>
  </div>
</header>
<div id="login-banner" class="banner" role="alert" hidden>
  <strong>Sign-in required.</strong> The last sync had no valid Partner Center sign-in. Ask an administrator to sign in
  again (device-code login), then run a sync.
</div>
<main id="layout" class="layout">
  <section class="inbox" aria-labelledby="inbox-title">
    <h2 id="inbox-title" tabindex="-1">Inbox</h2>
    <form id="filters" class="filters" role="search" aria-label="Filter referrals">
      <div class="field"><label for="f-type">Type</label><select id="f-type" name="referralType">${TYPE_OPTIONS}</select></div>
      <div class="field"><label for="f-status">Status</label><select id="f-status" name="status">${STATUS_OPTIONS}</select></div>
      <div class="field"><label for="f-link">Link status</label><select id="f-link" name="linkStatus">${LINK_OPTIONS}</select></div>
      <div class="field"><label for="f-expiring">Expires</label><select id="f-expiring" name="expiresWithinDays">${EXPIRING_OPTIONS}</select></div>
      <div class="field"><label for="f-sort">Order</label><select id="f-sort" name="sort">${SORT_OPTIONS}</select></div>
      <div class="field field--grow"><label for="f-q">Search</label><input id="f-q" name="q" type="search" autocomplete="off" placeholder="Company, domain or referral id"></div>
      <button id="f-clear" type="button" class="btn">Clear filters</button>
    </form>
    <div class="table-wrap">
      <table id="inbox" class="inbox-table">
        <caption class="visually-hidden">Referrals</caption>
        <thead><tr><th scope="col">Company</th><th scope="col">Domain</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Days left</th><th scope="col">Link status</th><th scope="col">Updated</th></tr></thead>
        <tbody id="rows"></tbody>
      </table>
    </div>
    <nav class="pager" aria-label="Pages">
      <button id="prev" type="button" class="btn" disabled>Previous</button>
      <span id="page-info" class="pager__info"></span>
      <button id="next" type="button" class="btn" disabled>Next</button>
    </nav>
  </section>
  <section id="detail" class="detail" aria-labelledby="detail-title" hidden>
    <div class="detail__head">
      <h2 id="detail-title" tabindex="-1">Referral</h2>
      <button id="detail-close" type="button" class="btn">Close</button>
    </div>
    <div id="detail-body"></div>
  </section>
</main>
<div id="toasts" class="toasts"></div>
</body>
</html>
`;
