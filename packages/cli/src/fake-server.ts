// The fakes from core as a server of their own, for `fake-partner-center` and `demo`.
import { startFakePartnerCenter } from "@pc-referrals/core/fakes";
import type { FakePartnerCenter } from "@pc-referrals/core/fakes";

/** Starts the fake Partner Center and Entra ID; device codes are approved as soon as they are issued. */
export function startStandaloneFake(options: { referrals: readonly unknown[]; port?: number; latencyMs?: number }): Promise<FakePartnerCenter> {
  return startFakePartnerCenter({
    referrals: options.referrals,
    autoApproveDeviceCodes: true,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
  });
}

/** The variables that point the CLI at `fake`: with them set, `login` and `sync` run against it unchanged. */
export function fakeEnv(fake: FakePartnerCenter): Record<string, string> {
  return {
    PARTNER_CENTER_ENABLED: "true",
    PARTNER_CENTER_CLIENT_ID: fake.entra.clientId,
    PARTNER_CENTER_TENANT_ID: fake.entra.tenantId,
    PARTNER_CENTER_API_URL: fake.url,
    PARTNER_CENTER_FAKE_LOGIN_URL: fake.url,
    PARTNER_CENTER_WEBHOOKS_BASE_URL: fake.webhooksUrl,
    PARTNER_CENTER_WEBHOOKS_CERT_HOSTS: new URL(fake.url).host,
  };
}
