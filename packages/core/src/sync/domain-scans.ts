// Runs the host's DomainScanner over newly claimed domains, a few at a time. A scan never fails
// the run: its failure is recorded, logged and counted.
import type { Logger } from "../logger.js";
import type { DomainScanResult } from "../store/store.js";
import { createLimiter } from "./concurrency.js";
import { summarizeError } from "./report.js";

/**
 * A host hook that looks at a company's domain once (mail provider, web technology, …). Its
 * result is stored as JSON with the domain's scan record. See `createDnsProviderScanner`.
 */
export interface DomainScanner {
  scan(domain: string): Promise<unknown>;
}

/** Queues scans during a run and waits for them at its end. */
export interface DomainScanRunner {
  /** Starts scanning `domains` (already claimed) as capacity allows. */
  enqueue(domains: readonly string[]): void;
  /** Resolves when every queued scan has finished and been recorded. Never rejects. */
  drain(): Promise<void>;
}

/** What {@link createDomainScanRunner} needs. */
export interface DomainScanRunnerOptions {
  runId: string;
  scanner: DomainScanner;
  recordDomainScan(result: DomainScanResult): Promise<void>;
  concurrency: number;
  /** A scan still running after this long counts as failed. */
  timeoutMs: number;
  logger: Logger;
  onFinished(ok: boolean): void;
}

class ScanTimeoutError extends Error {
  override readonly name = "ScanTimeoutError";
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ScanTimeoutError(`domain scan timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

// The store keeps results as JSON (jsonb); anything JSON cannot say is dropped rather than failing the record.
function asJson(value: unknown): unknown {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}

/** Creates a runner for one sync run. */
export function createDomainScanRunner(options: DomainScanRunnerOptions): DomainScanRunner {
  const limiter = createLimiter(options.concurrency);
  const { logger, runId } = options;

  const record = async (result: DomainScanResult) => {
    try {
      await options.recordDomainScan(result);
    } catch (error) {
      logger.warn({ runId, domain: result.domain, error: summarizeError(error) }, "domain_scan_record_failed");
    }
  };

  const scanOne = async (domain: string): Promise<void> => {
    let result: unknown;
    try {
      result = await withTimeout(Promise.resolve().then(() => options.scanner.scan(domain)), options.timeoutMs);
    } catch (error) {
      const summary = summarizeError(error);
      logger.warn({ runId, domain, error: summary }, "domain_scan_failed");
      options.onFinished(false);
      await record({ domain, status: "failed", error: summary.message });
      return;
    }
    options.onFinished(true);
    await record({ domain, status: "done", result: asJson(result) });
  };

  return {
    enqueue(domains) {
      for (const domain of domains) void limiter.run(() => scanOne(domain));
    },
    drain() {
      return limiter.idle();
    },
  };
}
