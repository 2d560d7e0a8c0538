// Scoring hooks (docs/architecture.md "Scoring hooks"): an ordered list of pure functions over { score, segment, reasons }.
import { z } from "zod";
import { InvalidInputError } from "../errors.js";
import { parseOptions } from "../_options.js";
import type { Referral, ReferralType } from "../referral.js";
import type { ScoringResult } from "../store/store.js";

/** What the hooks see about one referral. `score` and `segment` are the starting values (e.g. from the host's lead). */
export interface ScoringInput {
  score?: number | null;
  segment?: string | null;
  azureTenantId?: string | null;
  referralType?: ReferralType | null;
  referral?: Referral;
}

/**
 * One scoring step: returns the next result from the current one. Hooks must be pure: never
 * mutate `current`, return a new object (`{ ...current, reasons: [...current.reasons, "…"] }`).
 */
export type ScoringHook = (input: ScoringInput, current: ScoringResult) => ScoringResult;

const DEFAULT_TENANT_SCORE = 55;
const DEFAULT_TENANT_SEGMENT = "Existing";
const DEFAULT_CO_SELL_BONUS = 15;
const RESULT_SHAPE = "{ score: finite number | null, segment: string | null, reasons: string[] }";

const tenantOptionsSchema = z
  .object({
    score: z.number({ error: "expected a finite number" }).optional(),
    segment: z.string({ error: "expected a non-empty string" }).trim().min(1, "expected a non-empty string").optional(),
  })
  .optional();
const coSellOptionsSchema = z.object({ bonus: z.number({ error: "expected a finite number" }).optional() }).optional();
const defaultsOptionsSchema = z
  .object({
    azureTenantScore: z.number({ error: "expected a finite number" }).optional(),
    coSellBonus: z.number({ error: "expected a finite number" }).optional(),
  })
  .optional();

/**
 * A referral with an Azure tenant id comes from an existing Microsoft 365 customer: segment
 * `Existing` and score 55 (both options), replacing the current score.
 */
export function azureTenantScoringHook(options?: { score?: number; segment?: string }): ScoringHook {
  const parsed = parseOptions(tenantOptionsSchema, options, "azureTenantScoringHook");
  const score = parsed?.score ?? DEFAULT_TENANT_SCORE;
  const segment = parsed?.segment ?? DEFAULT_TENANT_SEGMENT;
  const reason = `Existing M365 customer (Azure tenant id) → score ${score}`;
  return (input, current) => {
    const tenant = typeof input.azureTenantId === "string" ? input.azureTenantId.trim() : "";
    if (tenant === "") return current;
    return { score, segment, reasons: [...current.reasons, reason] };
  };
}

/** A co-sell referral gets `bonus` (default 15) added to the score; a missing score counts as 0. */
export function coSellScoringHook(options?: { bonus?: number }): ScoringHook {
  const bonus = parseOptions(coSellOptionsSchema, options, "coSellScoringHook")?.bonus ?? DEFAULT_CO_SELL_BONUS;
  const reason = `co-sell referral ${bonus < 0 ? "-" : "+"}${Math.abs(bonus)}`;
  return (input, current) => {
    if (input.referralType !== "co-sell") return current;
    return { ...current, score: (current.score ?? 0) + bonus, reasons: [...current.reasons, reason] };
  };
}

/** The built-in hooks, in order: Azure tenant, then co-sell bonus. Append your own to the returned array. */
export function defaultScoringHooks(options?: { azureTenantScore?: number; coSellBonus?: number }): ScoringHook[] {
  const parsed = parseOptions(defaultsOptionsSchema, options, "defaultScoringHooks");
  return [
    azureTenantScoringHook(parsed?.azureTenantScore === undefined ? undefined : { score: parsed.azureTenantScore }),
    coSellScoringHook(parsed?.coSellBonus === undefined ? undefined : { bonus: parsed.coSellBonus }),
  ];
}

/**
 * Runs `hooks` (default {@link defaultScoringHooks}) in order, starting from the input's score and
 * segment with no reasons. Throws `InvalidInputError` naming the hook index when a hook returns a
 * malformed result (score not a finite number or null, segment not a string or null, reasons not
 * an array of strings), or when the input score is not a finite number or null.
 *
 * ```ts
 * applyScoringHooks({ azureTenantId: "…", referralType: "co-sell" });
 * // { score: 70, segment: "Existing",
 * //   reasons: ["Existing M365 customer (Azure tenant id) → score 55", "co-sell referral +15"] }
 * ```
 */
export function applyScoringHooks(input: ScoringInput, hooks?: readonly ScoringHook[]): ScoringResult {
  const start: unknown = { score: input.score ?? null, segment: input.segment ?? null, reasons: [] };
  let current = checked(start, "scoring input: score must be a finite number or null and segment a string or null");
  (hooks ?? defaultScoringHooks()).forEach((hook, index) => {
    if (typeof hook !== "function") throw new InvalidInputError(`scoring hook #${index} is not a function`);
    // Each hook gets its own copy, so a hook that mutates `current` cannot corrupt the previous step.
    const next: unknown = hook(input, { ...current, reasons: [...current.reasons] });
    current = checked(next, `scoring hook #${index} returned a malformed result: expected ${RESULT_SHAPE}`);
  });
  return current;
}

function checked(value: unknown, message: string): ScoringResult {
  if (typeof value !== "object" || value === null) throw new InvalidInputError(message);
  const { score, segment, reasons } = value as Record<string, unknown>;
  const scoreOk = score === null || (typeof score === "number" && Number.isFinite(score));
  const segmentOk = segment === null || typeof segment === "string";
  const reasonsOk = Array.isArray(reasons) && reasons.every((r) => typeof r === "string");
  if (!scoreOk || !segmentOk || !reasonsOk) throw new InvalidInputError(message);
  return { score, segment, reasons: [...(reasons as string[])] };
}
