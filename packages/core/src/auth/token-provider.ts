/**
 * Where the client gets its bearer token. The MSAL provider (device code + silent refresh) and
 * the static provider implement it; hosts may bring their own.
 */

/** Supplies access tokens for `https://api.partner.microsoft.com`. */
export interface TokenProvider {
  /**
   * A valid access token. Implementations refresh silently when they can and throw
   * `AuthRequiredError` when a person must log in again. Never log the result.
   */
  getAccessToken(signal?: AbortSignal): Promise<string>;
  /**
   * Called by the client after a 401 so that the next `getAccessToken` does not return the
   * same cached token (the MSAL provider forces a refresh). Optional.
   */
  invalidate?(): void;
}
