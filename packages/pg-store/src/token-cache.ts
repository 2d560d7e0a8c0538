// An MSAL cache plugin on the token_cache table, so every replica shares one login. `before` reads
// (data, version); `after` writes with `UPDATE … WHERE version = $read` (or inserts the first row),
// holding no transaction between the hooks. When another writer got in between, `after` locks the
// row (SELECT … FOR UPDATE, in a short transaction of its own), merges the two caches entry by entry
// against the version both started from, and writes the merge: no change is lost, nothing spins.
import { ConfigError, StoreError } from "@pc-referrals/core";
import type { Db } from "./db.js";
import type { Tables } from "./schema.js";
import { num } from "./values.js";

/** The part of msal-node's `TokenCacheContext` the plugin uses. */
export interface TokenCacheContextLike {
  readonly tokenCache: { serialize(): string; deserialize(cache: string): void };
  readonly cacheHasChanged: boolean;
}

/** An msal-node `ICachePlugin`: pass it as `cache.cachePlugin` (or to `createMsalTokenProvider({ cache })`). */
export interface PgTokenCachePlugin {
  beforeCacheAccess(context: TokenCacheContextLike): Promise<void>;
  afterCacheAccess(context: TokenCacheContextLike): Promise<void>;
}

/** Rounds of the locked merge (a row created concurrently needs a second); more means a broken table. */
const MAX_LOCKED_ROUNDS = 3;

type Json = Record<string, unknown>;

function parseObject(text: string | null): Json | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : null;
  } catch {
    return null;
  }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

// Three-way merge of one level: keys we did not change since `base` take `theirs`, the rest `ours`
// (a key we deleted stays deleted).
function mergeLevel(base: Json, ours: Json, theirs: Json, depth: number): Json {
  const merged: Json = {};
  for (const k of new Set([...Object.keys(ours), ...Object.keys(theirs), ...Object.keys(base)])) {
    const [b, o, th] = [base[k], ours[k], theirs[k]];
    const objects = [b ?? {}, o ?? {}, th ?? {}].every((v) => typeof v === "object" && v !== null && !Array.isArray(v));
    const value = depth > 0 && objects ? mergeLevel((b ?? {}) as Json, (o ?? {}) as Json, (th ?? {}) as Json, depth - 1) : same(o, b) ? th : o;
    if (value !== undefined) merged[k] = value;
  }
  return merged;
}

/**
 * Merges our serialized MSAL cache into the one another writer stored. MSAL caches are
 * `{ Account: {key: entry}, AccessToken: {…}, RefreshToken: {…}, … }`, so the merge goes one level
 * into each section. Text that is not such an object (encrypted, say) cannot merge: ours wins.
 */
export function mergeTokenCaches(base: string | null, ours: string, theirs: string): string {
  const [b, o, th] = [parseObject(base) ?? {}, parseObject(ours), parseObject(theirs)];
  if (o === null || th === null) return ours;
  return JSON.stringify(mergeLevel(b, o, th, 1));
}

/** The plugin over `key`'s row of `t.tenant` in the token_cache table. `db` opens the store's database lazily. */
export function createTokenCachePlugin(db: () => Promise<Db>, t: Tables, key: string): PgTokenCachePlugin {
  if (typeof key !== "string" || key.length === 0) {
    throw new ConfigError([{ path: "createPgTokenCache.key", message: "must be a non-empty string" }]);
  }
  let read: { data: string | null; version: number } = { data: null, version: 0 };

  const load = async (): Promise<{ data: string | null; version: number }> => {
    const [row] = await (await db()).query<{ data: string; version: number | string }>(
      `SELECT data, version FROM ${t.tokenCache} WHERE tenant = $2 AND cache_key = $1`,
      [key, t.tenant],
    );
    return row ? { data: row.data, version: num(row.version) } : { data: null, version: 0 };
  };

  const write = async (data: string, expected: number): Promise<number | null> => {
    const d = await db();
    const rows =
      expected === 0
        ? await d.query<{ version: number | string }>(
            `INSERT INTO ${t.tokenCache} (tenant, cache_key, data, version) VALUES ($3, $1, $2, 1)
             ON CONFLICT (tenant, cache_key) DO NOTHING RETURNING version`,
            [key, data, t.tenant],
          )
        : await d.query<{ version: number | string }>(
            `UPDATE ${t.tokenCache} SET data = $2, version = version + 1, updated_at = now()
             WHERE tenant = $4 AND cache_key = $1 AND version = $3 RETURNING version`,
            [key, data, expected, t.tenant],
          );
    return rows[0] ? num(rows[0].version) : null;
  };

  const mergeLocked = (ours: string, base: string | null) =>
    db().then((d) =>
      d.transaction(async (tx) => {
        for (let round = 0; round < MAX_LOCKED_ROUNDS; round++) {
          const [row] = await tx.query<{ data: string }>(`SELECT data FROM ${t.tokenCache} WHERE tenant = $2 AND cache_key = $1 FOR UPDATE`, [
            key,
            t.tenant,
          ]);
          if (row) {
            const data = mergeTokenCaches(base, ours, row.data);
            const [updated] = await tx.query<{ version: number | string }>(
              `UPDATE ${t.tokenCache} SET data = $2, version = version + 1, updated_at = now()
               WHERE tenant = $3 AND cache_key = $1 RETURNING version`,
              [key, data, t.tenant],
            );
            return { data, version: num(updated?.version) };
          }
          const [inserted] = await tx.query<{ version: number | string }>(
            `INSERT INTO ${t.tokenCache} (tenant, cache_key, data, version) VALUES ($3, $1, $2, 1)
             ON CONFLICT (tenant, cache_key) DO NOTHING RETURNING version`,
            [key, ours, t.tenant],
          );
          if (inserted) return { data: ours, version: num(inserted.version) };
        }
        throw new StoreError(`The shared token cache "${key}" could not be written; check the token_cache table.`);
      }),
    );

  return {
    async beforeCacheAccess(context) {
      read = await load();
      if (read.data !== null) context.tokenCache.deserialize(read.data);
    },
    async afterCacheAccess(context) {
      if (!context.cacheHasChanged) return;
      const data = context.tokenCache.serialize();
      const version = await write(data, read.version);
      read = version !== null ? { data, version } : await mergeLocked(data, read.data);
    },
  };
}
