// MSAL cache plugin persisting the token cache to one file: atomic replace, owner-only modes,
// optional AES-256-GCM. An unreadable file stops silent sign-in instead of being clobbered.
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { z } from "zod";
import type { TokenCacheContext } from "@azure/msal-node";
import { loggerOption, parseOptions } from "../_options.js";
import { AuthRequiredError, type ConfigError, StoreError } from "../errors.js";
import { createMaskingLogger, silentLogger, type Logger } from "../logger.js";
import type { TokenCachePlugin } from "./msal-token-provider.js";
import { createCacheCipher, looksEncrypted, type CacheCipher } from "./token-cache-crypto.js";
import { assertSafeCachePath, describeEntry, READ_FLAGS, unsafeEntryError } from "./token-cache-path.js";

/** Options of {@link createFileTokenCache}. */
export interface FileTokenCacheOptions {
  /**
   * Encrypts the file with AES-256-GCM under a key derived (scrypt, random salt) from this secret,
   * at least 16 characters (`PARTNER_CENTER_TOKEN_CACHE_KEY`). Without it the file is plain MSAL JSON.
   */
  encryptionKey?: string | undefined;
  /** Receives warnings (a replaced unreadable file, tightened permissions). Never receives tokens. */
  logger?: Logger | undefined;
}

/** An MSAL cache plugin backed by one file, plus what the MSAL provider needs to manage it. */
export interface FileTokenCache extends TokenCachePlugin {
  /** Absolute path of the cache file. */
  readonly path: string;
  /** Whether contents are encrypted at rest. */
  readonly encrypted: boolean;
  /**
   * Marks a fresh login as under way until the returned function is called: while it is, an
   * unreadable file reads as empty and the login's tokens may replace it (with a warning).
   * Outside a login an unreadable file throws `AuthRequiredError` and is never written over.
   */
  beginLogin(): () => void;
  /** Deletes the cache file, e.g. to sign out when the file can no longer be read. A missing file is fine. */
  clear(): Promise<void>;
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
const LOGIN_HINT = "Run `pc-referrals login` to sign in again; the new login replaces the unreadable file.";

const optionsSchema = z.strictObject({
  path: z.string().min(1, "expected a file path"),
  encryptionKey: z.string().min(16, "expected a key of at least 16 characters").optional(),
  logger: loggerOption.optional(),
});

type ReadResult =
  | { kind: "missing" }
  | { kind: "ok"; plaintext: string; wasPlain: boolean }
  | { kind: "unreadable"; reason: UnreadableReason }
  | { kind: "unsafe"; error: ConfigError };

type UnreadableReason =
  | "corrupt"
  | "wrong_key_or_tampered"
  | "encrypted_without_key"
  | "unsupported_format"
  | `read_failed_${string}`;

/**
 * Creates an MSAL cache plugin that keeps the token cache in the file at `path`.
 *
 * Writes go to a temporary file in the same folder (mode 0600, fsynced) that is then renamed
 * over the target, so a crash never leaves half a file; the folder is created with mode 0700.
 * A missing file is an empty cache. A corrupt or undecryptable file makes every access throw
 * `AuthRequiredError` until a device-code login replaces it. A symlink or any other non-regular
 * file at `path`, or a folder that group or others can write to, makes every access throw
 * `ConfigError`: the cache is never followed, read or chmod'ed through a link.
 *
 * @example
 * const cache = createFileTokenCache("./.pc-referrals/token-cache.json", { encryptionKey: process.env.KEY });
 * const provider = createMsalTokenProvider({ clientId, tenantId, cache });
 */
export function createFileTokenCache(path: string, options: FileTokenCacheOptions = {}): FileTokenCache {
  const parsed = parseOptions(optionsSchema, { path, ...options }, "createFileTokenCache");
  const file = resolve(parsed.path);
  const logger = parsed.logger ? createMaskingLogger(parsed.logger) : silentLogger;
  const cipher: CacheCipher | null = parsed.encryptionKey ? createCacheCipher(parsed.encryptionKey) : null;
  let activeLogins = 0;
  let unreadable: UnreadableReason | null = null;
  let rewritePlain = false;

  async function read(): Promise<ReadResult> {
    await assertSafeCachePath(file);
    let handle: FileHandle;
    try {
      handle = await open(file, READ_FLAGS);
    } catch (error) {
      const code = errnoCode(error);
      // ELOOP: a link was swapped in after the check, and O_NOFOLLOW refused it.
      if (code === "ELOOP") return { kind: "unsafe", error: unsafeEntryError(file, "a symbolic link") };
      return code === "ENOENT" ? { kind: "missing" } : { kind: "unreadable", reason: `read_failed_${code}` };
    }
    let raw: string;
    try {
      const info = await handle.stat();
      if (!info.isFile()) return { kind: "unsafe", error: unsafeEntryError(file, describeEntry(info)) };
      await tightenMode(handle, info.mode).catch((error: unknown) => {
        const code = errnoCode(error);
        logger.warn({ path: file, code }, "token cache file is readable by others and its mode cannot be changed");
      });
      raw = await handle.readFile("utf8");
    } catch (error) {
      return { kind: "unreadable", reason: `read_failed_${errnoCode(error)}` };
    } finally {
      await handle.close().catch(() => undefined);
    }
    if (raw.trim() === "") return { kind: "missing" };
    const outer = parseObject(raw);
    if (!outer) return { kind: "unreadable", reason: "corrupt" };
    if (!looksEncrypted(outer)) return { kind: "ok", plaintext: raw, wasPlain: true };
    if (!cipher) return { kind: "unreadable", reason: "encrypted_without_key" };
    const opened = await cipher.decrypt(outer);
    if (!opened.ok) return { kind: "unreadable", reason: opened.reason };
    if (!parseObject(opened.plaintext)) return { kind: "unreadable", reason: "corrupt" };
    return { kind: "ok", plaintext: opened.plaintext, wasPlain: false };
  }

  async function tightenMode(handle: FileHandle, mode: number): Promise<void> {
    if (process.platform === "win32") return;
    if ((mode & 0o077) === 0) return;
    await handle.chmod(FILE_MODE);
    const previousMode = (mode & 0o777).toString(8);
    logger.warn({ path: file, previousMode }, "token cache file was readable by others; mode set to 0600");
  }

  async function write(plaintext: string): Promise<void> {
    const content = cipher ? JSON.stringify(await cipher.encrypt(plaintext)) : plaintext;
    const dir = dirname(file);
    const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    let handle: FileHandle | undefined;
    try {
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
    } catch (error) {
      throw writeFailed(file, error);
    }
    // After mkdir, so an existing folder's mode counts. rename would replace a link, not follow it; it is refused anyway.
    await assertSafeCachePath(file);
    try {
      handle = await open(temp, "wx", FILE_MODE);
      await handle.chmod(FILE_MODE); // the umask may have narrowed it; make it exactly 0600
      await handle.writeFile(content, "utf8");
      await handle.sync();
      await handle.close();
      handle = undefined;
      await rename(temp, file);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await rm(temp, { force: true }).catch(() => undefined);
      throw writeFailed(file, error);
    }
    await syncDirectory(dir);
  }

  return {
    path: file,
    encrypted: cipher !== null,

    beginLogin() {
      activeLogins += 1;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        activeLogins -= 1;
      };
    },

    async clear() {
      try {
        await rm(file, { force: true });
      } catch (error) {
        throw new StoreError(`Could not delete the token cache file ${file} (${errnoCode(error)}).`, { cause: error });
      }
      unreadable = null;
      rewritePlain = false;
    },

    async beforeCacheAccess(context: TokenCacheContext) {
      const result = await read();
      // A misplaced cache is refused even during a login: its tokens must not land there.
      if (result.kind === "unsafe") throw result.error;
      if (result.kind === "unreadable") {
        unreadable = result.reason;
        if (activeLogins === 0) throw unreadableError(file, result.reason);
        context.tokenCache.deserialize("{}");
        return;
      }
      unreadable = null;
      if (result.kind === "missing") {
        // Mirrors the file: a cache deleted by another process (logout) must not live on in memory.
        context.tokenCache.deserialize("{}");
        return;
      }
      try {
        context.tokenCache.deserialize(result.plaintext);
      } catch {
        unreadable = "corrupt";
        if (activeLogins === 0) throw unreadableError(file, "corrupt");
        context.tokenCache.deserialize("{}");
        return;
      }
      if (cipher && result.wasPlain && !rewritePlain) {
        rewritePlain = true;
        logger.warn({ path: file }, "token cache file is not encrypted; it will be encrypted on the next write");
      }
    },

    async afterCacheAccess(context: TokenCacheContext) {
      if (unreadable !== null && activeLogins === 0) return;
      if (!context.cacheHasChanged && !rewritePlain) return;
      await write(context.tokenCache.serialize());
      rewritePlain = false;
      if (unreadable !== null) {
        logger.warn({ path: file, reason: unreadable }, "replaced an unreadable token cache file with the new login");
        unreadable = null;
      }
    },
  };
}

