// The run lock: a lease row (owner, expiry on the database clock) that decides who holds the lock,
// plus a session-level advisory lock held on a dedicated connection while this store holds the
// lease. The row records that connection's pid; when the pid no longer holds the advisory lock the
// holder crashed (PostgreSQL frees session locks with the connection), so its lease is free at once
// instead of after expiry. PGlite has one session (pid 42 in every process), so there the lease
// counts as held only while a store of this process holds its token: one process opens a PGlite
// folder (data-dir-lock.ts), so a lease nobody here holds was left by a process that died.
import { randomUUID } from "node:crypto";
import { abandonedRunError, InvalidInputError, StoreError, type RunLock, type RunLockResult } from "@pc-referrals/core";
import type { Db, DbSession } from "./db.js";
import { advisoryKey, runLockKey, type Tables } from "./schema.js";
import { iso } from "./values.js";

const LOCK_NAME = "sync";

/** The store's side of the run lock. */
export interface RunLockManager {
  acquire(request: { owner: string; ttlMs: number }): Promise<RunLockResult>;
  /**
   * How a page write renews `owner`'s lease in its own statement (issue 12 item 6). `token` is the
   * lease this store holds for `owner` (null when it holds none: the write then renews by owner
   * alone, which finds nothing unless that owner holds the lease); `settle` takes the new expiry,
   * or null when no lease was renewed (the lock is lost, as when `RunLock.renew` returns false).
   * Null when the renewal must stay with `RunLock.renew`: the lock's connection died (a store
   * failure renew reports) or it does not hold the advisory lock (renew tries to take it).
   */
  leaseForWrite(owner: string): LeaseForWrite | null;
  /** The live holder (unexpired, and its session alive when it recorded one), if any. */
  running(): Promise<{ owner: string; expiresAt: string } | null>;
  /** Drops this store's lease, if it holds one, and its connection. */
  close(): Promise<void>;
}

/** See {@link RunLockManager.leaseForWrite}. */
export interface LeaseForWrite {
  token: string | null;
  settle(expiresAt: string | null): Promise<void>;
}

/**
 * The UPDATE that renews a lease from inside another statement (no holder_pid change: only a
 * store holding the advisory lock renews this way). Each argument is a placeholder such as `$5`;
 * a null `token` renews `owner`'s lease whatever its token.
 */
export function renewLeaseSql(t: Tables, p: { ttlMs: string; owner: string; token: string; tenant: string }): string {
  return `UPDATE ${t.runLock} SET expires_at = now() + (${p.ttlMs}::double precision * interval '1 millisecond')
    WHERE tenant = ${p.tenant} AND name = '${LOCK_NAME}' AND owner = ${p.owner} AND (${p.token}::uuid IS NULL OR token = ${p.token}::uuid)
    RETURNING expires_at`;
}

/** `owner` of a lock request, or `InvalidInputError`. */
export function requireOwner(owner: unknown): string {
  if (typeof owner !== "string" || owner.length === 0) throw new InvalidInputError("owner must be a non-empty string.");
  return owner;
}

/** `ttlMs` of a lock request, or `InvalidInputError`. */
export function requireTtl(ttlMs: unknown): number {
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new InvalidInputError("ttlMs must be a positive, finite number of milliseconds.");
  }
  return ttlMs;
}

/** Lease tokens held by live stores of this process, per PGlite instance. */
const pgliteLeases = new WeakMap<object, Set<string>>();

function lockLost(cause: unknown): StoreError {
  const detail = cause instanceof Error ? `: ${cause.message}` : "";
  return new StoreError(`The run lock was lost: its database connection closed${detail}.`, { cause });
}

/**
 * The run lock of `t.tenant` in the store whose tables are `t`: its lease row is (tenant, name) and
 * its advisory lock (schema key, {@link runLockKey}), so tenants hold their locks side by side, each
 * on a connection of its own while held.
 */
