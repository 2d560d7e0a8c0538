// TokenProvider over msal-node's PublicClientApplication: device-code login once, then silent
// acquisition (cached access token, else the refresh token). toolchain.md §6 has msal's behaviour.
import { PublicClientApplication, type AccountInfo, type DeviceCodeRequest, type ICachePlugin, type INetworkModule } from "@azure/msal-node";
import { z } from "zod";
import { parseOptions } from "../_options.js";
import { raceAbort } from "../_sleep.js";
import { AuthRequiredError, ConfigError, PcReferralsError } from "../errors.js";
import { createMaskingLogger, silentLogger, type Logger } from "../logger.js";
import { mapMsalError, notSignedInError } from "./msal-errors.js";
import { buildConfiguration, msalOptionsSchema } from "./msal-options.js";
import type { TokenProvider } from "./token-provider.js";

/** The msal-node cache plugin shape: `createFileTokenCache()` and pg-store's table cache both fit it. */
export type TokenCachePlugin = ICachePlugin;

/** The Partner Center API scope. */
export { PARTNER_CENTER_SCOPE } from "./msal-options.js";

/** Options of {@link createMsalTokenProvider}. */
export interface MsalTokenProviderOptions {
  /** Application (client) id of an Entra app registration with public client flows allowed. */
  clientId: string;
  /** Tenant id or domain; the default authority is `https://login.microsoftonline.com/<tenantId or "organizations">`. */
  tenantId?: string | undefined;
  /** An https authority URL; overrides the one built from `tenantId`. */
  authority?: string | undefined;
  /** Default `["https://api.partner.microsoft.com/.default"]`. */
  scopes?: readonly string[] | undefined;
  /** Where the token cache persists (e.g. `createFileTokenCache()`); without one a login lasts as long as the process. */
  cache?: TokenCachePlugin | undefined;
  /** Hosts msal trusts without instance discovery (msal's `auth.knownAuthorities`). */
  knownAuthorities?: readonly string[] | undefined;
  /** The authority's OpenID configuration as a JSON string, which skips fetching it. */
  authorityMetadata?: string | undefined;
  /** Instance-discovery metadata as a JSON string (msal's `auth.cloudDiscoveryMetadata`). */
  cloudDiscoveryMetadata?: string | undefined;
  /** Replaces msal's HTTP client (used by the fake Entra ID). */
  networkClient?: INetworkModule | undefined;
  /** Receives login/logout lines and msal's warnings, masked; never a token or a device code. */
  logger?: Logger | undefined;
}

/** What a device-code login shows the person. Show `message`, or the URI and code. */
export interface DeviceCodeInfo {
  verificationUri: string;
  userCode: string;
  /** When the code stops working. */
  expiresAt: Date;
  /** The authority's ready-made instruction text. */
  message: string;
}

/** The account a login produced. */
export interface DeviceCodeLoginResult {
  /** Usually the person's UPN (an e-mail address); null when the authority sent none. */
  username: string | null;
  homeAccountId: string;
  /** When the access token just issued expires. */
  expiresOn: Date | null;
}

/** The signed-in account, as `account()` reports it. */
export interface MsalAccountSummary {
  username: string | null;
  homeAccountId: string;
  tenantId: string;
}

/** A {@link TokenProvider} that logs in with a device code and refreshes silently afterwards. */
export interface MsalTokenProvider extends TokenProvider {
  /**
   * Runs the device-code flow: hands the code to `onCode`, then waits until the person signs in.
   * Aborting `signal` rejects at once with the signal's reason and stops polling (a poll already
   * in flight still completes). Declined or expired codes reject with `AuthRequiredError`; an
   * unknown client id with `ConfigError`; an unreachable authority with `NetworkError`.
   */
  loginWithDeviceCode(onCode: (info: DeviceCodeInfo) => void, options?: { signal?: AbortSignal | undefined }): Promise<DeviceCodeLoginResult>;
  /** A valid access token, silently: from the cache, else through the refresh token. Throws `AuthRequiredError` when a login is needed. */
  getAccessToken(signal?: AbortSignal): Promise<string>;
  /** Makes the next `getAccessToken` skip the cached access token and redeem the refresh token. */
  invalidate(): void;
  /** Removes every account of this application from the cache. Throws `AuthRequiredError` when the cache cannot be read. */
  logout(): Promise<void>;
  /** The signed-in account, or null. Throws `AuthRequiredError` when the cache cannot be read. */
  account(): Promise<MsalAccountSummary | null>;
}


const NO_DEVICE_CODE =
  "the authority issued no device code; check the client id, the tenant, and that the app registration allows public client flows";

const onCodeSchema = z.custom<(info: DeviceCodeInfo) => void>(
  (v) => typeof v === "function",
  "expected a function that shows the code, e.g. (info) => console.log(info.message)",
);

/** msal renews an access token this long before it expires (its `tokenRenewalOffsetSeconds`); so do we. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * Creates a token provider over msal-node's `PublicClientApplication`.
 *
 * @example
 * const provider = createMsalTokenProvider({ clientId, tenantId, cache: createFileTokenCache(path) });
 * await provider.loginWithDeviceCode((info) => console.log(info.message));
 * const client = createPartnerCenterClient({ tokenProvider: provider });
 */
