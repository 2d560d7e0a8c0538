// Link status of new referrals (docs/architecture.md "Link status"): candidates are companies that existed
// before the referral. One → auto_linked, several → multi_candidate, none → unlinked.
import { InvalidInputError } from "../errors.js";
import type { Company, LinkDecision, LinkStatus } from "../store/store.js";
import { mapConcurrent } from "./concurrency.js";

/** What a {@link MatchLead} hook is told about one referral. No contact data. */
export interface MatchLeadInput {
  referralId: string;
  /** Canonical registrable domain. */
  domain: string | null;
  /** Customer name as sent. */
  customerName: string | null;
  /** Customer name normalized for matching (`normalizeCompanyName`). */
  normalizedName: string | null;
}

/**
 * A host's own lead matching: the ids of the companies/leads this referral belongs to, or
 * `null`/`undefined` to fall back to the default (the store's companies by domain or normalized
 * name). A hook that throws or returns something else fails that referral only.
 */
export type MatchLead = (input: MatchLeadInput) => Promise<{ companyIds: string[] } | null | undefined>;

/** The link of one referral, or the error its hook raised. */
export type LinkResolution = { ok: true; link: LinkDecision } | { ok: false; error: unknown };

/** What {@link resolveLinks} needs. */
export interface LinkResolutionDeps {
  matchLead?: MatchLead | undefined;
  findCompanies(query: { domains: readonly string[]; normalizedNames: readonly string[] }): Promise<Company[]>;
  /** Parallel `matchLead` calls, default 8. */
  concurrency?: number;
}

/** The link decision for a list of candidate ids (duplicates are counted once). */
export function decideLink(candidateIds: readonly string[]): LinkDecision {
  const ids = [...new Set(candidateIds)];
  if (ids.length === 0) return { status: "unlinked", companyId: null, candidateIds: [] };
  if (ids.length === 1) return { status: "auto_linked", companyId: ids[0] ?? null, candidateIds: ids };
  return { status: "multi_candidate", companyId: null, candidateIds: ids };
}

/**
 * The decision to send again for a referral the store already has. The link is decided when a
 * referral is first ingested, against the companies that existed then; later syncs keep it, so
 * the company a referral created itself never turns it into `auto_linked`. Manual links are kept
 * by the store whatever is sent, so they map to `unlinked` here.
 */
export function keptLink(status: LinkStatus, linkedCompanyId: string | null): LinkDecision {
  if (status === "auto_linked" && linkedCompanyId !== null) {
    return { status: "auto_linked", companyId: linkedCompanyId, candidateIds: [linkedCompanyId] };
  }
  if (status === "multi_candidate") return { status: "multi_candidate", companyId: null, candidateIds: [] };
  return { status: "unlinked", companyId: null, candidateIds: [] };
}

/**
 * Resolves the links of one page's new referrals, in input order. The host's `matchLead` runs
 * first (bounded concurrency); every referral it leaves to the default is matched with ONE
 * `findCompanies` call for the whole page. Call it before the page is written, so companies the
 * page itself creates are not candidates. A `findCompanies` failure rejects (the store is down);
 * a hook failure only marks its referral.
 */
export async function resolveLinks(inputs: readonly MatchLeadInput[], deps: LinkResolutionDeps): Promise<LinkResolution[]> {
  const results: Array<LinkResolution | null> = await mapConcurrent(inputs, deps.concurrency ?? 8, async (input) => {
    if (deps.matchLead === undefined) return null;
    try {
      const answer: unknown = await deps.matchLead({ ...input });
      if (answer === null || answer === undefined) return null;
      return { ok: true, link: decideLink(companyIdsOf(answer)) } as const;
    } catch (error) {
      return { ok: false, error } as const;
    }
  });

  const fallback = inputs.filter((_, i) => results[i] === null);
  if (fallback.length === 0) return results as LinkResolution[];

  const domains = unique(fallback.map((input) => input.domain));
  const names = unique(fallback.map((input) => input.normalizedName));
  const companies = domains.length + names.length === 0 ? [] : await deps.findCompanies({ domains, normalizedNames: names });

  return inputs.map((input, i) => {
    const resolved = results[i];
    if (resolved !== null && resolved !== undefined) return resolved;
    const candidates = companies
      .filter(
        (c) =>
          (input.domain !== null && c.domain === input.domain) ||
          (input.normalizedName !== null && c.normalizedName === input.normalizedName),
      )
      .map((c) => c.id);
    return { ok: true, link: decideLink(candidates) };
  });
}

function companyIdsOf(answer: unknown): string[] {
  const ids = typeof answer === "object" && answer !== null ? (answer as { companyIds?: unknown }).companyIds : undefined;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string" && id !== "")) {
    throw new InvalidInputError("matchLead must resolve to { companyIds: string[] } (non-empty ids), null or undefined.");
  }
  return ids as string[];
}

function unique(values: ReadonlyArray<string | null>): string[] {
  return [...new Set(values.filter((v): v is string => v !== null && v !== ""))];
}
