// Shared by the tests of the client against the fake Partner Center: both on one injected clock
// that only sleeps move forward, so Retry-After and backoff waits never cost wall-clock time.
import { createPartnerCenterClient } from "../../src/client/partner-center-client.js";
import type { PartnerCenterClientOptions, RetryNotice } from "../../src/client/types.js";
import { startFakePartnerCenter } from "../../src/testing/fake-partner-center.js";
import type { FaultRule } from "../../src/testing/faults.js";
import { createTestClock, type Defer } from "./local-server.js";

/** A fake and a client sharing one injected clock that only sleeps move forward. */
export async function setupFakeClient(
  defer: Defer,
  options: {
    referrals?: readonly unknown[];
    faults?: FaultRule[];
    client?: Partial<PartnerCenterClientOptions>;
    /** Start of the shared clock (epoch ms); default now. */
    startMs?: number;
  },
) {
  const clock = createTestClock(options.startMs ?? Date.now());
  const fake = await startFakePartnerCenter({ referrals: options.referrals ?? [], faults: options.faults ?? [], now: clock.read });
  defer(() => fake.stop());
  const notices: RetryNotice[] = [];
  const client = createPartnerCenterClient({
    baseUrl: fake.url,
    tokenProvider: { getAccessToken: async () => fake.entra.issueAccessToken() },
    onRetry: (notice) => notices.push(notice),
    sleep: clock.sleep,
    now: clock.read,
    random: () => 0.5,
    ...options.client,
  });
  defer(() => client.close());
  return { fake, client, clock, notices };
}
