// Whether the inbox search has its trigram index (migration 0006 creates it only where pg_trgm
// could be had), and the error of a PGlite instance that cannot use a database that has one.
import { ConfigError } from "@pc-referrals/core";
import type { Queryable } from "../db.js";

/** Name of migration 0006's GIN `gin_trgm_ops` index on `referrals.search_text`. */
export const SEARCH_INDEX = "referrals_search_trgm_idx";

/** `trigram`: searches of 3+ characters read the index; `none`: every search scans the referrals. */
export type SearchIndexState = "trigram" | "none";

/** Which search the store's schema has. */
export async function searchIndexState(db: Queryable, schema: string): Promise<SearchIndexState> {
  const [row] = await db.query<{ indexed: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS indexed`, [`"${schema}".${SEARCH_INDEX}`]);
  return row?.indexed ? "trigram" : "none";
}

/**
 * The `ConfigError` of a PGlite instance opened without the pg_trgm bundle on a database that has
 * the trigram index: every write to referrals and every search fails there on the index's missing
 * code (SQLSTATE 58P01, `could not access file "pg_trgm"`), and only reopening with the extension
 * helps. Null for any other error. `option` names the option to fix.
 */
export function pgliteWithoutTrigrams(error: unknown, schema: string, option: "pglite" | "dataDir"): ConfigError | null {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== "58P01" || typeof message !== "string" || !message.includes("pg_trgm")) return null;
  const fix =
    option === "pglite"
      ? `create the instance with PGlite.create(dataDir, { extensions: { pg_trgm } }), pg_trgm from "@electric-sql/pglite/contrib/pg_trgm"`
      : "install a version of @electric-sql/pglite that ships @electric-sql/pglite/contrib/pg_trgm";
  return new ConfigError(
    [{ path: `createPgStore.${option}`, message: `schema "${schema}" has the inbox's trigram index (migration 0006) but this PGlite has no pg_trgm: ${fix}` }],
    { cause: error },
  );
}
