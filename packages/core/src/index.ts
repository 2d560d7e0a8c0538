// Public surface of @pc-referrals/core: explicit named re-exports only.
export {
  AbortedError,
  AuthRequiredError,
  ConfigError,
  FeatureDisabledError,
  InvalidInputError,
  InvalidTransitionError,
  MigrationError,
  NetworkError,
  NotFoundError,
  PageLimitExceededError,
  PartnerCenterHttpError,
  PcReferralsError,
  RateLimitedError,
  ReferralConflictError,
  ResponseTooLargeError,
  StoreError,
  StoreLockedError,
  SyncInProgressError,
  TimeoutError,
  UnconfirmedWriteError,
  WebhookRegistrationConflictError,
  describeError,
} from "./errors.js";
export type {
  ConfigIssue,
  ErrorCode,
  PartnerCenterHttpErrorDetails,
  RedactedRequest,
  ReferralActionName,
  ReferralRemoteState,
  StoreLockHolder,
} from "./errors.js";
export { createEventEmitter } from "./events.js";
export type {
  ErrorSummary,
  SyncEvent,
  SyncEventEmitter,
  SyncEventMap,
  SyncEventName,
  SyncEventOf,
  SyncEvents,
  SyncReport,
} from "./events.js";
export { createMaskingLogger, maskPii, silentLogger } from "./logger.js";
export type { Logger } from "./logger.js";
export {
  REFERRAL_TYPES,
  ReferralDirection,
  ReferralKind,
  ReferralQualification,
  ReferralStatus,
  ReferralSubstatus,
  ReferralTargetType,
  SKIP_REASONS,
  parseReferral,
  referralSchema,
  teamMembers,
} from "./referral.js";
export type { ParseReferralResult, Referral, ReferralMember, ReferralType, SkipReason } from "./referral.js";
export { abandonedRunError, INBOX_SORTS, LINK_STATUSES } from "./store/store.js";
export {
  DEFAULT_EXPIRY_DAYS,
  DEFAULT_EXPIRY_THRESHOLDS_DAYS,
  expiryClaimKey,
  expiryDaysLeft,
  normalizeExpiryClaims,
  referralExpiresAt,
} from "./store/expiry.js";
export type { ExpiryAnnouncement, ExpiryFields } from "./store/expiry.js";
export type {
  BatchOutcome,
  Company,
  CompanyOutcome,
  CompanyUpsert,
  Cursor,
  DomainScanResult,
  InboxQuery,
  InboxRow,
  InboxSort,
  KnownReferral,
  LinkDecision,
  LinkStatus,
  Page,
  PageContext,
  PageContextQuery,
  ProcessedPage,
  ProcessedReferral,
  ReferralActionRecord,
  ReferralActionsQuery,
  ReferralDomainRow,
  ReferralDomainsQuery,
  ReferralOutcome,
  RunLock,
  RunLockResult,
  ScoringResult,
  Store,
  StoredReferral,
  SyncCounts,
  SyncRunRecord,
  SyncRunStatus,
  SyncStatus,
  SyncTrigger,
  SyncWarning,
  SyncWarningCode,
} from "./store/store.js";
export type { ReferralFailureBatch, ReferralFailureInput, ReferralFailureState } from "./store/referral-failures.js";
export { loadConfig } from "./config.js";
export type { PcReferralsConfig } from "./config.js";
export { defaultFilterRules, evaluateFilter } from "./rules/filter.js";
export type { FilterDecision, FilterRules } from "./rules/filter.js";
export { classifyReferral, defaultClassificationRules } from "./rules/classify.js";
export type { Classification, ClassificationRule } from "./rules/classify.js";
export {
  applyScoringHooks,
  azureTenantScoringHook,
  coSellScoringHook,
  defaultScoringHooks,
} from "./rules/scoring.js";
export type { ScoringHook, ScoringInput } from "./rules/scoring.js";
export {
  customerContactEmails,
  defaultIgnoredDomains,
  defaultWebsiteLocations,
  extractDomain,
  findFirstUrl,
  normalizeCompanyDomain,
  normalizeDomain,
} from "./rules/domain.js";
export type { DomainExtraction, ExtractDomainOptions, WebsiteLocation } from "./rules/domain.js";
export { consumerMailboxDomains, isConsumerMailboxDomain } from "./rules/consumer-domains.js";
export { defaultTenantExtractors, extractAzureTenantId } from "./rules/tenant.js";
export type { TenantExtractor } from "./rules/tenant.js";
export { normalizeCompanyName } from "./rules/company-name.js";
export { decodeHtmlEntities } from "./rules/html-text.js";
export { DEFAULT_TENANT, TENANT_ID_RULE, isTenantId, requireTenantId } from "./tenants/tenant.js";
export type { TenantInput, TenantOverrides, TenantRecord, TenantRegistry } from "./tenants/tenant.js";
export {
  TENANT_INTERVAL_DEFAULT_MS,
  TENANT_INTERVAL_MIN_MS,
  normalizeLoginRequiredReason,
  normalizeTenantInput,
} from "./tenants/tenant-input.js";
export { createMemoryTenantRegistry } from "./tenants/memory-tenant-registry.js";
export type { MemoryTenantRegistryOptions } from "./tenants/memory-tenant-registry.js";
export { createMemoryStore } from "./store/memory-store.js";
export type { MemoryStore, MemoryStoreOptions } from "./store/memory-store.js";
// For authors of other stores: the page validation and inbox-query rules every store shares.
export {
  compareInboxRowsByUrgency,
  INBOX_DEFAULT_PAGE_SIZE,
  INBOX_MAX_PAGE_SIZE,
  normalizeInboxQuery,
  pageInboxRows,
} from "./store/inbox-query.js";
export type { InboxClock, NormalizedInboxQuery } from "./store/inbox-query.js";
export {
  REFERRAL_DOMAINS_DEFAULT_PAGE_SIZE,
  REFERRAL_DOMAINS_MAX_PAGE_SIZE,
  normalizeReferralDomainsQuery,
  pageReferralDomains,
} from "./store/referral-domains.js";
export type { NormalizedReferralDomainsQuery } from "./store/referral-domains.js";
export { assertValidProcessedPage, isJsonObject, toIsoInstant, toStoredCursor } from "./store/validate-page.js";
export { foldCompanyUpserts, mergeCompanyFacts } from "./store/company-merge.js";
export { isManualLink, keepManualLink } from "./store/manual-link.js";
export { isOlderCopy } from "./store/stale-copy.js";
export { toRawLead } from "./store/inspection.js";
export { nextFailureState, normalizeReferralFailureBatch, quarantinedOf, syncStatusWarnings } from "./store/referral-failures.js";
export type { DomainScanRecord, RawLead, StoreInspector } from "./store/inspection.js";
export { DEFAULT_PARTNER_CENTER_BASE_URL, createPartnerCenterClient } from "./client/partner-center-client.js";
export { odataFilter } from "./client/odata-filter.js";
export type { ODataCollection, ODataDateField, ODataFilter, ODataRangeOperator, ODataStringField } from "./client/odata-filter.js";
export { parseRetryAfter } from "./client/retry.js";
export type {
  JsonPatchOperation,
  ListReferralsQuery,
  PartnerCenterClient,
  PartnerCenterClientOptions,
  ReferralPage,
  ReferralPageItem,
  RetryNotice,
  RetryOptions,
} from "./client/types.js";
export type { TokenProvider } from "./auth/token-provider.js";
export { PARTNER_CENTER_SCOPE, createMsalTokenProvider } from "./auth/msal-token-provider.js";
export type {
  DeviceCodeInfo,
  DeviceCodeLoginResult,
  MsalAccountSummary,
  MsalTokenProvider,
  MsalTokenProviderOptions,
  TokenCachePlugin,
} from "./auth/msal-token-provider.js";
export { createFileTokenCache } from "./auth/file-token-cache.js";
export type { FileTokenCache, FileTokenCacheOptions } from "./auth/file-token-cache.js";
export { createStaticTokenProvider } from "./auth/static-token-provider.js";
export { createSyncEngine } from "./sync/engine.js";
export type { SyncEngine } from "./sync/engine.js";
export type { EngineExpiryOptions, EngineScoringOptions, SyncEngineOptions, SyncRunOptions } from "./sync/engine-options.js";
export type { ExpiringReferral } from "./sync/expiry-watch.js";
export type { EngineRules } from "./sync/process-referral.js";
export type { MatchLead, MatchLeadInput } from "./sync/link-resolution.js";
export type { DomainScanner } from "./sync/domain-scans.js";
export { createDnsProviderScanner, detectMailProvider } from "./sync/dns-provider-scanner.js";
export type {
  DnsProviderScan,
  DnsProviderScannerOptions,
  DnsResolver,
  MailProvider,
} from "./sync/dns-provider-scanner.js";
export { createScheduler, defaultSyncIntervalMs } from "./sync/scheduler.js";
export type { SchedulableEngine, Scheduler, SchedulerOptions } from "./sync/scheduler.js";
export { metricSamples } from "./sync/metrics.js";
export { completeCounts, emptyCounts } from "./sync/report.js";
export type { MetricSample, SyncMetrics } from "./sync/metrics.js";
export { canonicalJson, contentHash } from "./sync/content-hash.js";
export type { SyncReferralOptions, SyncReferralReason, SyncReferralResult } from "./sync/sync-referral.js";
export { createReferralActions } from "./actions/referral-actions.js";
export type { ActionContext, ReferralActionResult, ReferralActions, ReferralActionsOptions } from "./actions/referral-actions.js";
export { allowedReferralActions } from "./actions/transitions.js";
export type { ReferralState } from "./actions/transitions.js";
export {
  REFERRAL_ACTION_NAMES,
  REFERRAL_ACTION_OUTCOMES,
  REFERRAL_ACTIONS_DEFAULT_LIMIT,
  REFERRAL_ACTIONS_MAX_LIMIT,
  compareReferralActions,
  normalizeCompanyExternalId,
  normalizeReferralActionRecord,
  normalizeReferralActionsQuery,
} from "./store/referral-actions.js";
export { AUTO_LINK_ACTOR } from "./sync/link-write-back.js";
export type { LinkReferralResult, LinkWriteBack } from "./sync/link-write-back.js";
export { REFERRAL_WEBHOOK_EVENTS, isReferralWebhookEvent, parseWebhookEvent, referralIdFromResourceUri } from "./webhooks/event.js";
export type { PartnerCenterWebhookEvent, ReferralWebhookEventName, WebhookEventProblem } from "./webhooks/event.js";
export { MICROSOFT_WEBHOOK_CERTIFICATE_HOST, createWebhookVerifier } from "./webhooks/verifier.js";
export type { WebhookHeaders, WebhookVerification, WebhookVerificationFailure, WebhookVerifier, WebhookVerifierOptions } from "./webhooks/verifier.js";
export { createWebhookReceiver } from "./webhooks/receiver.js";
export type { WebhookAcceptResult, WebhookReceiver, WebhookReceiverOptions, WebhookReceiverStatus, WebhookSyncTarget } from "./webhooks/receiver.js";
export { DEFAULT_WEBHOOKS_BASE_URL, DEFAULT_WEBHOOK_EVENTS, WEBHOOKS_SCOPE, createWebhookRegistrationClient } from "./webhooks/registration-client.js";
export type {
  WebhookRegisterResult,
  WebhookRegistration,
  WebhookRegistrationClient,
  WebhookRegistrationClientOptions,
  WebhookValidationEvent,
} from "./webhooks/registration-client.js";
