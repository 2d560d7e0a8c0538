// The README's mounting snippet, run as written: imported as a module, its app answering requests.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness } from "./route-harness.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const readme = readFileSync(join(packageDir, "README.md"), "utf8");
const blocks = (lang: string) => [...readme.matchAll(new RegExp(`^\`\`\`${lang}\\r?\\n([\\s\\S]*?)^\`\`\`[ \\t]*$`, "gm"))].map((m) => m[1] ?? "");
const nonBlank = (text: string) => text.split("\n").filter((line) => line.trim() !== "");

const snippet = blocks("ts")[0] ?? "";
let app: Hono;
// A dot file inside the package, so `@pc-referrals/*` resolve by name and no glob picks it up.
const file = join(packageDir, `.readme-mount-${randomBytes(6).toString("hex")}.mts`);

beforeAll(async () => {
  process.env.API_TOKEN = "readme-token";
  process.env.PC_ACCESS_TOKEN = "partner-center-token";
  await writeFile(file, snippet, "utf8");
  app = ((await import(pathToFileURL(file).href)) as { default: Hono }).default;
});
afterAll(() => rm(file, { force: true }));

describe("README", () => {
  it("mounts behind the host's own auth in at most 15 lines, importing only published entry points", () => {
    expect(nonBlank(snippet).length).toBeLessThanOrEqual(15);
    const sources = new Set([...snippet.matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1]));
    expect(sources).toEqual(new Set(["@pc-referrals/core", "@pc-referrals/hono-adapter", "hono"]));
  });

  it("the snippet's app refuses a caller its middleware did not sign in, and serves one it did", async () => {
    const anonymous = await app.request("/api/referrals/sync/status");
    expect(anonymous.status).toBe(401);
    const wrong = await app.request("/api/referrals/inbox", { headers: { authorization: "Bearer guess" } });
    expect(wrong.status).toBe(401);
    const headers = { authorization: "Bearer readme-token" };
    const status = await app.request("/api/referrals/sync/status", { headers });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ enabled: true, running: null, lastRun: null });
    expect((await app.request("/api/referrals/inbox", { headers })).status).toBe(200);
    const page = await app.request("/api/referrals/ui", { headers });
    expect(page.headers.get("content-type")).toContain("text/html");
  });

  it("has a badge snippet of 5 lines that loads badge.js and uses the element", () => {
    const html = blocks("html")[0] ?? "";
    expect(nonBlank(html)).toHaveLength(5);
    expect(html).toContain('src="/api/referrals/ui/badge.js"');
    expect(html).toContain('<pc-referral-badge domain="contoso.com">');
  });

  it("lists every route of the OpenAPI document in its route table, and links the screenshot", async () => {
    const h = await startHarness({ routes: { metrics: true } });
    try {
      const doc = (await (await h.request("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
      const table = readme.slice(readme.indexOf("## Routes"), readme.indexOf("## The event stream"));
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const method of Object.keys(ops)) {
          expect(table, `${method} ${path}`).toContain(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`);
        }
      }
    } finally {
      await h.stop();
    }
    expect(readme).toContain("(test/screenshots/inbox.png)");
  });
});
