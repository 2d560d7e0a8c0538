// The TenantRegistry on the `tenants` table (migration 0009). put reads and writes its row in one
// transaction (the row locked), with core's normalizeTenantInput in between; claimDue is one
// UPDATE … RETURNING, so of two processes claiming at once each due tenant goes to exactly one
// (the second waits on the row lock and then finds it no longer due).
import {
  normalizeLoginRequiredReason,
  normalizeTenantInput,
  requireTenantId,
  toIsoInstant,
  type TenantOverrides,
  type TenantRecord,
  type TenantRegistry,
} from "@pc-referrals/core";
import type { Db } from "../db.js";
import type { Tables } from "../schema.js";
import { iso, isoOrNull, num, toJsonb } from "../values.js";

interface TenantDbRow {
  id: string;
  display_name: string | null;
  enabled: boolean;
  interval_ms: number | string;
  entra_tenant_id: string | null;
  login_required_since: Date | string | null;
  login_required_reason: string | null;
  overrides: TenantOverrides;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = `id, display_name, enabled, interval_ms, entra_tenant_id, login_required_since, login_required_reason,
  overrides, created_at, updated_at`;

function toRecord(row: TenantDbRow): TenantRecord {
  const since = isoOrNull(row.login_required_since);
  return {
    id: row.id,
    displayName: row.display_name,
    enabled: row.enabled,
    intervalMs: num(row.interval_ms),
    entraTenantId: row.entra_tenant_id,
    loginRequired: since === null ? null : { since, reason: row.login_required_reason ?? "" },
    overrides: row.overrides,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/**
 * The registry of the store whose tables are `t`. `run` runs a query function on the store's
 * database (opening and migrating it as the store does, and turning failures into its errors).
 * Timestamps of records come from `now`; `claimDue()` without a time uses the database clock, the
 * one every worker shares.
 */
export function createPgTenantRegistry(
  run: <T>(op: string, fn: (db: Db) => Promise<T>) => Promise<T>,
  t: Tables,
  now: () => number = Date.now,
): TenantRegistry {
  const nowIso = (): string => new Date(now()).toISOString();
  const byId = `ORDER BY id`;

  return {
    list: () =>
      run("tenants.list", async (db) => (await db.query<TenantDbRow>(`SELECT ${COLUMNS} FROM ${t.tenants} ${byId}`)).map(toRecord)),

    get: async (id) => {
      const tenant = requireTenantId(id);
      return run("tenants.get", async (db) => {
        const [row] = await db.query<TenantDbRow>(`SELECT ${COLUMNS} FROM ${t.tenants} WHERE id = $1`, [tenant]);
        return row ? toRecord(row) : null;
      });
    },

    put: async (input) => {
      const tenant = requireTenantId((input as { id?: unknown } | null)?.id);
      return run("tenants.put", (db) =>
        db.transaction(async (tx) => {
          const [row] = await tx.query<TenantDbRow>(`SELECT ${COLUMNS} FROM ${t.tenants} WHERE id = $1 FOR UPDATE`, [tenant]);
          const r = normalizeTenantInput(input, row ? toRecord(row) : null, nowIso());
          const [written] = await tx.query<TenantDbRow>(
            `INSERT INTO ${t.tenants} (id, display_name, enabled, interval_ms, entra_tenant_id, overrides, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
             ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, enabled = EXCLUDED.enabled,
               interval_ms = EXCLUDED.interval_ms, entra_tenant_id = EXCLUDED.entra_tenant_id,
               overrides = EXCLUDED.overrides, updated_at = EXCLUDED.updated_at
             RETURNING ${COLUMNS}`,
            [r.id, r.displayName, r.enabled, r.intervalMs, r.entraTenantId, toJsonb(r.overrides).json, r.createdAt, r.updatedAt],
          );
          return toRecord(written as TenantDbRow);
        }),
      );
    },

    remove: async (id) => {
      const tenant = requireTenantId(id);
      return run("tenants.remove", async (db) => (await db.query(`DELETE FROM ${t.tenants} WHERE id = $1 RETURNING id`, [tenant])).length > 0);
    },

    markLoginRequired: async (id, reason) => {
      const tenant = requireTenantId(id);
      const text = normalizeLoginRequiredReason(reason);
      return run("tenants.markLoginRequired", async (db) => {
        // The first failure says since when; a later one only refreshes the reason.
        const rows = await db.query(
          `UPDATE ${t.tenants} SET login_required_since = coalesce(login_required_since, $2::timestamptz),
             login_required_reason = $3, updated_at = $2::timestamptz
           WHERE id = $1 RETURNING id`,
          [tenant, nowIso(), text],
        );
        return rows.length > 0;
      });
    },

    clearLoginRequired: async (id) => {
      const tenant = requireTenantId(id);
      return run("tenants.clearLoginRequired", async (db) => {
        const rows = await db.query(
          `UPDATE ${t.tenants} SET login_required_since = NULL, login_required_reason = NULL, updated_at = $2::timestamptz
           WHERE id = $1 RETURNING id`,
          [tenant, nowIso()],
        );
        return rows.length > 0;
      });
    },

    claimDue: async (at) => {
      const instant = at === undefined ? null : toIsoInstant(at, "now");
      return run("tenants.claimDue", async (db) => {
        const rows = await db.query<TenantDbRow>(
          `WITH claimed AS (
             UPDATE ${t.tenants} AS d SET next_sync_at = clock.now + d.interval_ms * interval '1 millisecond'
             FROM (SELECT coalesce($1::timestamptz, now()) AS now) clock
             WHERE d.enabled AND d.login_required_since IS NULL AND (d.next_sync_at IS NULL OR d.next_sync_at <= clock.now)
             RETURNING ${COLUMNS.split(",").map((c) => `d.${c.trim()}`).join(", ")})
           SELECT * FROM claimed ${byId}`,
          [instant],
        );
        return rows.map(toRecord);
      });
    },
  };
}
