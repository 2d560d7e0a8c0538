import { execFileSync } from "node:child_process";
import { chmod, lstat, mkdir, mkdtemp, open, readFile, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TokenCacheContext } from "@azure/msal-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PcReferralsError } from "../errors.js";
import type { Logger } from "../logger.js";
import { createFileTokenCache } from "./file-token-cache.js";

const KEY = "correct horse battery staple";
const CACHE = JSON.stringify({
  Account: { "uid.utid-login.fake.test-utid": { username: "someone@contoso.com" } },
  AccessToken: { at: { secret: "AT-SECRET-1" } },
  RefreshToken: { rt: { secret: "RT-SECRET-1" } },
  IdToken: {},
  AppMetadata: {},
});

/** A stand-in for msal's serializable cache: records what the plugin hands it. */
function fakeContext(serialized: string, changed: boolean) {
  const loaded: string[] = [];
  const tokenCache = {
    serialize: () => serialized,
    deserialize: (text: string) => void loaded.push(text),
  };
  const context = { hasChanged: changed, cache: tokenCache, cacheHasChanged: changed, tokenCache } as TokenCacheContext;
  return { context, loaded };
}

function recordingLogger() {
  const lines: { level: string; obj: object; msg: string | undefined }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pcr-cache-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function save(cache: ReturnType<typeof createFileTokenCache>, content = CACHE) {
  const { context } = fakeContext(content, true);
  await cache.beforeCacheAccess(context);
  await cache.afterCacheAccess(context);
}

async function load(cache: ReturnType<typeof createFileTokenCache>): Promise<string[]> {
  const { context, loaded } = fakeContext("unused", false);
  await cache.beforeCacheAccess(context);
  await cache.afterCacheAccess(context);
  return loaded;
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe("createFileTokenCache", () => {
  it("creates the folder 0700 and the file 0600, and a new instance reads the same cache back", async () => {
    const path = join(dir, "nested", "deeper", "token-cache.json");
    await save(createFileTokenCache(path));
    expect(await mode(join(dir, "nested", "deeper"))).toBe(0o700);
    expect(await mode(path)).toBe(0o600);
    expect(await load(createFileTokenCache(path))).toEqual([CACHE]);
  });

  it("writes nothing when msal reports no change", async () => {
    const path = join(dir, "token-cache.json");
    await load(createFileTokenCache(path));
    await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it.each([
    ["missing", null],
    ["empty", ""],
    ["whitespace only", " \n"],
  ])("treats a %s file as an empty cache", async (_name, content) => {
    const path = join(dir, "token-cache.json");
    if (content !== null) await writeFile(path, content, { mode: 0o600 });
    expect(await load(createFileTokenCache(path))).toEqual(["{}"]);
  });

  it("replaces the file by rename: a reader of the old file sees it whole, and no temp file is left", async () => {
    const path = join(dir, "token-cache.json");
    const cache = createFileTokenCache(path);
    await save(cache, '{"generation":1}');
    const before = await stat(path);
    const oldReader = await open(path, "r");
    try {
      await save(cache, '{"generation":2}');
      expect((await stat(path)).ino).not.toBe(before.ino);
      expect(await oldReader.readFile("utf8")).toBe('{"generation":1}');
    } finally {
      await oldReader.close();
    }
    expect(await readFile(path, "utf8")).toBe('{"generation":2}');
    expect(await readdir(dir)).toEqual(["token-cache.json"]);
  });

  it("keeps every write whole when several happen at once", async () => {
    const path = join(dir, "token-cache.json");
    const cache = createFileTokenCache(path);
    const contents = Array.from({ length: 8 }, (_, i) => JSON.stringify({ generation: i, pad: "x".repeat(50_000) }));
    await Promise.all(contents.map((c) => save(cache, c)));
    expect(contents).toContain(await readFile(path, "utf8"));
    expect(await readdir(dir)).toEqual(["token-cache.json"]);
  });

  it.each([
    ["read", false],
    ["written", true],
  ])("tightens a pre-existing 0644 file to 0600 when it is %s", async (_name, write) => {
    const path = join(dir, "token-cache.json");
    await writeFile(path, CACHE);
    await chmod(path, 0o644);
    const { logger, lines } = recordingLogger();
    const cache = createFileTokenCache(path, { logger });
    if (write) await save(cache);
    else await load(cache);
    expect(await mode(path)).toBe(0o600);
    if (!write) expect(lines.some((l) => l.level === "warn" && l.msg?.includes("0600"))).toBe(true);
  });

  it("turns a write failure into a StoreError and leaves no temp file", async () => {
    await writeFile(join(dir, "not-a-folder"), "x");
    const cache = createFileTokenCache(join(dir, "not-a-folder", "token-cache.json"));
    const error = await cache.afterCacheAccess(fakeContext(CACHE, true).context).catch((e: unknown) => e);
    expect(PcReferralsError.hasCode(error, "store_error")).toBe(true);
    expect(await readdir(dir)).toEqual(["not-a-folder"]);
  });

  describe("encryption", () => {
    it("round-trips through AES-256-GCM without any plaintext on disk", async () => {
      const path = join(dir, "token-cache.json");
      const cache = createFileTokenCache(path, { encryptionKey: KEY });
      expect(cache.encrypted).toBe(true);
      await save(cache);
      const raw = await readFile(path, "utf8");
      for (const secret of ["AT-SECRET-1", "RT-SECRET-1", "someone@contoso.com", "AccessToken"]) expect(raw).not.toContain(secret);
      expect(JSON.parse(raw)).toMatchObject({ v: 1, alg: "aes-256-gcm", kdf: "scrypt" });
      expect(await load(createFileTokenCache(path, { encryptionKey: KEY }))).toEqual([CACHE]);
    });

    it("uses a fresh IV for every write", async () => {
      const path = join(dir, "token-cache.json");
      const cache = createFileTokenCache(path, { encryptionKey: KEY });
      await save(cache);
      const first = JSON.parse(await readFile(path, "utf8")) as { iv: string; data: string };
      await save(cache);
      const second = JSON.parse(await readFile(path, "utf8")) as { iv: string; data: string };
      expect(second.iv).not.toBe(first.iv);
      expect(second.data).not.toBe(first.data);
    });

    it("encrypts a plain file at the next access once a key is configured, with a warning", async () => {
      const path = join(dir, "token-cache.json");
      await save(createFileTokenCache(path));
      const { logger, lines } = recordingLogger();
      const keyed = createFileTokenCache(path, { encryptionKey: KEY, logger });
      expect(await load(keyed)).toEqual([CACHE]);
      expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ alg: "aes-256-gcm" });
      expect(lines.filter((l) => l.level === "warn")).toHaveLength(1);
    });
  });

  describe("unreadable files", () => {
    const tamper = (field: "data" | "tag" | "iv" | "salt") => (raw: string) => {
      const envelope = JSON.parse(raw) as Record<string, string>;
      const bytes = Buffer.from(envelope[field] ?? "", "base64");
      bytes[0] = (bytes[0] ?? 0) ^ 0x01;
      return JSON.stringify({ ...envelope, [field]: bytes.toString("base64") });
    };
    const cases: [string, { writeKey?: string; readKey?: string; mutate?: (raw: string) => string }, RegExp][] = [
      ["not JSON", { mutate: () => '{"Account": {' }, /corrupt/],
      ["a JSON array", { mutate: () => "[]" }, /corrupt/],
      ["a truncated envelope", { writeKey: KEY, readKey: KEY, mutate: (raw) => raw.slice(0, raw.length / 2) }, /corrupt/],
      ["decrypted with the wrong key", { writeKey: KEY, readKey: "another key of enough length" }, /cannot be decrypted/],
      ["encrypted but read without a key", { writeKey: KEY }, /no encryption key/],
      ["tampered ciphertext", { writeKey: KEY, readKey: KEY, mutate: tamper("data") }, /cannot be decrypted/],
      ["a tampered tag", { writeKey: KEY, readKey: KEY, mutate: tamper("tag") }, /cannot be decrypted/],
      ["a tampered IV", { writeKey: KEY, readKey: KEY, mutate: tamper("iv") }, /cannot be decrypted/],
      ["a tampered salt", { writeKey: KEY, readKey: KEY, mutate: tamper("salt") }, /cannot be decrypted/],
      ["an unknown envelope version", { writeKey: KEY, readKey: KEY, mutate: (raw) => JSON.stringify({ ...JSON.parse(raw), v: 2 }) }, /unsupported format/],
    ];

    async function prepare(setup: (typeof cases)[number][1]): Promise<{ path: string; onDisk: string }> {
      const path = join(dir, "token-cache.json");
      await save(createFileTokenCache(path, setup.writeKey ? { encryptionKey: setup.writeKey } : {}));
      const raw = await readFile(path, "utf8");
      const onDisk = setup.mutate ? setup.mutate(raw) : raw;
      await writeFile(path, onDisk);
      return { path, onDisk };
    }

    it.each(cases)("%s: throws AuthRequiredError and never overwrites the file", async (_name, setup, message) => {
      const { path, onDisk } = await prepare(setup);
      const cache = createFileTokenCache(path, setup.readKey ? { encryptionKey: setup.readKey } : {});
      const { context, loaded } = fakeContext('{"fresh":true}', true);
      const error = await cache.beforeCacheAccess(context).catch((e: unknown) => e);
      await cache.afterCacheAccess(context);
      expect(PcReferralsError.hasCode(error, "auth_required")).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as { hint: string }).hint).toMatch(/login/);
      expect(loaded).toEqual([]);
      expect(await readFile(path, "utf8")).toBe(onDisk);
      for (const secret of ["AT-SECRET-1", "RT-SECRET-1", KEY]) expect(JSON.stringify([error, (error as Error).message])).not.toContain(secret);
    });

    it.each(cases)("%s: a fresh login replaces the file, with a warning", async (_name, setup) => {
      const { path } = await prepare(setup);
      const { logger, lines } = recordingLogger();
      const cache = createFileTokenCache(path, setup.readKey ? { encryptionKey: setup.readKey, logger } : { logger });
      const endLogin = cache.beginLogin();
      const { context, loaded } = fakeContext('{"fresh":true}', true);
      await cache.beforeCacheAccess(context);
      await cache.afterCacheAccess(context);
      endLogin();
      expect(loaded).toEqual(["{}"]);
      expect(lines.some((l) => l.level === "warn" && l.msg?.includes("replaced an unreadable"))).toBe(true);
      expect(await load(createFileTokenCache(path, setup.readKey ? { encryptionKey: setup.readKey } : {}))).toEqual(['{"fresh":true}']);
    });

    it("can be cleared, after which it reads as an empty cache", async () => {
      const { path } = await prepare({ mutate: () => "garbage" });
      const cache = createFileTokenCache(path);
      await expect(load(cache)).rejects.toMatchObject({ code: "auth_required" });
      await cache.clear();
      await cache.clear();
      expect(await load(cache)).toEqual(["{}"]);
    });

    it("goes back to refusing once the login has ended without writing", async () => {
      const { path } = await prepare({ mutate: () => "garbage" });
      const cache = createFileTokenCache(path);
      cache.beginLogin()();
      await expect(load(cache)).rejects.toMatchObject({ code: "auth_required" });
    });
  });

  it.each([
    ["an empty path", "", {}, "createFileTokenCache.path"],
    ["a short key", "cache.json", { encryptionKey: "short-secret" }, "createFileTokenCache.encryptionKey"],
  ])("rejects %s with a ConfigError that does not echo the value", (_name, path, options, issuePath) => {
    let error: unknown;
    try {
      createFileTokenCache(path, options);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "config_invalid", issues: [expect.objectContaining({ path: issuePath })] });
    expect((error as Error).message).not.toContain("short-secret");
  });

  describe("item 12: the cache path is never followed through a link, nor kept in a folder others can write", () => {
    const refusal = (found: RegExp) => ({ code: "config_invalid", issues: [{ path: "createFileTokenCache.path", message: expect.stringMatching(found) }] });
    // Writes also read first (msal calls before, then after); both must refuse on their own.
    const write = (path: string) => createFileTokenCache(path).afterCacheAccess(fakeContext(CACHE, true).context);

    it.each([
      ["a symlink to a file", "file"],
      ["a symlink to a directory", "dir"],
    ])("refuses %s, and neither reads, chmods nor replaces the target", async (_name, kind) => {
      const target = join(dir, "elsewhere");
      if (kind === "file") await writeFile(target, CACHE);
      else await mkdir(target);
      await chmod(target, 0o644);
      const path = join(dir, "token-cache.json");
      await symlink(target, path);
      await expect(load(createFileTokenCache(path))).rejects.toMatchObject(refusal(/is a symbolic link/));
      await expect(write(path)).rejects.toMatchObject(refusal(/is a symbolic link/));
      expect(await mode(target)).toBe(0o644);
      expect((await lstat(path)).isSymbolicLink()).toBe(true);
      if (kind === "file") expect(await readFile(target, "utf8")).toBe(CACHE);
    });

    it("refuses a directory at the path instead of chmod'ing it to 0600", async () => {
      const path = join(dir, "token-cache.json");
      await mkdir(path);
      await chmod(path, 0o755);
      await expect(load(createFileTokenCache(path))).rejects.toMatchObject(refusal(/is a directory/));
      await expect(write(path)).rejects.toMatchObject(refusal(/is a directory/));
      expect(await mode(path)).toBe(0o755);
    });

    it("refuses a named pipe at the path without blocking on it", async () => {
      const path = join(dir, "token-cache.json");
      execFileSync("mkfifo", ["-m", "600", path]);
      await expect(load(createFileTokenCache(path))).rejects.toMatchObject(refusal(/is a named pipe/));
    });

    it.each([
      ["0777", 0o777, /writable by other users \(mode 0777\)/],
      ["0770", 0o770, /writable by its group \(mode 0770\)/],
    ])("refuses a folder of mode %s and leaves its mode alone", async (_name, folderMode, found) => {
      const folder = join(dir, "shared");
      await mkdir(folder);
      await chmod(folder, folderMode);
      const path = join(folder, "token-cache.json");
      await expect(write(path)).rejects.toMatchObject(refusal(found));
      await writeFile(path, CACHE, { mode: 0o600 });
      await expect(load(createFileTokenCache(path))).rejects.toMatchObject(refusal(found));
      expect(await mode(folder)).toBe(folderMode);
      expect(await readdir(folder)).toEqual(["token-cache.json"]);
    });
  });
});
