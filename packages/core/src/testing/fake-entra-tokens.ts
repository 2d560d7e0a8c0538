// Token minting for the fake Entra ID: JWT-shaped access tokens (HMAC-signed so the fake can
// tell its own tokens apart), unsigned id_tokens and client_info, as msal-node caches them.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { base64url } from "./_http.js";

/** The signed-in user every fake login returns. */
export const FAKE_USER = {
  oid: "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
  name: "Fake Referrals Admin",
  username: "referrals.admin@fake-partner.onmicrosoft.com",
} as const;

/** Result of checking a bearer token. */
export type AccessTokenCheck =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; reason: "malformed" | "expired" | "audience" | "unknown" };

function encodeJwt(header: object, claims: object, sign: (input: string) => string): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  return `${input}.${sign(input)}`;
}

function decodeSegment(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Mints and checks tokens for one fake tenant. */
export function createTokenMinter(config: { tenantId: string; clientId: string; audience: string; now: () => number }) {
  const secret = randomBytes(32);
  const sign = (input: string) => createHmac("sha256", secret).update(input).digest("base64url");
  const seconds = () => Math.floor(config.now() / 1000);

  return {
    /** A v1 access token for the resource `audience` (Partner Center accepts v1 tokens). */
    accessToken(audience: string, expiresInSeconds: number, scopes: string): string {
      const iat = seconds();
      const scp = scopes
        .split(" ")
        .map((s) => s.slice(s.lastIndexOf("/") + 1))
        .map((s) => (s === ".default" ? "user_impersonation" : s))
        .join(" ");
      return encodeJwt(
        { typ: "JWT", alg: "HS256", kid: "fake-entra" },
        {
          aud: audience,
          iss: `https://sts.windows.net/${config.tenantId}/`,
          iat,
          nbf: iat,
          exp: iat + expiresInSeconds,
          appid: config.clientId,
          name: FAKE_USER.name,
          oid: FAKE_USER.oid,
          sub: FAKE_USER.oid,
          scp: scp || "user_impersonation",
          tid: config.tenantId,
          upn: FAKE_USER.username,
          uti: randomBytes(16).toString("base64url"),
          ver: "1.0",
        },
        sign,
      );
    },

    /** An id_token with the claims msal-node reads (tid, oid, preferred_username, name); never verified by msal. */
    idToken(issuerHost: string): string {
      const iat = seconds();
      return encodeJwt(
        { typ: "JWT", alg: "none" },
        {
          aud: config.clientId,
          iss: `https://${issuerHost}/${config.tenantId}/v2.0`,
          iat,
          nbf: iat,
          exp: iat + 3600,
          name: FAKE_USER.name,
          oid: FAKE_USER.oid,
          preferred_username: FAKE_USER.username,
          sub: FAKE_USER.oid,
          tid: config.tenantId,
          ver: "2.0",
        },
        () => "unsigned",
      );
    },

    /** `client_info`: msal's home account id is `uid.utid`. */
    clientInfo(): string {
      return base64url(JSON.stringify({ uid: FAKE_USER.oid, utid: config.tenantId }));
    },

    verify(token: string, audience: string = config.audience): AccessTokenCheck {
      const parts = token.split(".");
      const [header, payload, signature] = parts;
      if (parts.length !== 3 || !header || !payload || !signature) return { ok: false, reason: "malformed" };
      const claims = decodeSegment(payload);
      if (decodeSegment(header) === null || claims === null) return { ok: false, reason: "malformed" };
      const expected = Buffer.from(sign(`${header}.${payload}`));
      const actual = Buffer.from(signature);
      if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: "unknown" };
      if (claims.aud !== audience) return { ok: false, reason: "audience" };
      if (typeof claims.exp !== "number" || claims.exp <= seconds()) return { ok: false, reason: "expired" };
      return { ok: true, claims };
    },
  };
}
