// Public surface of @pc-referrals/pg-store: explicit named re-exports only.
export { createPgStore } from "./pg-store.js";
export type { PgStore, PgStoreOptions } from "./pg-store.js";
export { createPgBossDb } from "./pg-boss-db.js";
export type { PgBossDb } from "./pg-boss-db.js";
export type { PgTenantStore } from "./tenant-view.js";
export { createPgTokenCache } from "./create-pg-token-cache.js";
export { mergeTokenCaches } from "./token-cache.js";
export { MIGRATIONS } from "./migrations/index.js";
export type { Migration } from "./migrations/types.js";
export { migrationChecksum } from "./migrate.js";
export type { MigrationRef, MigrationStatusEntry } from "./migrate.js";
export { DEFAULT_SCHEMA } from "./schema.js";
export { DEFAULT_DATA_DIR } from "./pglite.js";
export type { PGliteLike, PGliteTransactionLike } from "./pglite.js";
export type { SearchIndexState } from "./queries/search-index.js";
