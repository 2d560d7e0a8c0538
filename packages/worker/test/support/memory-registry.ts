// A TenantRegistry in memory for the worker's tests, until core ships createMemoryTenantRegistry.
import { requireTenantId, type TenantInput, type TenantRecord, type TenantRegistry } from "@pc-referrals/core";

export function createTestTenantRegistry(): TenantRegistry {
  const tenants = new Map<string, TenantRecord & { dueAt: number }>();
  const strip = ({ dueAt: _dueAt, ...record }: TenantRecord & { dueAt: number }): TenantRecord => structuredClone(record);
  const touch = (id: string, change: Partial<TenantRecord>): boolean => {
    const found = tenants.get(id);
    if (!found) return false;
    Object.assign(found, change, { updatedAt: new Date().toISOString() });
    return true;
  };
  return {
    async list() {
      return [...tenants.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map(strip);
    },
    async get(id) {
      const found = tenants.get(id);
      return found ? strip(found) : null;
    },
    async put(input: TenantInput) {
      const id = requireTenantId(input.id);
      const now = new Date().toISOString();
      const existing = tenants.get(id);
      const next = {
        id,
        displayName: input.displayName !== undefined ? input.displayName : (existing?.displayName ?? null),
        enabled: input.enabled ?? existing?.enabled ?? true,
        intervalMs: input.intervalMs ?? existing?.intervalMs ?? 600_000,
        entraTenantId: input.entraTenantId !== undefined ? input.entraTenantId : (existing?.entraTenantId ?? null),
        loginRequired: existing?.loginRequired ?? null,
        overrides: input.overrides ?? existing?.overrides ?? {},
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
        dueAt: existing?.dueAt ?? 0,
      };
      tenants.set(id, next);
      return strip(next);
    },
    async remove(id) {
      return tenants.delete(id);
    },
    async markLoginRequired(id, reason) {
      return touch(id, { loginRequired: { since: new Date().toISOString(), reason } });
    },
    async clearLoginRequired(id) {
      return touch(id, { loginRequired: null });
    },
    async claimDue(now) {
      const at = now ? Date.parse(now) : Date.now();
      const due = [...tenants.values()].filter((t) => t.enabled && !t.loginRequired && t.dueAt <= at);
      for (const t of due) t.dueAt = at + t.intervalMs;
      return due.sort((a, b) => (a.id < b.id ? -1 : 1)).map(strip);
    },
  };
}
