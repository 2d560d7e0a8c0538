// Versioned up/down migrations: each runs in its own transaction with the store's schema as the
// search path, and is recorded with a checksum in <schema>.pcr_migrations. A session-level
// advisory lock makes concurrent migrators (other processes, other replicas) take turns.
import { createHash } from "node:crypto";
import { InvalidInputError, MigrationError } from "@pc-referrals/core";
import type { Db, DbSession } from "./db.js";
import { MIGRATIONS } from "./migrations/index.js";
import type { Migration } from "./migrations/types.js";
import { advisoryKey, LockPurpose, tablesOf } from "./schema.js";

/** A migration by id and name, as `migrate()` and `rollback()` report them. */
export interface MigrationRef {
  id: number;
  name: string;
}

/** One line of `status()`. */
export interface MigrationStatusEntry extends MigrationRef {
  /**
   * `applied`; `pending` (known, not applied); `edited` (applied, but its SQL changed since:
   * `migrate()` refuses to run); `unknown` (applied by a newer version of this package).
   */
  state: "applied" | "pending" | "edited" | "unknown";
  appliedAt: string | null;
}

/** What the migrator works on. `migrations` defaults to this package's own list. */
export interface MigratorTarget {
  db: Db;
  schema: string;
  migrations?: readonly Migration[];
}

/** The sha256 (hex) that records a migration's exact text. */
export function migrationChecksum(migration: Migration): string {
  return createHash("sha256").update(migration.up).update("\n-- down --\n").update(migration.down).digest("hex");
}

const label = (m: MigrationRef): string => `${String(m.id).padStart(4, "0")}-${m.name}`;

// Ids only have to rise: numbers reserved for changes developed side by side may land in any
// combination, and one added below an applied id later is still refused (out of order).
function checkList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const previous = i === 0 ? 0 : (migrations[i - 1] as Migration).id;
    if (!Number.isSafeInteger(m.id) || m.id <= previous) {
      throw new MigrationError(`Migrations must be numbered upwards from 1; found ${label(m)} at position ${i + 1}.`);
    }
  });
}

// Serializes migrators that share one Pool or PGlite instance (PGlite's single session makes the
// advisory lock re-entrant, so it cannot separate them).
const inProcess = new WeakMap<object, Promise<unknown>>();
function exclusive<T>(handle: object, fn: () => Promise<T>): Promise<T> {
  const previous = inProcess.get(handle) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  inProcess.set(handle, next.catch(() => undefined));
  return next;
}

async function withMigrationLock<T>(target: MigratorTarget, fn: (session: DbSession) => Promise<T>): Promise<T> {
  return exclusive(target.db.handle, async () => {
    const session = await target.db.session();
    const key = advisoryKey(target.schema);
    let unlocked = false;
    try {
      await session.query(`SELECT pg_advisory_lock(${key}, ${LockPurpose.migrations})`);
      const result = await fn(session);
      await session.query(`SELECT pg_advisory_unlock(${key}, ${LockPurpose.migrations})`);
      unlocked = true;
      return result;
    } finally {
      if (!unlocked) {
        unlocked = await session
          .query(`SELECT pg_advisory_unlock(${key}, ${LockPurpose.migrations})`)
          .then(() => true, () => false);
      }
      // A connection that might still hold the lock must not go back to the pool.
      session.release(!unlocked);
    }
  });
}

interface AppliedRow {
  id: number;
  name: string;
  checksum: string;
  applied_at: Date | string;
}

async function readApplied(session: DbSession, schema: string): Promise<AppliedRow[] | null> {
  const t = tablesOf(schema);
  const [exists] = await session.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [t.migrations]);
  if (!exists?.present) return null;
  return session.query<AppliedRow>(`SELECT id, name, checksum, applied_at FROM ${t.migrations} ORDER BY id`);
}

function classify(applied: readonly AppliedRow[], known: readonly Migration[]): MigrationStatusEntry[] {
  const entries: MigrationStatusEntry[] = applied.map((row) => {
    const migration = known.find((m) => m.id === row.id);
    const appliedAt = new Date(row.applied_at).toISOString();
    if (!migration) return { id: row.id, name: row.name, state: "unknown", appliedAt };
    const state = migrationChecksum(migration) === row.checksum ? "applied" : "edited";
    return { id: row.id, name: migration.name, state, appliedAt };
  });
  for (const m of known) {
    if (!applied.some((row) => row.id === m.id)) entries.push({ id: m.id, name: m.name, state: "pending", appliedAt: null });
  }
  return entries.sort((a, b) => a.id - b.id);
}