export function createMsalTokenProvider(options: MsalTokenProviderOptions): MsalTokenProvider {
  const o = parseOptions(msalOptionsSchema, options, "createMsalTokenProvider");
  const logger = o.logger ? createMaskingLogger(o.logger) : silentLogger;
  const scopes = [...o.scopes];
  const app = new PublicClientApplication(buildConfiguration(o, logger));
  let forceRefresh = false;
  let lastHomeAccountId: string | null = null;
  // The last access token msal handed out, until msal itself would renew it. A sync asks for a token
  // per request, and each silent call reads (and may rewrite) the token cache and looks the account
  // up again: most of a CLI run's token cost. invalidate(), a login and logout() drop it.
  let held: { accessToken: string; renewAtMs: number } | null = null;
  const hold = (accessToken: string, expiresOn: Date | null | undefined) => {
    held = expiresOn ? { accessToken, renewAtMs: expiresOn.getTime() - RENEW_BEFORE_EXPIRY_MS } : null;
  };

  // Prefers this instance's last login, then an account of the configured tenant, then any.
  async function currentAccount(): Promise<AccountInfo | null> {
    const accounts = await app.getAllAccounts();
    return (
      accounts.find((a) => a.homeAccountId === lastHomeAccountId) ??
      accounts.find((a) => a.tenantId === o.tenantId) ??
      accounts[0] ??
      null
    );
  }

  async function silent(): Promise<string> {
    if (held !== null && !forceRefresh && Date.now() < held.renewAtMs) return held.accessToken;
    const account = await currentAccount();
    if (!account) throw notSignedInError();
    const result = await app.acquireTokenSilent({ account, scopes, forceRefresh });
    if (!result.accessToken) throw new AuthRequiredError("Silent sign-in returned no access token.");
    if (forceRefresh) logger.debug({ homeAccountId: account.homeAccountId }, "access token refreshed after invalidation");
    forceRefresh = false;
    hold(result.accessToken, result.expiresOn);
    return result.accessToken;
  }

  async function login(onCode: (info: DeviceCodeInfo) => void, signal: AbortSignal | undefined): Promise<DeviceCodeLoginResult> {
    const request: DeviceCodeRequest = {
      scopes,
      cancel: false,
      deviceCodeCallback: (response) => {
        // msal passes an error reply of the devicecode endpoint through as a response without fields.
        if (typeof response.userCode !== "string" || typeof response.verificationUri !== "string" || !response.deviceCode) {
          throw new ConfigError([{ path: "createMsalTokenProvider", message: NO_DEVICE_CODE }]);
        }
        logger.info({ verificationUri: response.verificationUri, expiresInSeconds: response.expiresIn }, "device code issued");
        onCode({
          verificationUri: response.verificationUri,
          userCode: response.userCode,
          expiresAt: new Date(Date.now() + response.expiresIn * 1000),
          message: response.message,
        });
      },
    };
    // msal checks `cancel` before each poll; the promise below rejects at once rather than at that poll.
    const stop = () => {
      request.cancel = true;
    };
    signal?.addEventListener("abort", stop, { once: true });
    const endLogin = beginLogin(o.cache);
    try {
      const result = await raceAbort(app.acquireTokenByDeviceCode(request), signal);
      if (!result?.account) {
        throw new AuthRequiredError("The authority returned no account (no id_token), so the login cannot be reused silently.");
      }
      lastHomeAccountId = result.account.homeAccountId;
      forceRefresh = false;
      held = null;
      logger.info({ homeAccountId: result.account.homeAccountId, tenantId: result.account.tenantId }, "device code login completed");
      return {
        username: result.account.username || null,
        homeAccountId: result.account.homeAccountId,
        expiresOn: result.expiresOn ?? null,
      };
    } finally {
      signal?.removeEventListener("abort", stop);
      endLogin();
    }
  }

  return {
    async loginWithDeviceCode(onCode, loginOptions) {
      const show = parseOptions(onCodeSchema, onCode, "loginWithDeviceCode.onCode");
      const signal = loginOptions?.signal;
      signal?.throwIfAborted();
      try {
        return await login(show, signal);
      } catch (error) {
        if (signal?.aborted && error === signal.reason) throw error;
        const mapped = mapMsalError(error, "login");
        if (PcReferralsError.is(mapped)) logger.warn({ code: mapped.code }, "device code login failed");
        throw mapped;
      }
    },

    async getAccessToken(signal) {
      signal?.throwIfAborted();
      try {
        return await raceAbort(silent(), signal);
      } catch (error) {
        if (signal?.aborted && error === signal.reason) throw error;
        const mapped = mapMsalError(error, "silent");
        if (PcReferralsError.is(mapped)) logger.debug({ code: mapped.code }, "silent token acquisition failed");
        throw mapped;
      }
    },

    invalidate() {
      forceRefresh = true;
      held = null;
    },

    async logout() {
      held = null;
      try {
        const accounts = await app.getAllAccounts();
        for (const account of accounts) await app.signOut({ account });
        logger.info({ accounts: accounts.length }, "signed out");
      } catch (error) {
        throw mapMsalError(error, "account");
      }
      lastHomeAccountId = null;
      forceRefresh = false;
    },

    async account() {
      try {
        const account = await currentAccount();
        return account ? { username: account.username || null, homeAccountId: account.homeAccountId, tenantId: account.tenantId } : null;
      } catch (error) {
        throw mapMsalError(error, "account");
      }
    },
  };
}

// The file cache (and any plugin with the same hook) may replace an unreadable cache only during a login.
function beginLogin(cache: TokenCachePlugin | undefined): () => void {
  const hook = (cache as { beginLogin?: unknown } | undefined)?.beginLogin;
  if (typeof hook !== "function") return () => undefined;
  const end: unknown = hook.call(cache);
  return typeof end === "function" ? () => void end() : () => undefined;
}
