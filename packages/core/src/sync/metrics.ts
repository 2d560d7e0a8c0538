// Counters of the engine since it was created, derived from the events it emits so that the
// metrics, the events and the reports can never disagree.
import type { SyncEvent } from "../events.js";
import { SKIP_REASONS, type SkipReason } from "../referral.js";

/** A snapshot of the engine's counters (monotonic since `createSyncEngine`). */
export interface SyncMetrics {
  runs: { started: number; succeeded: number; partial: number; failed: number };
  referrals: {
    fetched: number;
    inserted: number;
    updated: number;
    unchanged: number;
    failed: number;
    skipped: Record<SkipReason, number>;
  };
  pages: number;
  statusChanges: number;
  companiesUpserted: number;
  domainScans: { requested: number; succeeded: number; failed: number };
  rateLimited: number;
  authRequired: number;
}

/** One counter as a flat sample, ready for Prometheus, OpenTelemetry or a JSON status page. */
export interface MetricSample {
  name: string;
  help: string;
  labels: Record<string, string>;
  value: number;
}

/** Collects {@link SyncMetrics}. Internal to the engine; hosts read `engine.metrics()`. */
export interface MetricsRecorder {
  observe(event: SyncEvent): void;
  /** Domain scans have no completion event; the scan runner reports here. */
  scanFinished(ok: boolean): void;
  snapshot(): SyncMetrics;
}

function emptyMetrics(): SyncMetrics {
  return {
    runs: { started: 0, succeeded: 0, partial: 0, failed: 0 },
    referrals: {
      fetched: 0,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      failed: 0,
      skipped: Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>,
    },
    pages: 0,
    statusChanges: 0,
    companiesUpserted: 0,
    domainScans: { requested: 0, succeeded: 0, failed: 0 },
    rateLimited: 0,
    authRequired: 0,
  };
}

/** Creates an empty recorder. */
export function createMetricsRecorder(): MetricsRecorder {
  const m = emptyMetrics();
  return {
    observe(event) {
      switch (event.type) {
        case "sync.started":
          m.runs.started += 1;
          break;
        case "page.fetched":
          m.pages += 1;
          m.referrals.fetched += event.count;
          break;
        case "referral.ingested":
          m.referrals[event.outcome] += 1;
          break;
        case "referral.skipped":
          m.referrals.skipped[event.reason] += 1;
          break;
        case "referral.failed":
          m.referrals.failed += 1;
          break;
        case "referral.status_changed":
          m.statusChanges += 1;
          break;
        case "company.upserted":
          m.companiesUpserted += 1;
          break;
        case "domain.scan_requested":
          m.domainScans.requested += 1;
          break;
        case "rate_limited":
          m.rateLimited += 1;
          break;
        case "auth.required":
          m.authRequired += 1;
          break;
        case "sync.completed":
          m.referrals.unchanged += event.report.counts.unchanged;
          if (event.report.status === "succeeded") m.runs.succeeded += 1;
          else if (event.report.status === "partial") m.runs.partial += 1;
          break;
        case "sync.failed":
          m.referrals.unchanged += event.report.counts.unchanged;
          m.runs.failed += 1;
          break;
      }
    },
    scanFinished(ok) {
      if (ok) m.domainScans.succeeded += 1;
      else m.domainScans.failed += 1;
    },
    snapshot() {
      return structuredClone(m);
    },
  };
}

/**
 * Flattens a snapshot into labelled samples (Prometheus naming: `_total` counters).
 *
 * ```ts
 * for (const s of metricSamples(engine.metrics())) counter(s.name, s.help).set(s.labels, s.value);
 * ```
 */
export function metricSamples(metrics: SyncMetrics): MetricSample[] {
  const runs = "Sync runs by status.";
  const referrals = "Referrals processed by outcome (skips also by reason).";
  const scans = "Domain scans by result.";
  return [
    ...(["started", "succeeded", "partial", "failed"] as const).map((status) => ({
      name: "pc_referrals_sync_runs_total",
      help: runs,
      labels: { status },
      value: metrics.runs[status],
    })),
    ...(["inserted", "updated", "unchanged", "failed"] as const).map((outcome) => ({
      name: "pc_referrals_referrals_total",
      help: referrals,
      labels: { outcome },
      value: metrics.referrals[outcome],
    })),
    ...SKIP_REASONS.map((reason) => ({
      name: "pc_referrals_referrals_total",
      help: referrals,
      labels: { outcome: "skipped", reason },
      value: metrics.referrals.skipped[reason],
    })),
    { name: "pc_referrals_referrals_fetched_total", help: "Referrals read from Partner Center.", labels: {}, value: metrics.referrals.fetched },
    { name: "pc_referrals_pages_fetched_total", help: "Pages read from Partner Center.", labels: {}, value: metrics.pages },
    { name: "pc_referrals_status_changes_total", help: "Stored referrals that changed status.", labels: {}, value: metrics.statusChanges },
    { name: "pc_referrals_companies_upserted_total", help: "Company upserts.", labels: {}, value: metrics.companiesUpserted },
    ...(["requested", "succeeded", "failed"] as const).map((result) => ({
      name: "pc_referrals_domain_scans_total",
      help: scans,
      labels: { result },
      value: metrics.domainScans[result],
    })),
    { name: "pc_referrals_rate_limited_total", help: "Requests Partner Center throttled (429, or 503 with Retry-After).", labels: {}, value: metrics.rateLimited },
    { name: "pc_referrals_auth_required_total", help: "Runs that needed a new login.", labels: {}, value: metrics.authRequired },
  ];
}