// Refuses any history this version cannot continue from: edited, unknown or out-of-order migrations.
function assertContinuable(entries: readonly MigrationStatusEntry[], schema: string): void {
  for (const entry of entries) {
    if (entry.state === "edited") {
      throw new MigrationError(
        `Migration ${label(entry)} was changed after it was applied to schema "${schema}" (checksum mismatch). ` +
          "Restore its original SQL and put the change in a new migration.",
      );
    }
    if (entry.state === "unknown") {
      throw new MigrationError(
        `Schema "${schema}" has migration ${label(entry)} applied, which this version of @pc-referrals/pg-store does not know. ` +
          "Upgrade the package, or roll back with the version that applied it.",
      );
    }
  }
  const firstPending = entries.findIndex((e) => e.state === "pending");
  if (firstPending >= 0 && entries.slice(firstPending).some((e) => e.state !== "pending")) {
    throw new MigrationError(`Schema "${schema}" has migrations applied out of order; its history cannot be continued.`);
  }
}

async function applyOne(session: DbSession, schema: string, m: Migration, direction: "up" | "down"): Promise<void> {
  const t = tablesOf(schema);
  try {
    await session.transaction(async (tx) => {
      await tx.exec(`SET LOCAL search_path TO ${t.schema}`);
      await tx.exec(direction === "up" ? m.up : m.down);
      if (direction === "up") {
        await tx.query(`INSERT INTO ${t.migrations} (id, name, checksum) VALUES ($1, $2, $3)`, [m.id, m.name, migrationChecksum(m)]);
      } else {
        await tx.query(`DELETE FROM ${t.migrations} WHERE id = $1`, [m.id]);
      }
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`Migration ${label(m)} (${direction}) failed and was rolled back: ${reason}`, { cause: error });
  }
}

/** Applies every pending migration, oldest first; returns the ones applied now (empty when up to date). */
export async function migrate(target: MigratorTarget): Promise<MigrationRef[]> {
  const migrations = target.migrations ?? MIGRATIONS;
  checkList(migrations);
  if (await alreadyCurrent(target, migrations)) return [];
  return withMigrationLock(target, async (session) => {
    const t = tablesOf(target.schema);
    const [schemaRow] = await session.query(`SELECT 1 AS present FROM pg_namespace WHERE nspname = $1`, [target.schema]);
    if (!schemaRow) await session.exec(`CREATE SCHEMA ${t.schema}`);
    await session.exec(
      `CREATE TABLE IF NOT EXISTS ${t.migrations} (id integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const entries = classify((await readApplied(session, target.schema)) ?? [], migrations);
    assertContinuable(entries, target.schema);
    const applied: MigrationRef[] = [];
    for (const m of migrations) {
      if (entries.find((e) => e.id === m.id)?.state !== "pending") continue;
      await applyOne(session, target.schema, m, "up");
      applied.push({ id: m.id, name: m.name });
    }
    return applied;
  });
}

/**
 * One read, no lock and no DDL when every known migration is applied unchanged: the case of every
 * `autoMigrate` start (each CLI command is a new process). Each migration commits with its history
 * row, so an unlocked read sees whole migrations only. Anything else (no table yet, a pending,
 * edited or unknown migration, any error) takes the locked path, which applies or explains it.
 */
async function alreadyCurrent(target: MigratorTarget, migrations: readonly Migration[]): Promise<boolean> {
  const session = await target.db.session();
  try {
    const rows = await session.query<AppliedRow>(`SELECT id, name, checksum, applied_at FROM ${tablesOf(target.schema).migrations} ORDER BY id`);
    const entries = classify(rows, migrations);
    return entries.length === migrations.length && entries.every((e) => e.state === "applied");
  } catch {
    return false;
  } finally {
    session.release();
  }
}

/** Undoes the newest `steps` applied migrations (default 1), newest first; returns the ones undone. */
export async function rollback(target: MigratorTarget, steps = 1): Promise<MigrationRef[]> {
  if (!Number.isSafeInteger(steps) || steps < 1) throw new InvalidInputError("rollback steps must be a positive integer.");
  const migrations = target.migrations ?? MIGRATIONS;
  checkList(migrations);
  return withMigrationLock(target, async (session) => {
    const entries = classify((await readApplied(session, target.schema)) ?? [], migrations);
    assertContinuable(entries, target.schema);
    const undone: MigrationRef[] = [];
    const newestFirst = entries.filter((e) => e.state === "applied").reverse().slice(0, steps);
    for (const entry of newestFirst) {
      const m = migrations.find((x) => x.id === entry.id) as Migration;
      await applyOne(session, target.schema, m, "down");
      undone.push({ id: m.id, name: m.name });
    }
    return undone;
  });
}

/** Every known or applied migration with its state; reads only, never throws for an edited one. */
export async function migrationStatus(target: MigratorTarget): Promise<MigrationStatusEntry[]> {
  const migrations = target.migrations ?? MIGRATIONS;
  checkList(migrations);
  const session = await target.db.session();
  try {
    return classify((await readApplied(session, target.schema)) ?? [], migrations);
  } finally {
    session.release();
  }
}
