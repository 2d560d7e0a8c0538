// How a sync report, the status and the inbox read in a terminal.
import { expiryDaysLeft, type InboxRow, type Page, type SyncReport } from "@pc-referrals/core";
import { EXIT } from "./output.js";
import type { ExitCode } from "./output.js";
import { renderPairs, renderTable } from "./table.js";

/** The summary table of one run, with the skip reasons that occurred. */
export function reportSummary(report: SyncReport, options: { dryRun?: boolean } = {}): string {
  const c = report.counts;
  const skippedTotal = Object.values(c.skipped).reduce((a, b) => a + b, 0);
  const pairs: Array<readonly [string, string]> = [
    ["run", `${report.runId} (${report.full ? "full" : "incremental"}${options.dryRun ? ", dry run: nothing written" : ""})`],
    ["status", report.status],
    ["pages", String(c.pages)],
    ["fetched", String(c.fetched)],
    [options.dryRun ? "would be new" : "new", String(c.ingested)],
    [options.dryRun ? "would be updated" : "updated", String(c.updated)],
    ["unchanged", String(c.unchanged)],
    ["skipped", String(skippedTotal)],
  ];
  for (const [reason, n] of Object.entries(c.skipped)) if (n > 0) pairs.push([`  ${reason}`, String(n)]);
  pairs.push(["failed", String(c.failed)], ["duration", `${(report.durationMs / 1000).toFixed(1)}s`]);
  if (report.cursor.next !== null) pairs.push(["mark", report.cursor.next]);
  for (const w of report.warnings) pairs.push(["warning", `${w.code}: ${w.message}`]);
  for (const e of report.errors.filter((x) => x.referralId === null)) pairs.push(["error", `${e.code}: ${e.message}`]);
  const perReferral = report.errors.filter((x) => x.referralId !== null).length;
  if (perReferral > 0) pairs.push(["referral errors", `${perReferral} (invalid payloads and failures; --json lists them)`]);
  return renderPairs(pairs);
}

/** Exit code of a finished run: 0 when it succeeded (or had nothing to do), else by its first run-level error. */
export function reportExitCode(report: SyncReport): ExitCode {
  if (report.status === "succeeded" || report.status === "skipped") return EXIT.ok;
  const runError = report.errors.find((e) => e.referralId === null)?.code;
  if (runError === "auth_required") return EXIT.loginRequired;
  if (runError === "store_error" || runError === "store_locked") return EXIT.storeUnreachable;
  if (runError === "aborted") return EXIT.interrupted;
  return EXIT.runFailed;
}

/** Whole days to a New referral's deadline (rounded up), "expired" once past, empty without one. */
function daysLeft(expiresAt: string | null, now: number): string {
  if (expiresAt === null) return "";
  const days = expiryDaysLeft(expiresAt, now);
  return days === 0 ? "expired" : String(days);
}

/** One inbox page as a table that fits `width`, with the page line under it. */
export function inboxTable(page: Page<InboxRow>, width: number, now: number = Date.now()): string {
  if (page.items.length === 0) return page.total === 0 ? "The inbox is empty." : `No referrals on page ${page.page} (${page.total} in all).`;
  const table = renderTable(
    [
      { header: "referral", cell: (r: InboxRow) => r.referralId },
      { header: "type", cell: (r) => r.referralType },
      { header: "status", cell: (r) => [r.status, r.substatus].filter(Boolean).join("/") },
      { header: "customer", cell: (r) => r.customerName ?? "" },
      { header: "domain", cell: (r) => r.domain ?? "" },
      { header: "days left", cell: (r) => daysLeft(r.expiresAt, now), right: true },
      { header: "link", cell: (r) => r.linkStatus },
      { header: "updated", cell: (r) => (r.updatedAt ?? "").slice(0, 10) },
    ],
    page.items,
    width,
  );
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  return `${table}\npage ${page.page} of ${pages} · ${page.total} referrals`;
}
