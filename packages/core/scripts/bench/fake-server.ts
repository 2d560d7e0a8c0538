// The fake Partner Center in a process of its own, so the referrals it holds and the pages it
// serializes stay out of the CPU and memory figures of the process under test (the real API is
// remote too). Started by fake-process.ts with `<count> <seed> <latencyMs>`; answers over IPC.
// The modules themselves, not testing/index.ts, which would also load vitest (the conformance suite).
import { startFakePartnerCenter } from "../../src/testing/fake-partner-center.js";
import { generateReferrals } from "../../src/testing/generate-referrals.js";

export type FakeServerRequest = { type: "stats" } | { type: "stop" };
export type FakeServerMessage =
  | { type: "ready"; url: string; token: string; clientId: string; tenantId: string }
  /** `cpuMs`: user + system CPU this process has spent so far. */
  | { type: "stats"; requests: number; cpuMs: number };

const [count, seed, latencyMs] = process.argv.slice(2).map(Number);
if (![count, seed, latencyMs].every((n) => n !== undefined && Number.isInteger(n) && n >= 0) || !process.send) {
  throw new Error("fake-server.ts is started by fake-process.ts with <count> <seed> <latencyMs> and an IPC channel.");
}

const fake = await startFakePartnerCenter({
  referrals: generateReferrals(count ?? 0, { seed: seed ?? 0 }),
  latencyMs: latencyMs ?? 0,
  // The CLI's device-code login (the first-run bench) completes without anyone entering the code.
  autoApproveDeviceCodes: true,
});
const reply = (message: FakeServerMessage): void => {
  process.send?.(message);
};

let stopping: Promise<void> | null = null;
const stop = (): Promise<void> => (stopping ??= fake.stop());
process.on("message", (request: FakeServerRequest) => {
  if (request.type === "stats") {
    const cpu = process.cpuUsage();
    reply({ type: "stats", requests: fake.requests.length, cpuMs: (cpu.user + cpu.system) / 1000 });
  } else void stop().then(() => process.disconnect());
});
// A bench that dies without stopping us closes the channel: stop too rather than linger.
process.on("disconnect", () => void stop());
reply({
  type: "ready",
  url: fake.url,
  token: fake.entra.issueAccessToken({ expiresInSeconds: 6 * 3600 }),
  clientId: fake.entra.clientId,
  tenantId: fake.entra.tenantId,
});
