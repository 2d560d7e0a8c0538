// The exclusive lock of an embedded database folder. PGlite is single-process: two processes on one
// folder each write their own copy of the pages and silently drop the other's commits. So opening a
// folder takes `<dataDir>/.pc-referrals.lock` (PGlite ignores it, and it moves with the folder),
// created with O_EXCL semantics and holding {pid, host, since, token}.
import { randomUUID } from "node:crypto";
import { link, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { readFileSync, unlinkSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { StoreLockedError, type StoreLockHolder } from "@pc-referrals/core";

/** A held folder lock; `release()` is idempotent. */
export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

interface LockFile extends StoreLockHolder {
  token: string;
}

/** Tokens of the locks this process holds: a lock file with our own pid but another token is stale (pid reuse, e.g. pid 1 in containers). */
const heldHere = new Set<string>();

/** Where the lock of `dataDir` lives. */
export function dataDirLockPath(dataDir: string): string {
  return join(resolve(dataDir), ".pc-referrals.lock");
}

function parse(text: string): LockFile | null {
  try {
    const value = JSON.parse(text) as Partial<LockFile>;
    if (typeof value.pid !== "number" || typeof value.host !== "string" || typeof value.since !== "string") return null;
    return { pid: value.pid, host: value.host, since: value.since, token: typeof value.token === "string" ? value.token : "" };
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** True when the holder is certainly gone: same host, and its pid is dead (or is ours without our token). */
function isStale(holder: LockFile): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return !heldHere.has(holder.token);
  return !pidAlive(holder.pid);
}

const readHolder = async (path: string): Promise<LockFile | null> => parse(await readFile(path, "utf8").catch(() => ""));

/**
 * Takes the lock of `dataDir` or throws `StoreLockedError` naming the holder. A stale lock (its
 * process died on this host) is cleared. Released by `release()`, and best-effort on process exit.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = dataDirLockPath(dataDir);
  const mine: LockFile = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomUUID() };
  // Written in full first, then linked into place: link() fails if the name exists (O_EXCL), and a
  // reader never sees a half-written file.
  const draft = `${path}.${mine.token}.tmp`;
  await writeFile(draft, `${JSON.stringify(mine)}\n`, { mode: 0o644 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(draft, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = await readHolder(path);
      if (holder !== null && (!isStale(holder) || attempt >= 3)) {
        throw new StoreLockedError(resolve(dataDir), { pid: holder.pid, host: holder.host, since: holder.since });
      }
      if (holder === null && attempt >= 3) {
        throw new StoreLockedError(resolve(dataDir), { pid: 0, host: "unknown (unreadable lock file)", since: "unknown" });
      }
      if (holder !== null) await clearStale(path, holder);
    }
  } finally {
    await unlink(draft).catch(() => undefined);
  }

  heldHere.add(mine.token);
  const onExit = (): void => {
    try {
      if (parse(readFileSync(path, "utf8"))?.token === mine.token) unlinkSync(path);
    } catch {
      // Best effort: a lock left behind is stale and cleared by the next opener.
    }
  };
  process.once("exit", onExit);
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      process.removeListener("exit", onExit);
      heldHere.delete(mine.token);
      if ((await readHolder(path))?.token === mine.token) await unlink(path).catch(() => undefined);
    },
  };
}

// Two openers may both find the same stale lock: rename is atomic, so only one moves it away, and
// a lock that turns out not to be the stale one (a racer already replaced it) is put back.
async function clearStale(path: string, stale: LockFile): Promise<void> {
  const aside = `${path}.${randomUUID()}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return;
  }
  const moved = await readHolder(aside);
  if (moved !== null && moved.token !== stale.token) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}