function unreadableError(file: string, reason: UnreadableReason): AuthRequiredError {
  switch (reason) {
    case "corrupt":
      return new AuthRequiredError(`The token cache file ${file} is corrupt.`, { hint: LOGIN_HINT });
    case "wrong_key_or_tampered":
      return new AuthRequiredError(
        `The token cache file ${file} cannot be decrypted: the encryption key is wrong or the file was modified.`,
        { hint: `Check PARTNER_CENTER_TOKEN_CACHE_KEY, or ${lowerFirst(LOGIN_HINT)}` },
      );
    case "encrypted_without_key":
      return new AuthRequiredError(`The token cache file ${file} is encrypted, but no encryption key was given.`, {
        hint: `Set PARTNER_CENTER_TOKEN_CACHE_KEY to the key it was written with, or ${lowerFirst(LOGIN_HINT)}`,
      });
    case "unsupported_format":
      return new AuthRequiredError(`The token cache file ${file} has an unsupported format.`, { hint: LOGIN_HINT });
    default:
      return new AuthRequiredError(`The token cache file ${file} cannot be read (${reason.slice("read_failed_".length)}).`, {
        hint: `Check the file's owner and permissions, or ${lowerFirst(LOGIN_HINT)}`,
      });
  }
}

function writeFailed(file: string, error: unknown): StoreError {
  return new StoreError(`Could not write the token cache file ${file} (${errnoCode(error)}).`, { cause: error });
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// Durability of the rename itself; not every platform can fsync a directory, hence best effort.
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function errnoCode(error: unknown): string {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : "unknown";
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
