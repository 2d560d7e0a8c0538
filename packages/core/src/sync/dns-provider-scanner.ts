// A built-in DomainScanner: guesses the mail provider of a domain from its MX and SPF records.
import { Resolver } from "node:dns/promises";
import { z } from "zod";
import { InvalidInputError } from "../errors.js";
import { durationMs, parseOptions } from "../_options.js";

/** The two lookups the scanner makes; `node:dns/promises` (or a `Resolver`) fits as is. */
export interface DnsResolver {
  resolveMx(domain: string): Promise<Array<{ exchange: string; priority: number }>>;
  resolveTxt(domain: string): Promise<string[][]>;
}

/** The mail provider a domain's DNS points at. `unknown`: no MX and no SPF record. */
export type MailProvider = "M365" | "Google Workspace" | "other" | "unknown";

/** What {@link createDnsProviderScanner}'s `scan` finds. */
export interface DnsProviderScan {
  provider: MailProvider;
  /** MX hosts, lower-case, most preferred first. */
  mx: string[];
  /** The `v=spf1` TXT record, if any. */
  spf: string | null;
}

/** Options of {@link createDnsProviderScanner}. */
export interface DnsProviderScannerOptions {
  /** Default: a `node:dns/promises` Resolver with `timeoutMs` per try and 2 tries. */
  resolver?: DnsResolver;
  /** Per-query timeout of the default resolver. Default 5000 ms. */
  timeoutMs?: number;
}

// Exchange hosts of Exchange Online (incl. the DNSSEC `mx.microsoft` hosts and 21Vianet) and Google.
const M365_MX = [/\.mail\.protection\.outlook\.com$/, /\.mx\.microsoft$/, /\.mail\.protection\.partner\.outlook\.cn$/];
const GOOGLE_MX = [/(^|\.)aspmx\.l\.google\.com$/, /^smtp\.google\.com$/, /(^|\.)googlemail\.com$/];
const M365_SPF = /\binclude:spf\.protection\.outlook\.com\b/i;
const GOOGLE_SPF = /\binclude:_spf\.google\.com\b/i;
// "No such record / no such name": an answer, not a failure.
const EMPTY_ANSWER_CODES = new Set(["ENODATA", "ENOTFOUND", "NXDOMAIN"]);

const optionsSchema = z
  .strictObject({
    resolver: z
      .custom<DnsResolver>(
        (v) =>
          typeof v === "object" &&
          v !== null &&
          typeof (v as Partial<DnsResolver>).resolveMx === "function" &&
          typeof (v as Partial<DnsResolver>).resolveTxt === "function",
        "expected { resolveMx(domain), resolveTxt(domain) }, e.g. import('node:dns/promises')",
      )
      .optional(),
    timeoutMs: durationMs().default(5000),
  })
  .optional();

/**
 * Tells the provider from DNS records: the most preferred MX host decides; when it names
 * neither Microsoft nor Google (a filtering gateway, say), the SPF record's includes do.
 */
export function detectMailProvider(mx: readonly string[], spf: string | null): MailProvider {
  const primary = mx[0];
  if (primary !== undefined) {
    if (M365_MX.some((re) => re.test(primary))) return "M365";
    if (GOOGLE_MX.some((re) => re.test(primary))) return "Google Workspace";
  }
  if (spf !== null) {
    if (M365_SPF.test(spf)) return "M365";
    if (GOOGLE_SPF.test(spf)) return "Google Workspace";
  }
  return mx.length === 0 && spf === null ? "unknown" : "other";
}

async function orEmpty<T>(lookup: Promise<T[]>): Promise<T[]> {
  try {
    return await lookup;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === "string" && EMPTY_ANSWER_CODES.has(code)) return [];
    throw error;
  }
}

/**
 * Creates a {@link DomainScanner} that reads MX and SPF records. Timeouts and server failures
 * reject (the engine records the scan as failed); "no such record" is an empty answer.
 *
 * ```ts
 * createSyncEngine({ client, store, enabled: true, scanner: createDnsProviderScanner() });
 * ```
 */
export function createDnsProviderScanner(options?: DnsProviderScannerOptions): { scan(domain: string): Promise<DnsProviderScan> } {
  const parsed = parseOptions(optionsSchema, options, "createDnsProviderScanner");
  const resolver: DnsResolver = options?.resolver ?? new Resolver({ timeout: parsed?.timeoutMs ?? 5000, tries: 2 });
  return {
    async scan(domain) {
      if (typeof domain !== "string" || domain.trim() === "" || /\s/.test(domain.trim())) {
        throw new InvalidInputError("scan(domain) needs a domain name such as contoso.com.");
      }
      const name = domain.trim().toLowerCase().replace(/\.$/, "");
      const [mxRecords, txtRecords] = await Promise.all([orEmpty(resolver.resolveMx(name)), orEmpty(resolver.resolveTxt(name))]);
      const mx = [...mxRecords]
        .sort((a, b) => a.priority - b.priority)
        .map((r) => r.exchange.toLowerCase().replace(/\.$/, ""))
        .filter((host) => host !== "");
      const spf = txtRecords.map((chunks) => chunks.join("")).find((txt) => /^v=spf1(\s|$)/i.test(txt.trim())) ?? null;
      return { provider: detectMailProvider(mx, spf), mx, spf };
    },
  };
}
