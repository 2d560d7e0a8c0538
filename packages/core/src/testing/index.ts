// Public surface of @pc-referrals/core/testing: fakes of Partner Center and Entra ID, referral
// generators, and the store conformance suite (imports vitest, a peer dependency).
export { describeStoreConformance } from "./store-conformance.js";
export type { StoreConformanceOptions } from "./store-conformance.js";
export {
  DEFAULT_REFERRAL_ID,
  makeCompanyUpsert,
  makeProcessedPage,
  makeProcessedReferral,
} from "./processed-fixtures.js";
export { HOSTILE_STRINGS } from "./conformance/hostile-strings.js";
