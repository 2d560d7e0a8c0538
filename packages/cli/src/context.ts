// Builds what commands share from one configuration: the store, the login, the client, the engine.
import {
  DEFAULT_TENANT,
  createFileTokenCache,
  createMsalTokenProvider,
  createPartnerCenterClient,
  createReferralActions,
  createSyncEngine,
  silentLogger,
} from "@pc-referrals/core";
import type {
  Logger,
  MsalTokenProvider,
  MsalTokenProviderOptions,
  PartnerCenterClient,
  ReferralActions,
  Store,
  SyncEngine,
  TenantOverrides,
} from "@pc-referrals/core";
import { createFakeEntra } from "@pc-referrals/core/fakes";
import { createPgStore, createPgTokenCache } from "@pc-referrals/pg-store";
import type { PgStore } from "@pc-referrals/pg-store";
import { requireClientId } from "./config.js";
import type { CliConfig } from "./config.js";
import { tenantTokenCachePath } from "./tenant.js";

/** The store of the configuration: PostgreSQL when DATABASE_URL is set, else embedded PGlite in the data folder. */
export function openStore(config: CliConfig, options: { autoMigrate?: boolean } = {}): PgStore {
  const common = { autoMigrate: options.autoMigrate ?? true, ...(config.dbSchema === null ? {} : { schema: config.dbSchema }) };
  return config.databaseUrl !== null
    ? createPgStore({ connectionString: config.databaseUrl, ...common })
    : createPgStore({ dataDir: config.dataDir, ...common });
}

/** Whose login: a partner tenant's own token cache, signed in to its Entra tenant (null: the configured one). */
export interface TenantLogin {
  id: string;
  entraTenantId: string | null;
}

/**
 * The device-code login of the configuration, with its token cache in a 0600 file or in the
 * store's table. `store` is required for `tokenStore: "db"`; `cache: "memory"` keeps the tokens
 * in this process only (the demo, whose fake forgets its tokens when it stops). Each partner
 * tenant (`tenant`) has its own cache: its own rows of the table, or its own file.
 */
export function tokenProvider(
  config: CliConfig,
  store: PgStore | null,
  options: { cache?: "configured" | "memory"; logger?: Logger; scopes?: string[]; tenant?: TenantLogin } = {},
): MsalTokenProvider {
  const clientId = requireClientId(config);
  // The webhooks API asks for its own scope from the same login (the refresh token covers both).
  const scopes = options.scopes ?? [config.scope];
  const tenant = options.tenant ?? { id: DEFAULT_TENANT, entraTenantId: null };
  const msal: MsalTokenProviderOptions = { clientId, tenantId: tenant.entraTenantId ?? config.tenantId, scopes, logger: options.logger ?? silentLogger };
  if (config.authority !== null) msal.authority = config.authority;
  if (config.fakeLoginUrl !== null) {
    // The fake Entra ID answers for the tenant and client configured here; only its URL is new.
    const fake = createFakeEntra({ tenantId: config.tenantId, clientId }).tokenProviderOptions(config.fakeLoginUrl);
    Object.assign(msal, { ...fake, scopes });
  }
  if ((options.cache ?? "configured") === "configured") {
    if (config.tokenStore === "db") {
      if (store === null) throw new Error("the db token store needs the store");
      msal.cache = createPgTokenCache(store.forTenant(tenant.id));
    } else {
      const path = tenantTokenCachePath(config.tokenCachePath, tenant.id);
      msal.cache = createFileTokenCache(path, config.tokenCacheKey === null ? {} : { encryptionKey: config.tokenCacheKey });
    }
  }
  return createMsalTokenProvider(msal);
}

/** The engine over the configured client and `store` (the real one, or the dry-run wrapper). */
export function createEngine(config: CliConfig, store: Store, tokens: MsalTokenProvider, logger: Logger = silentLogger): SyncEngine {
  return connect(config, store, tokens, logger).engine;
}

/**
 * The engine and write-back (accept, decline, …) over one configured client: the actions store the
 * re-read referral through this engine, so its events reach the same listeners (`serve`'s page).
 */
export function createEngineAndActions(
  config: CliConfig,
  store: Store,
  tokens: MsalTokenProvider,
  logger: Logger = silentLogger,
): { engine: SyncEngine; actions: ReferralActions } {
  const { client, engine } = connect(config, store, tokens, logger);
  return { engine, actions: createReferralActions({ client, store, engine, logger }) };
}

function connect(config: CliConfig, store: Store, tokens: MsalTokenProvider, logger: Logger): { client: PartnerCenterClient; engine: SyncEngine } {
  let engine: SyncEngine | null = null;
  const client = createPartnerCenterClient({
    tokenProvider: tokens,
    baseUrl: config.apiBaseUrl,
    logger,
    onRetry: (notice) => engine?.handleRetryNotice(notice),
  });
  engine = createSyncEngine({ client, store, enabled: config.enabled, ...engineSettings(config, logger) });
  return { client, engine };
}

/** The engine options the configuration sets besides the client, store and feature flag (a tenant's overrides win). */
export function engineSettings(config: CliConfig, logger: Logger, overrides: TenantOverrides = {}) {
  return {
    scoring: { azureTenantScore: config.azureTenantScore, coSellBonus: config.coSellBonus, ...overrides.scoring },
    expiry: { defaultDays: config.expiryDefaultDays, thresholdsDays: config.expiryThresholdsDays },
    overlapMs: config.syncOverlapSeconds * 1000,
    logger,
  };
}

/** Runs `work` with the store open and always closes it afterwards. */
export async function withStore<T>(store: PgStore, work: (store: PgStore) => Promise<T>): Promise<T> {
  try {
    return await work(store);
  } finally {
    await store.close().catch(() => undefined);
  }
}
