// Public surface of @pc-referrals/core/fakes: the fake Partner Center, the fake Entra ID and the
// referral generator without the conformance suite, so a program (the CLI's demo) can run them
// without vitest installed.
export { startFakePartnerCenter } from "./fake-partner-center.js";
export type { FakePartnerCenter, FakePartnerCenterOptions, RecordedRequest } from "./fake-partner-center.js";
export { FAKE_WEBHOOKS_AUDIENCE } from "./fake-partner-center.js";
export { FAKE_CERTIFICATE_PATH, FAKE_WEBHOOKS_PATH, RESOURCE_URI_BASE } from "./fake-webhooks.js";
export type { FakeDeliveryAttempt, FakeWebhookRegistration, FakeWebhooks, FakeWebhooksOptions } from "./fake-webhooks.js";
export { createSelfSignedCertificate } from "./self-signed-certificate.js";
export type { SelfSignedCertificate, SelfSignedCertificateOptions } from "./self-signed-certificate.js";
export { FAKE_LOGIN_HOST, createFakeEntra } from "./fake-entra.js";
export type { FakeEntra, FakeEntraOptions, FakeEntraTokenProviderOptions } from "./fake-entra.js";
export { createSeededRandom, generateReferrals } from "./generate-referrals.js";
export type { GenerateReferralsOptions } from "./generate-referrals.js";
