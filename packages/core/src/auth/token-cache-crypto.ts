// AES-256-GCM envelope for the token cache file. The key is derived with scrypt from the
// configured secret and a random per-file salt, so the same secret never yields the same key twice.
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from "node:crypto";

/** The on-disk form of an encrypted cache (all binary fields base64). */
export interface EncryptedCacheEnvelope {
  v: 1;
  alg: "aes-256-gcm";
  kdf: "scrypt";
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

/** Why a file could not be decrypted. */
export type DecryptFailure = "unsupported_format" | "wrong_key_or_tampered";

/** Encrypts and decrypts cache contents with one secret. */
export interface CacheCipher {
  encrypt(plaintext: string): Promise<EncryptedCacheEnvelope>;
  decrypt(envelope: Record<string, unknown>): Promise<{ ok: true; plaintext: string } | { ok: false; reason: DecryptFailure }>;
}

const KEY_BYTES = 32;
const SALT_BYTES = 16;
const IV_BYTES = 12; // the GCM standard nonce size
const TAG_BYTES = 16;
const SCRYPT_OPTIONS: ScryptOptions = { N: 16_384, r: 8, p: 1 };
// Binds the ciphertext to this format, so a blob from another tool using the same key fails the tag check.
const AAD = Buffer.from("pc-referrals.token-cache.v1");
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** True when a parsed cache file looks like an envelope (an `alg` field), whatever its version. */
export function looksEncrypted(value: Record<string, unknown>): boolean {
  return typeof value["alg"] === "string" && "v" in value;
}

/** Creates a cipher for `secret`. Derived keys are memoized per salt because scrypt is deliberately slow. */
export function createCacheCipher(secret: string): CacheCipher {
  const keys = new Map<string, Promise<Buffer>>();
  let lastSalt: Buffer | null = null;

  const deriveKey = (salt: Buffer): Promise<Buffer> => {
    const id = salt.toString("base64");
    let key = keys.get(id);
    if (!key) {
      key = new Promise<Buffer>((resolve, reject) => {
        scrypt(secret, salt, KEY_BYTES, SCRYPT_OPTIONS, (error, derived) => (error ? reject(error) : resolve(derived)));
      });
      // One file has one salt at a time; keep the map from growing when files are replaced.
      if (keys.size >= 4) keys.clear();
      keys.set(id, key);
    }
    return key;
  };

  return {
    async encrypt(plaintext) {
      // Reusing the file's salt avoids a fresh scrypt per write; the IV is what must never repeat.
      const salt = lastSalt ?? randomBytes(SALT_BYTES);
      lastSalt = salt;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", await deriveKey(salt), iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(AAD);
      const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return {
        v: 1,
        alg: "aes-256-gcm",
        kdf: "scrypt",
        salt: salt.toString("base64"),
        iv: iv.toString("base64"),
        tag: cipher.getAuthTag().toString("base64"),
        data: data.toString("base64"),
      };
    },

    async decrypt(envelope) {
      const { v, alg, kdf } = envelope;
      if (v !== 1 || alg !== "aes-256-gcm" || kdf !== "scrypt") return { ok: false, reason: "unsupported_format" };
      const salt = decodeField(envelope["salt"], SALT_BYTES);
      const iv = decodeField(envelope["iv"], IV_BYTES);
      const tag = decodeField(envelope["tag"], TAG_BYTES);
      const data = decodeField(envelope["data"]);
      if (!salt || !iv || !tag || !data) return { ok: false, reason: "wrong_key_or_tampered" };
      try {
        const decipher = createDecipheriv("aes-256-gcm", await deriveKey(salt), iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(AAD);
        decipher.setAuthTag(tag);
        const plaintext = Buffer.concat([decipher.update(data), decipher.final()]).toString("utf8");
        lastSalt = salt;
        return { ok: true, plaintext };
      } catch {
        // GCM cannot tell a wrong key from a modified file: both fail the tag check.
        return { ok: false, reason: "wrong_key_or_tampered" };
      }
    },
  };
}

function decodeField(value: unknown, expectedBytes?: number): Buffer | null {
  if (typeof value !== "string" || !BASE64.test(value)) return null;
  const bytes = Buffer.from(value, "base64");
  if (expectedBytes !== undefined && bytes.length !== expectedBytes) return null;
  return bytes;
}
