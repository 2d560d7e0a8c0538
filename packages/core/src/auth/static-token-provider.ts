// For hosts that obtain the bearer token themselves (another MSAL app, a secret store, a test).
import { z } from "zod";
import { parseOptions } from "../_options.js";
import type { TokenProvider } from "./token-provider.js";

const tokenSchema = z.string().regex(/^[\x21-\x7e]+$/, "expected a non-empty token of printable characters without spaces");

/**
 * A {@link TokenProvider} that always returns `token`. It cannot refresh: once the token
 * expires the API answers 401 and the host must create a provider with a new one. The token
 * lives only in a closure, so serializing or inspecting the provider never reveals it.
 *
 * @example
 * const client = createPartnerCenterClient({ tokenProvider: createStaticTokenProvider(process.env.PC_TOKEN!) });
 */
export function createStaticTokenProvider(token: string): TokenProvider {
  const value = parseOptions(tokenSchema, token, "createStaticTokenProvider.token");
  return {
    getAccessToken(signal?: AbortSignal): Promise<string> {
      if (signal?.aborted) return Promise.reject(signal.reason);
      return Promise.resolve(value);
    },
  };
}