export function createRunLockManager(db: Db, t: Tables, schema: string): RunLockManager {
  const key = advisoryKey(schema);
  const purpose = runLockKey(t.tenant);
  const tenant = t.tenant;
  const embedded = db.kind === "pglite";
  const live = embedded ? (pgliteLeases.get(db.handle) ?? new Set<string>()) : new Set<string>();
  if (embedded) pgliteLeases.set(db.handle, live);
  const holderAlive = (alias: string): string =>
    `EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.pid = ${alias}.holder_pid
      AND l.classid = ${key}::oid AND l.objid = ${purpose}::oid AND l.objsubid = 2)`;
  // `liveParam`: the placeholder of the live-token array (PGlite only).
  const isFree = (alias: string, liveParam: string): string =>
    embedded
      ? `(${alias}.expires_at <= now() OR NOT (${alias}.token = ANY(${liveParam}::uuid[])))`
      : `(${alias}.expires_at <= now() OR (${alias}.holder_pid IS NOT NULL AND NOT ${holderAlive(alias)}))`;
  const expiry = "now() + ($2::double precision * interval '1 millisecond')";
  const liveTokens = (): string[] => [...live];

  let session: DbSession | null = null;
  let advisoryHeld = false;
  /** The lease this store holds (its token identifies it against a newer holder). */
  let current: { token: string; owner: string } | null = null;
  /** Per held token: tells its handle the expiry a page write renewed it to. */
  const renewedInWrite = new Map<string, (expiresAt: string) => void>();
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  async function ensureSession(): Promise<DbSession> {
    if (session?.lost) {
      session.release();
      session = null;
      advisoryHeld = false;
      current = null;
    }
    session ??= await db.session();
    return session;
  }

  async function tryAdvisory(s: DbSession): Promise<boolean> {
    if (embedded) return false;
    if (advisoryHeld) return true;
    const [row] = await s.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${key}, ${purpose}) AS locked`);
    advisoryHeld = row?.locked === true;
    return advisoryHeld;
  }

  // This store no longer holds the lease of `token` (released, lost or taken over).
  function forget(token: string): void {
    live.delete(token);
    renewedInWrite.delete(token);
    if (current?.token === token) current = null;
  }

  // Without a lease, the advisory lock and the connection go back.
  async function settle(): Promise<void> {
    if (current !== null || session === null) return;
    const s = session;
    session = null;
    let clean = !s.lost;
    if (advisoryHeld && clean) {
      clean = await s.query(`SELECT pg_advisory_unlock(${key}, ${purpose})`).then(
        () => true,
        () => false,
      );
    }
    advisoryHeld = false;
    s.release(!clean);
  }

  function handle(owner: string, token: string, expiresAt: string): RunLock {
    let expires = expiresAt;
    renewedInWrite.set(token, (at) => {
      expires = at;
    });
    return {
      owner,
      get expiresAt() {
        return expires;
      },
      release: () =>
        serial(async () => {
          try {
            const target = session !== null && !session.lost ? session : db;
            await target.query(`DELETE FROM ${t.runLock} WHERE tenant = $4 AND name = $1 AND owner = $2 AND token = $3`, [
              LOCK_NAME,
              owner,
              token,
              tenant,
            ]);
          } finally {
            forget(token);
            await settle();
          }
        }),
      renew: (ttlMs: number) =>
        serial(async () => {
          const ttl = requireTtl(ttlMs);
          const mine = current?.token === token;
          // Our connection died: its advisory lock is gone, so the lease is free to others. That is
          // a store failure of this run, not a sign of another sync (item 6).
          if (mine && session?.lost) {
            forget(token);
            await settle();
            throw lockLost(null);
          }
          const s = mine && session !== null ? session : null;
          let row: { expires_at: Date } | undefined;
          try {
            const alive = s !== null && (await tryAdvisory(s));
            [row] = await (s ?? db).query<{ expires_at: Date }>(
              `UPDATE ${t.runLock} SET expires_at = ${expiry},
                 holder_pid = CASE WHEN $4 THEN pg_backend_pid() ELSE holder_pid END
               WHERE tenant = $6 AND name = $1 AND owner = $3 AND token = $5 RETURNING expires_at`,
              [LOCK_NAME, ttl, owner, alive, token, tenant],
            );
          } catch (error) {
            if (s === null || !s.lost) throw error;
            forget(token);
            await settle();
            throw lockLost(error);
          }
          if (!row) {
            forget(token);
            await settle();
            return false;
          }
          expires = iso(row.expires_at);
          return true;
        }),
    };
  }

  return {
    acquire: ({ owner, ttlMs }) => {
      requireOwner(owner);
      const ttl = requireTtl(ttlMs);
      return serial(async () => {
        const s = await ensureSession();
        try {
          const alive = await tryAdvisory(s);
          const row = await s.transaction(async (tx) => {
            // Locked first, so the owner read is the one the upsert replaces.
            const [previous] = await tx.query<{ owner: string }>(`SELECT owner FROM ${t.runLock} WHERE tenant = $2 AND name = $1 FOR UPDATE`, [
              LOCK_NAME,
              tenant,
            ]);
            const [taken] = await tx.query<{ token: string; expires_at: Date }>(
              `INSERT INTO ${t.runLock} AS rl (tenant, name, owner, token, holder_pid, acquired_at, expires_at)
               VALUES ($6, $1, $3, $4::uuid, CASE WHEN $5 THEN pg_backend_pid() END, now(), ${expiry})
               ON CONFLICT (tenant, name) DO UPDATE SET
                 token = CASE WHEN rl.owner = EXCLUDED.owner THEN rl.token ELSE EXCLUDED.token END,
                 acquired_at = CASE WHEN rl.owner = EXCLUDED.owner THEN rl.acquired_at ELSE EXCLUDED.acquired_at END,
                 owner = EXCLUDED.owner, holder_pid = EXCLUDED.holder_pid, expires_at = EXCLUDED.expires_at
               WHERE rl.owner = EXCLUDED.owner OR ${isFree("rl", "$7")}
               RETURNING token::text AS token, expires_at`,
              [LOCK_NAME, ttl, owner, randomUUID(), alive, tenant, ...(embedded ? [liveTokens()] : [])],
            );
            // The previous holder died or stalled past its lease: its run would say `running` forever (item 5).
            if (taken && previous && previous.owner !== owner) {
              await tx.query(
                `UPDATE ${t.syncRuns} SET status = 'failed', finished_at = greatest(now(), started_at),
                   errors = errors || $2::jsonb, recorded_at = now()
                 WHERE tenant = $3 AND run_id = $1 AND status = 'running'`,
                [previous.owner, JSON.stringify([abandonedRunError(owner)]), tenant],
              );
            }
            return taken;
          });
          if (row) {
            current = { token: row.token, owner };
            if (embedded) live.add(row.token);
            return { acquired: true, lock: handle(owner, row.token, iso(row.expires_at)) };
          }
          const [held] = await s.query<{ owner: string; expires_at: Date }>(
            `SELECT owner, expires_at FROM ${t.runLock} WHERE tenant = $2 AND name = $1`,
            [LOCK_NAME, tenant],
          );
          return { acquired: false, holder: held?.owner ?? null, expiresAt: held ? iso(held.expires_at) : null };
        } finally {
          await settle();
        }
      });
    },

    leaseForWrite(owner) {
      const held = current !== null && current.owner === owner ? current.token : null;
      if (held === null) return { token: null, settle: async () => undefined };
      if (session === null || session.lost || (!embedded && !advisoryHeld)) return null;
      return {
        token: held,
        settle: (expiresAt) =>
          serial(async () => {
            if (expiresAt !== null) {
              renewedInWrite.get(held)?.(expiresAt);
              return;
            }
            // Another run took the lease over: give it up exactly as a renew answering false does.
            forget(held);
            await settle();
          }),
      };
    },

    async running() {
      const [row] = await db.query<{ owner: string; expires_at: Date }>(
        `SELECT owner, expires_at FROM ${t.runLock} rl WHERE tenant = $2 AND name = $1 AND NOT ${isFree("rl", "$3")}`,
        embedded ? [LOCK_NAME, tenant, liveTokens()] : [LOCK_NAME, tenant],
      );
      return row ? { owner: row.owner, expiresAt: iso(row.expires_at) } : null;
    },

    close: () =>
      serial(async () => {
        try {
          if (current !== null && session !== null && !session.lost) {
            await session.query(`DELETE FROM ${t.runLock} WHERE tenant = $3 AND name = $1 AND token = $2`, [LOCK_NAME, current.token, tenant]);
          }
        } finally {
          if (current !== null) forget(current.token);
          await settle();
        }
      }),
  };
}
