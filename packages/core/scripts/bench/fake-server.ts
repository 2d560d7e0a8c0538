// The fake Partner Center in a process of its own, so the referrals it holds and the pages it
// serializes stay out of the memory figures of the process under test (the real API is remote too).
// Started by sync-harness.ts with `<count> <seed>`; answers over the IPC channel.
// The modules themselves, not testing/index.ts, which would also load vitest (the conformance suite).
import { startFakePartnerCenter } from "../../src/testing/fake-partner-center.js";
import { generateReferrals } from "../../src/testing/generate-referrals.js";

export type FakeServerRequest = { type: "stats" } | { type: "stop" };
export type FakeServerMessage = { type: "ready"; url: string; token: string } | { type: "stats"; requests: number };

const [count, seed] = process.argv.slice(2).map(Number);
if (count === undefined || seed === undefined || !Number.isInteger(count) || !Number.isInteger(seed) || !process.send) {
  throw new Error("fake-server.ts is started by sync-harness.ts with <count> <seed> and an IPC channel.");
}

const fake = await startFakePartnerCenter({ referrals: generateReferrals(count, { seed }) });
const reply = (message: FakeServerMessage): void => {
  process.send?.(message);
};

let stopping: Promise<void> | null = null;
const stop = (): Promise<void> => (stopping ??= fake.stop());
process.on("message", (request: FakeServerRequest) => {
  if (request.type === "stats") reply({ type: "stats", requests: fake.requests.length });
  else void stop().then(() => process.disconnect());
});
// A bench that dies without stopping us closes the channel: stop too rather than linger.
process.on("disconnect", () => void stop());
reply({ type: "ready", url: fake.url, token: fake.entra.issueAccessToken({ expiresInSeconds: 6 * 3600 }) });
