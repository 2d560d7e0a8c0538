// The in-memory TenantRegistry: same rules as pg-store's `tenants` table (both pass
// describeTenantRegistryConformance), for tests, demos and one-process hosts.
import { z } from "zod";
import { InvalidInputError } from "../errors.js";
import { parseOptions } from "../_options.js";
import { toIsoInstant } from "../store/validate-page.js";
import { normalizeLoginRequiredReason, normalizeTenantInput } from "./tenant-input.js";
import { requireTenantId, type TenantInput, type TenantRecord, type TenantRegistry } from "./tenant.js";

/** Options of {@link createMemoryTenantRegistry}. */
export interface MemoryTenantRegistryOptions {
  /** Clock in epoch milliseconds, for timestamps and `claimDue()` without `now`. Default `Date.now`. */
  now?: () => number;
}

const optionsSchema = z.strictObject({
  now: z.custom<() => number>((v) => typeof v === "function", "must be a function returning epoch ms").optional(),
});

const byId = (a: TenantRecord, b: TenantRecord): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Creates a registry holding `initial` (each applied as a `put`, in order; bad input is
 * `invalid_input`). Records going in or out are copies, so callers cannot alias its state.
 */
export function createMemoryTenantRegistry(
  initial: readonly TenantInput[] = [],
  options: MemoryTenantRegistryOptions = {},
): TenantRegistry {
  const { now = Date.now } = parseOptions(optionsSchema, options, "createMemoryTenantRegistry");
  const nowIso = (): string => new Date(now()).toISOString();
  const tenants = new Map<string, TenantRecord>();
  // Tenant id → the epoch ms its current claim runs until; absent: never claimed, due at once.
  const claimedUntil = new Map<string, number>();

  const put = (input: TenantInput): TenantRecord => {
    const existing = tenants.get(requireTenantId(input?.id)) ?? null;
    const record = normalizeTenantInput(input, existing, nowIso());
    tenants.set(record.id, record);
    return structuredClone(record);
  };
  if (!Array.isArray(initial)) throw new InvalidInputError("The initial tenants must be an array of tenant inputs.");
  for (const input of initial) put(input);

  const update = (id: string, change: (record: TenantRecord) => TenantRecord): boolean => {
    const existing = tenants.get(requireTenantId(id));
    if (existing === undefined) return false;
    tenants.set(existing.id, { ...change(existing), updatedAt: nowIso() });
    return true;
  };

  return {
    list: async () => structuredClone([...tenants.values()].sort(byId)),

    get: async (id) => structuredClone(tenants.get(requireTenantId(id)) ?? null),

    put: async (input) => put(input),

    async remove(id) {
      claimedUntil.delete(requireTenantId(id));
      return tenants.delete(id);
    },

    markLoginRequired: async (id, reason) =>
      update(id, (record) => ({
        ...record,
        // The first failure says since when; a later one only refreshes the reason.
        loginRequired: { since: record.loginRequired?.since ?? nowIso(), reason: normalizeLoginRequiredReason(reason) },
      })),

    clearLoginRequired: async (id) => update(id, (record) => ({ ...record, loginRequired: null })),

    async claimDue(at) {
      const nowMs = Date.parse(at === undefined ? nowIso() : toIsoInstant(at, "now"));
      // No await between the check and the claim: two calls can never both claim a tenant.
      const due = [...tenants.values()]
        .filter((t) => t.enabled && t.loginRequired === null && (claimedUntil.get(t.id) ?? -Infinity) <= nowMs)
        .sort(byId);
      for (const t of due) claimedUntil.set(t.id, nowMs + t.intervalMs);
      return structuredClone(due);
    },
  };
}
