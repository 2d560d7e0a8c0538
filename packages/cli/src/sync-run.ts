// One sync with the progress line and the summary: shared by `sync` and `demo`.
import { DEFAULT_TENANT, type MsalTokenProvider, type Store, type SyncReport } from "@pc-referrals/core";
import type { CliConfig } from "./config.js";
import { createEngine } from "./context.js";
import { dryRunStore } from "./dry-run-store.js";
import type { CliIo } from "./io.js";
import { CliError, EXIT, printJson, println } from "./output.js";
import { createProgress } from "./progress.js";
import { reportExitCode, reportSummary } from "./summary.js";

/** Fails with exit 3 before any work when nobody is signed in. */
export async function requireLogin(tokens: MsalTokenProvider, tenant: string = DEFAULT_TENANT): Promise<void> {
  if ((await tokens.account()) === null) {
    const fix = tenant === DEFAULT_TENANT ? "Run `pc-referrals login` first." : `Run \`pc-referrals tenants login ${tenant}\` first.`;
    throw new CliError(EXIT.loginRequired, tenant === DEFAULT_TENANT ? "Not signed in to Partner Center." : `Tenant ${tenant} is not signed in to Partner Center.`, fix);
  }
}

/** Runs one sync and prints the summary (or only the report with `json`); returns the report and the exit code. */
export async function runSyncOnce(
  io: CliIo,
  config: CliConfig,
  store: Store,
  tokens: MsalTokenProvider,
  options: { full: boolean; dryRun: boolean; json: boolean },
): Promise<{ report: SyncReport; exitCode: number }> {
  const progress = createProgress(io);
  const target = options.dryRun ? dryRunStore(store) : store;
  const engine = createEngine(config, options.json ? target : progress.observe(target), tokens);
  if (!options.json) progress.attach(engine);
  let report: SyncReport;
  try {
    report = await engine.run({ trigger: "manual", full: options.full, signal: io.signal });
  } finally {
    progress.finish();
  }
  if (options.json) printJson(io, report);
  else println(io, reportSummary(report, { dryRun: options.dryRun }));
  return { report, exitCode: reportExitCode(report) };
}
