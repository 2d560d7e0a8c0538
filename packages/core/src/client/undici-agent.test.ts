import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Agent as PackageAgent } from "undici";
import { describe, expect, it } from "vitest";
import { Agent } from "./undici-agent.js";

describe("undici-agent", () => {
  it("is the Agent class undici exports", () => {
    expect(Agent).toBe(PackageAgent);
  });

  it("requests over loopback in a process that never loads undici's index (the client's start-up path)", () => {
    const module = fileURLToPath(new URL("./undici-agent.ts", import.meta.url));
    const script = `
      import { createServer } from "node:http";
      import { createRequire } from "node:module";
      const { Agent } = await import(${JSON.stringify(module)});
      const server = createServer((req, res) => res.end("pong " + req.url)).listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      const agent = new Agent({ keepAliveTimeout: 1000 });
      const response = await agent.request({ origin: "http://127.0.0.1:" + server.address().port, path: "/ping", method: "GET" });
      const text = await response.body.text();
      await agent.close();
      server.close();
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => /undici[\\\\/]index\\.js$/.test(f));
      console.log(JSON.stringify({ status: response.statusCode, text, loaded }));
    `;
    const child = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), "--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual({ status: 200, text: "pong /ping", loaded: [] });
  });
});
