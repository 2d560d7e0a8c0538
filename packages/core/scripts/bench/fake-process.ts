// The fake Partner Center (fake-server.ts) as a child process: start it, ask for its request count
// and CPU time, stop it. Used by paging.ts and by the root bench (bench/run.ts).
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FakeServerMessage, FakeServerRequest } from "./fake-server.js";

/** A fake Partner Center running in a child process. */
export interface FakeProcess {
  url: string;
  /** A bearer token the fake accepts for six hours. */
  token: string;
  /** The fake Entra ID's app, for a real login against it (the CLI's `login`). */
  clientId: string;
  tenantId: string;
  /** API requests the fake has received so far, and the CPU time it has spent. */
  stats(): Promise<{ requests: number; cpuMs: number }>;
  stop(): Promise<void>;
}

/** Starts fake-server.ts serving `generateReferrals(count, { seed })`, waiting `latencyMs` before every API response. */
export async function startFakeProcess(count: number, seed: number, options: { latencyMs?: number } = {}): Promise<FakeProcess> {
  const file = fileURLToPath(new URL("./fake-server.ts", import.meta.url));
  // tsx runs the fake from source whatever loader the parent has; `--expose-gc` and profiles are the parent's business.
  const child = fork(file, [String(count), String(seed), String(options.latencyMs ?? 0)], {
    execArgv: ["--import", import.meta.resolve("tsx")],
  });
  const exited = new Promise<never>((_, reject) => child.on("exit", (code) => reject(new Error(`fake server exited (${code})`))));
  exited.catch(() => {});
  const next = <T extends FakeServerMessage["type"]>(type: T) =>
    Promise.race([
      new Promise<Extract<FakeServerMessage, { type: T }>>((resolve) => {
        const listener = (message: FakeServerMessage) => {
          if (message.type !== type) return;
          child.off("message", listener);
          resolve(message as Extract<FakeServerMessage, { type: T }>);
        };
        child.on("message", listener);
      }),
      exited,
    ]);
  const ask = (request: FakeServerRequest) => child.send(request);
  const ready = await next("ready");
  return {
    url: ready.url,
    token: ready.token,
    clientId: ready.clientId,
    tenantId: ready.tenantId,
    async stats() {
      const answer = next("stats");
      ask({ type: "stats" });
      const { requests, cpuMs } = await answer;
      return { requests, cpuMs };
    },
    async stop() {
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      ask({ type: "stop" });
      await gone;
    },
  };
}
