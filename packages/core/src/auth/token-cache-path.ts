// Refuses a token cache path that another account could redirect or swap: a symlink or anything
// but a regular file at the path, or a folder that group or others can write to. The cache is
// never read, written or chmod'ed through a link.
import { constants, type Stats } from "node:fs";
import { lstat, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError } from "../errors.js";

// Windows has neither POSIX modes nor O_NOFOLLOW; the lstat check still applies there.
const POSIX = process.platform !== "win32";

/**
 * Open flags of a cache read: a link swapped in after the check fails to open (ELOOP) instead of
 * being followed, and a FIFO swapped in does not block the open.
 */
export const READ_FLAGS: number | string = POSIX ? constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK : "r";

/** What an entry that is not a regular file is, for the error message. */
export function describeEntry(entry: Stats): string {
  if (entry.isSymbolicLink()) return "a symbolic link";
  if (entry.isDirectory()) return "a directory";
  if (entry.isFIFO()) return "a named pipe (FIFO)";
  if (entry.isSocket()) return "a socket";
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return "a device";
  return "not a regular file";
}

/** The path holds something other than a regular file: a misconfiguration, not a login problem. */
export function unsafeEntryError(file: string, found: string): ConfigError {
  return new ConfigError([
    {
      path: "createFileTokenCache.path",
      message:
        `${file} is ${found}; the token cache must be a regular file and is never followed through a link. ` +
        "Remove it, or point the path (PARTNER_CENTER_TOKEN_CACHE_PATH) at a file in a folder only you can write to.",
    },
  ]);
}

function unsafeFolderError(dir: string, mode: number): ConfigError {
  const who = mode & 0o002 ? "other users" : "its group";
  return new ConfigError([
    {
      path: "createFileTokenCache.path",
      message:
        `the token cache folder ${dir} is writable by ${who} (mode ${(mode & 0o7777).toString(8).padStart(4, "0")}), ` +
        `so they could replace the cache file. Run \`chmod go-w ${dir}\`, or choose a folder only you can write to.`,
    },
  ]);
}

// Any other failure (EACCES, ENOTDIR) is left to the open or write that follows, which reports it.
const statOrNull = (read: typeof stat, path: string): Promise<Stats | null> => read(path).catch(() => null);

/**
 * Throws `ConfigError` when the cache folder is group- or other-writable, or when the path holds
 * anything but a regular file (checked with `lstat`, so a link is refused, never followed). A
 * missing folder or file passes: the cache creates the folder 0700 and the file 0600.
 */
export async function assertSafeCachePath(file: string): Promise<void> {
  const dir = dirname(file);
  const folder = await statOrNull(stat, dir);
  if (POSIX && folder?.isDirectory() && (folder.mode & 0o022) !== 0) throw unsafeFolderError(dir, folder.mode);
  const entry = await statOrNull(lstat, file);
  if (entry !== null && !entry.isFile()) throw unsafeEntryError(file, describeEntry(entry));
}
