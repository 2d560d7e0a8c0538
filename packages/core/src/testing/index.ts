// Public surface of @pc-referrals/core/testing: fakes of Partner Center and Entra ID, referral
// generators, and the store and tenant registry conformance suites (imports vitest, a peer dependency).
export { describeStoreConformance } from "./store-conformance.js";
export type { StoreConformanceOptions } from "./store-conformance.js";
export { describeTenantRegistryConformance } from "./tenant-registry-conformance.js";
export type { TenantRegistryConformanceOptions } from "./tenant-registry-conformance.js";
export {
  DEFAULT_REFERRAL_ID,
  makeCompanyUpsert,
  makeProcessedPage,
  makeProcessedReferral,
} from "./processed-fixtures.js";
export { HOSTILE_STRINGS } from "./conformance/hostile-strings.js";
export { startFakePartnerCenter } from "./fake-partner-center.js";
export type { FakePartnerCenter, FakePartnerCenterOptions, RecordedRequest } from "./fake-partner-center.js";
export { FAKE_WEBHOOKS_AUDIENCE } from "./fake-partner-center.js";
export { FAKE_CERTIFICATE_PATH, FAKE_WEBHOOKS_PATH, RESOURCE_URI_BASE } from "./fake-webhooks.js";
export type { FakeDeliveryAttempt, FakeWebhookRegistration, FakeWebhooks, FakeWebhooksOptions } from "./fake-webhooks.js";
export { createSelfSignedCertificate } from "./self-signed-certificate.js";
export type { SelfSignedCertificate, SelfSignedCertificateOptions } from "./self-signed-certificate.js";
export { FAKE_LOGIN_HOST, createFakeEntra } from "./fake-entra.js";
export type { FakeEntra, FakeEntraOptions, FakeEntraTokenProviderOptions } from "./fake-entra.js";
export type { AccessTokenCheck } from "./fake-entra-tokens.js";
export { FAULT_KINDS } from "./faults.js";
export type { FaultKind, FaultRule } from "./faults.js";
export { createSeededRandom, generateReferrals } from "./generate-referrals.js";
export type { GenerateReferralsOptions } from "./generate-referrals.js";
