// The fake Partner Center in a process of its own, so the referrals it holds and the pages it
// serializes stay out of the memory figures of the process under test (the real API is remote too).
// Started by sync-harness.ts with `<count> <seed>`; answers over the IPC channel.
import { generateReferrals, startFakePartnerCenter } from "../../src/testing/index.js";

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

process.on("message", (request: FakeServerRequest) => {
  if (request.type === "stats") reply({ type: "stats", requests: fake.requests.length });
  else void fake.stop().then(() => process.disconnect());
});
reply({ type: "ready", url: fake.url, token: fake.entra.issueAccessToken({ expiresInSeconds: 6 * 3600 }) });
