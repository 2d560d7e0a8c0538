// Turns msal-node errors into the library's taxonomy. Only msal's short errorCode is kept, never
// its message or the error itself as `cause`: the codes are all a caller needs, and nothing else
// can then carry a token or a server description into a log.
import { AuthRequiredError, ConfigError, NetworkError, PcReferralsError } from "../errors.js";

/** Which operation failed; it decides the wording of the message and hint. */
export type MsalOperation = "login" | "silent" | "account";

const DEFAULT_HINT = "Run `pc-referrals login` to sign in again with a device code.";

// Codes that mean "a person has to sign in (again)", from the server or from msal itself.
const AUTH_REQUIRED = new Set([
  "invalid_grant",
  "interaction_required",
  "consent_required",
  "login_required",
  "bad_token",
  "interrupted_user",
  "ui_not_allowed",
  "expired_token",
  "access_denied",
  "authorization_declined",
  "bad_verification_code",
  "no_tokens_found",
  "refresh_token_expired",
  "native_account_unavailable",
  "no_account_in_silent_request",
  "no_account_found",
  "device_code_expired",
  "device_code_polling_cancelled",
  "user_timeout_reached",
  "device_code_unknown_error",
]);
const UNREACHABLE = new Set(["network_error", "no_network_connectivity", "endpoints_resolution_error", "openid_config_error"]);
const UNAVAILABLE = new Set(["server_error", "temporarily_unavailable", "service_unavailable"]);
const CLIENT_REJECTED = new Set(["invalid_client", "unauthorized_client", "invalid_request"]);
const SAFE_CODE = /^[A-Za-z0-9_]{1,64}$/;

interface MsalLikeError {
  name: string;
  errorCode: string;
  errorMessage: string;
  subError: string;
  status: number | undefined;
}

/** The AuthRequiredError for "no account in the cache". */
export function notSignedInError(): AuthRequiredError {
  return new AuthRequiredError("Not signed in: the token cache holds no account.", { hint: DEFAULT_HINT });
}

/**
 * Maps whatever msal-node threw to a library error: sign-in problems become `AuthRequiredError`,
 * an unreachable or failing authority `NetworkError`, a rejected configuration `ConfigError`.
 * Library errors (e.g. from a cache plugin) pass through; errors that are not msal's are returned
 * unchanged, since they are bugs rather than sign-in outcomes.
 */
export function mapMsalError(error: unknown, operation: MsalOperation): unknown {
  if (PcReferralsError.is(error)) return error;
  const msal = asMsalError(error);
  if (!msal) return error;
  let code = safeCode(msal.errorCode);
  // The device-code poll reports server refusals as post_request_failed with the server's code as message.
  if (code === "post_request_failed" && AUTH_REQUIRED.has(msal.errorMessage.trim())) code = msal.errorMessage.trim();

  if (UNREACHABLE.has(code)) {
    return new NetworkError(`Could not reach the sign-in authority (${code}); check the authority URL and the network.`);
  }
  if (UNAVAILABLE.has(code) || (msal.status !== undefined && msal.status >= 500)) {
    return new NetworkError(`The sign-in authority is unavailable (${code}); try again later.`);
  }
  if (msal.name === "ClientConfigurationError") {
    return new ConfigError([{ path: "createMsalTokenProvider", message: `msal-node rejected the configuration (${code})` }]);
  }
  if (CLIENT_REJECTED.has(code)) {
    const message = `the authority rejected the application (${code}); check the client id and that public client flows are allowed`;
    return new ConfigError([{ path: "createMsalTokenProvider.clientId", message }]);
  }
  if (code === "invalid_scope") {
    const message = "the authority rejected the requested scopes (invalid_scope)";
    return new ConfigError([{ path: "createMsalTokenProvider.scopes", message }]);
  }
  if (operation === "login") return loginFailed(code);
  const interaction =
    msal.name === "InteractionRequiredAuthError" || AUTH_REQUIRED.has(code) || AUTH_REQUIRED.has(safeCode(msal.subError));
  if (interaction) {
    return new AuthRequiredError(`Silent sign-in failed (${code}): the saved login is no longer valid.`, { hint: DEFAULT_HINT });
  }
  return new AuthRequiredError(`Silent sign-in failed (${code}).`, { hint: DEFAULT_HINT });
}

function loginFailed(code: string): AuthRequiredError {
  switch (code) {
    case "access_denied":
    case "authorization_declined":
      return new AuthRequiredError(`Device-code login was declined (${code}).`, {
        hint: "Run `pc-referrals login` again and approve the sign-in.",
      });
    case "expired_token":
    case "device_code_expired":
    case "user_timeout_reached":
      return new AuthRequiredError(`The device code expired before the sign-in completed (${code}).`, {
        hint: "Run `pc-referrals login` again and enter the code before it expires.",
      });
    case "device_code_polling_cancelled":
      return new AuthRequiredError("Device-code login was cancelled.", { hint: DEFAULT_HINT });
    default:
      return new AuthRequiredError(`Device-code login failed (${code}).`, { hint: DEFAULT_HINT });
  }
}

function asMsalError(error: unknown): MsalLikeError | null {
  if (!(error instanceof Error)) return null;
  const fields = error as Error & { errorCode?: unknown; errorMessage?: unknown; subError?: unknown; status?: unknown };
  if (typeof fields.errorCode !== "string") return null;
  return {
    name: error.name,
    errorCode: fields.errorCode,
    errorMessage: typeof fields.errorMessage === "string" ? fields.errorMessage : "",
    subError: typeof fields.subError === "string" ? fields.subError : "",
    status: typeof fields.status === "number" ? fields.status : undefined,
  };
}

function safeCode(code: string): string {
  return SAFE_CODE.test(code) ? code : "unknown";
}
