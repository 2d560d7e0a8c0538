// Item 3 in one process: the PGlite folder lock file, its stale detection and its release.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { PcReferralsError, type StoreLockedError } from "@pc-referrals/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dataDirLockPath, lockDataDir } from "../src/data-dir-lock.js";
import { createPgStore } from "../src/index.js";

describe("item 3: the embedded store takes an exclusive lock on its dataDir", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "pcr-dirlock-"));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const refusal = async (promise: Promise<unknown>): Promise<StoreLockedError> => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(PcReferralsError.hasCode(error, "store_locked"), `expected store_locked, got ${String(error)}`).toBe(true);
    return error as StoreLockedError;
  };
  const writeLock = (holder: { pid: number; host: string }) =>
    writeFile(dataDirLockPath(dataDir), JSON.stringify({ ...holder, since: "2026-01-01T00:00:00.000Z", token: "t" }));

  it("refuses a second store on the same folder with store_locked naming this process, until the first closes", async () => {
    const first = createPgStore({ dataDir, autoMigrate: true });
    const second = createPgStore({ dataDir, autoMigrate: true });
    try {
      await first.getSyncStatus("default");
      const error = await refusal(second.getSyncStatus("default"));
      expect(error.holder).toMatchObject({ pid: process.pid, host: hostname() });
      expect(error.message).toMatch(/PostgreSQL server \(connectionString \/ DATABASE_URL\)/);
      expect(JSON.parse(await readFile(dataDirLockPath(dataDir), "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });

      await first.close();
      expect(existsSync(dataDirLockPath(dataDir))).toBe(false);
      expect((await second.getSyncStatus("default")).running).toBeNull();
    } finally {
      await first.close();
      await second.close();
    }
  }, 90_000); // two PGlite starts

  it("clears a lock left by a process of this host that is gone", async () => {
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
    await writeLock({ pid: gone, host: hostname() });
    const lock = await lockDataDir(dataDir);
    expect(JSON.parse(await readFile(lock.path, "utf8"))).toMatchObject({ pid: process.pid });
    await lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it("keeps a lock held by a live process, or by any process of another host", async () => {
    const parent = process.ppid;
    await writeLock({ pid: parent, host: hostname() });
    expect((await refusal(lockDataDir(dataDir))).holder).toMatchObject({ pid: parent, host: hostname() });
    await writeLock({ pid: 999_999_999, host: "some-other-host" });
    const error = await refusal(lockDataDir(dataDir));
    expect(error.holder).toEqual({ pid: 999_999_999, host: "some-other-host", since: "2026-01-01T00:00:00.000Z" });
    expect(error.message).toContain("some-other-host");
  });
});
