import { AuthError, ClientAuthError, ClientConfigurationError, InteractionRequiredAuthError, ServerError } from "@azure/msal-node";
import { describe, expect, it } from "vitest";
import { AuthRequiredError, PcReferralsError } from "../errors.js";
import { mapMsalError, type MsalOperation } from "./msal-errors.js";

// A server description as Entra sends it; none of it may survive into our errors.
const DESCRIPTION = "AADSTS50173: The provided grant has expired. refresh_token=RT-SECRET-xyz user someone@contoso.com";

describe("mapMsalError", () => {
  it.each<[string, unknown, MsalOperation, string, RegExp]>([
    ["a revoked refresh token", new ServerError("invalid_grant", "c", DESCRIPTION), "silent", "auth_required", /invalid_grant/],
    ["invalid_grant with suberror bad_token", new InteractionRequiredAuthError("invalid_grant", "c", DESCRIPTION, "bad_token"), "silent", "auth_required", /no longer valid/],
    ["interaction_required", new InteractionRequiredAuthError("interaction_required", "c", DESCRIPTION), "silent", "auth_required", /interaction_required/],
    ["no tokens in the cache", new InteractionRequiredAuthError("no_tokens_found", "c"), "silent", "auth_required", /no_tokens_found/],
    ["no account", new ClientAuthError("no_account_in_silent_request", "c"), "silent", "auth_required", /no_account_in_silent_request/],
    ["a declined device code", new AuthError("post_request_failed", "c", "access_denied"), "login", "auth_required", /declined/],
    ["an expired device code (server)", new AuthError("post_request_failed", "c", "expired_token"), "login", "auth_required", /expired/],
    ["an expired device code (msal)", new ClientAuthError("device_code_expired", "c"), "login", "auth_required", /expired/],
    ["a cancelled poll", new ClientAuthError("device_code_polling_cancelled", "c"), "login", "auth_required", /cancelled/],
    ["an unknown poll refusal", new AuthError("post_request_failed", "c", "something odd with RT-SECRET-xyz"), "login", "auth_required", /post_request_failed/],
    ["an unreachable authority", new AuthError("network_error", "c", "Network request failed: ECONNREFUSED"), "silent", "network_error", /reach/],
    ["failed endpoint discovery", new ClientAuthError("endpoints_resolution_error", "c"), "login", "network_error", /reach/],
    ["an authority answering 503", new ServerError("temporarily_unavailable", "c", DESCRIPTION, "", "", 503), "silent", "network_error", /unavailable/],
    ["an insecure authority", new ClientConfigurationError("authority_uri_insecure", "c"), "login", "config_invalid", /authority_uri_insecure/],
    ["an unknown client", new ServerError("unauthorized_client", "c", DESCRIPTION), "login", "config_invalid", /client id/],
    ["a rejected scope", new ServerError("invalid_scope", "c", DESCRIPTION), "login", "config_invalid", /scopes/],
  ])("maps %s", (_name, error, operation, code, message) => {
    const mapped = mapMsalError(error, operation);
    expect(PcReferralsError.hasCode(mapped, code as "auth_required")).toBe(true);
    const text = JSON.stringify([mapped, (mapped as Error).message, (mapped as { hint?: string }).hint, (mapped as { issues?: unknown }).issues]);
    expect(text).toMatch(message);
    expect(text).not.toContain("RT-SECRET");
    expect(text).not.toContain("contoso.com");
    expect((mapped as Error).cause).toBeUndefined();
  });

  it("keeps only a well-formed code", () => {
    const mapped = mapMsalError(new ServerError("weird code <script>", "c"), "silent") as Error;
    expect(mapped.message).toContain("(unknown)");
  });

  it("passes library errors and non-msal errors through unchanged", () => {
    const ours = new AuthRequiredError("cache unreadable");
    const bug = new TypeError("x is not a function");
    expect(mapMsalError(ours, "silent")).toBe(ours);
    expect(mapMsalError(bug, "login")).toBe(bug);
  });
});
