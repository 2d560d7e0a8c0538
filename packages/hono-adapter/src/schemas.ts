// The zod schemas that validate requests, type the handlers and generate /openapi.json.
// `.meta({ id })` turns a schema into a named component. Shapes that core owns (reports, runs,
// status) list the known fields and allow more, so fields core adds later pass through.
import { INBOX_SORTS, LINK_STATUSES, REFERRAL_TYPES, SKIP_REASONS, type InboxSort } from "@pc-referrals/core";
import { z } from "zod";

const enumOf = <T extends string>(values: readonly T[]) => z.enum(values as [T, ...T[]]);

export const ReferralTypeSchema = enumOf(REFERRAL_TYPES).meta({ id: "ReferralType" });
export const LinkStatusSchema = enumOf(LINK_STATUSES).meta({ id: "LinkStatus" });

const timestamp = z.string().meta({ format: "date-time" });

export const InboxRowSchema = z
  .object({
    tenant: z.string().meta({ description: 'The partner tenant the referral was synced for ("default" without tenants).' }),
    referralId: z.string(),
    referralType: ReferralTypeSchema,
    status: z.string().nullable(),
    substatus: z.string().nullable(),
    customerName: z.string().nullable(),
    domain: z.string().nullable(),
    linkStatus: LinkStatusSchema,
    linkedCompanyId: z.string().nullable(),
    azureTenantId: z.string().nullable(),
    updatedAt: timestamp.nullable(),
    syncedAt: timestamp,
    expiresAt: timestamp
      .nullable()
      .meta({ description: "When the referral closes as Expired unless answered (payload expirationDateTime, else created + 14 days); null unless New." }),
  })
  .meta({ id: "InboxRow", description: "One inbox line; the same keys as the CLI's --json." });

export const CompanySchema = z
  .looseObject({
    id: z.string(),
    domain: z.string(),
    name: z.string().nullable(),
    normalizedName: z.string().nullable(),
    provider: z.string().nullable(),
    azureTenantId: z.string().nullable(),
    segment: z.string().nullable(),
    score: z.number().nullable(),
    reasons: z.array(z.string()),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: "Company" });

export const ReferralDetailSchema = InboxRowSchema.extend({
  typeEvidence: z.string(),
  direction: z.string().nullable(),
  contentHash: z.string(),
  firstSeenAt: timestamp,
  score: z.number().nullable(),
  segment: z.string().nullable(),
  reasons: z.array(z.string()),
  payload: z.record(z.string(), z.unknown()),
  candidates: z.array(CompanySchema).meta({ description: "Companies with the referral's domain or normalized customer name." }),
  writeBack: z.boolean().meta({ description: "Whether these routes were given `actions` (write-back to Partner Center)." }),
  allowedActions: z
    .array(z.string())
    .meta({ description: "The write-back actions the stored status allows (core's `allowedReferralActions`); empty without `actions`." }),
})
  .loose()
  .meta({ id: "ReferralDetail", description: "A stored referral with its payload (contacts unmasked) and its link candidates." });

const SyncCountsSchema = z
  .looseObject({
    pages: z.number().int(),
    fetched: z.number().int(),
    ingested: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    skipped: z.object(Object.fromEntries(SKIP_REASONS.map((r) => [r, z.number().int()]))).loose(),
    failed: z.number().int(),
    domainScansRequested: z.number().int(),
  })
  .meta({ id: "SyncCounts" });

const runFields = {
  runId: z.string(),
  trigger: z.string(),
  full: z.boolean(),
  status: z.string().meta({ description: "running, succeeded, partial, failed or skipped (core may add more)." }),
  startedAt: timestamp,
  finishedAt: timestamp.nullable(),
  counts: SyncCountsSchema,
  errors: z.array(z.looseObject({ referralId: z.string().nullable(), code: z.string(), message: z.string() })),
};

export const SyncRunRecordSchema = z.looseObject(runFields).meta({ id: "SyncRunRecord" });

export const SyncReportSchema = z
  .looseObject({
    ...runFields,
    finishedAt: timestamp,
    durationMs: z.number(),
    cursor: z.object({ previous: timestamp.nullable(), next: timestamp.nullable() }),
  })
  .meta({ id: "SyncReport", description: "The result of one run, as core's SyncReport." });

export const SyncStartedSchema = z
  .object({
    runId: z.string(),
    status: z.string().meta({ description: '"running"; the final status when the run ended before it could be reported.' }),
  })
  .meta({ id: "SyncStarted" });

export const SyncQueuedSchema = z
  .object({
    queued: z.boolean().meta({ description: "False when the tenant already had a sync waiting: the request joined it." }),
    jobId: z.string().nullable(),
  })
  .meta({ id: "SyncQueued", description: "With tenants: the tenant's sync job was queued for a worker." });

export const WebhookStatusSchema = z
  .looseObject({
    lastReceivedAt: timestamp.nullable().meta({ description: "When this process last accepted a delivery." }),
    received: z.number().int(),
    deduplicated: z.number().int().meta({ description: "Repeats of a delivery (event, referral, change date) within 24 h." }),
    coalesced: z.number().int(),
    ignored: z.number().int(),
    synced: z.number().int(),
    failed: z.number().int(),
    pending: z.number().int(),
    unannouncedByPolling: z.number().int().meta({ description: "Referrals polling stored that no webhook had announced: missed deliveries." }),
  })
  .meta({ id: "WebhookStatus" });

export const SyncStatusSchema = z
  .looseObject({
    enabled: z.boolean(),
    running: z
      .object({ runId: z.string().nullable(), owner: z.string(), expiresAt: timestamp })
      .nullable()
      .meta({ description: "The run holding the lock (in this process or another replica)." }),
    lastRun: SyncRunRecordSchema.nullable(),
    lastSucceededRun: SyncRunRecordSchema.nullable(),
    nextRunAt: timestamp.nullable().meta({ description: "Next scheduled run of the attached scheduler; null without one, while a run is in flight, or when stopped." }),
    loginRequired: z.boolean().meta({ description: "The last run ended with auth_required: someone must sign in again." }),
    cursor: z.looseObject({ updatedAt: timestamp }).nullable(),
    referralCount: z.number().int(),
    webhooks: WebhookStatusSchema.nullable().meta({ description: "The webhook receiver's counters (this process only); null when webhooks are not configured." }),
  })
  .meta({ id: "SyncStatus" });

export const WebhookAcceptedSchema = z
  .object({
    outcome: z.enum(["scheduled", "coalesced", "duplicate", "ignored"]),
    referralId: z.string().nullable(),
  })
  .meta({ id: "WebhookAccepted" });

export const TenantWebhookAcceptedSchema = z
  .object({
    outcome: z.enum(["scheduled", "coalesced", "ignored"]).meta({ description: "`coalesced`: the tenant already had a job waiting for the referral." }),
    referralId: z.string().nullable(),
    jobId: z.string().nullable(),
  })
  .meta({ id: "TenantWebhookAccepted" });

export const TenantParamsSchema = z.object({ tenant: z.string().min(1).max(63) });

export const ReferralDomainRowSchema = z
  .looseObject({
    domain: z.string(),
    referralTypes: z.array(ReferralTypeSchema),
    latestStatus: z.string().nullable(),
    referralCount: z.number().int(),
    latestReferralId: z.string(),
    latestUpdatedAt: timestamp.nullable(),
  })
  .meta({ id: "ReferralDomainRow" });

const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }).meta({ id });

export const InboxPageSchema = pageOf(InboxRowSchema, "InboxPage");
export const ReferralDomainPageSchema = pageOf(ReferralDomainRowSchema, "ReferralDomainPage");
export const SyncRunListSchema = z.object({ items: z.array(SyncRunRecordSchema) }).meta({ id: "SyncRunList" });
export const ReferralTypesByDomainSchema = z
  .record(z.string(), z.array(ReferralTypeSchema))
  .meta({ id: "ReferralTypesByDomain", description: "Domains with a referral, each with its types; domains without one are absent." });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().meta({ description: "Stable snake_case code (see the README's errors table)." }),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    runningRunId: z.string().nullable().optional(),
    reason: z.string().optional().meta({ description: "With webhook_signature_invalid: why the delivery was refused." }),
    allowed: z
      .array(z.string())
      .optional()
      .meta({ description: "With `invalid_transition`: the actions the referral's stored state allows." }),
    current: z
      .object({ status: z.string().nullable(), substatus: z.string().nullable(), eTag: z.string().nullable() })
      .optional()
      .meta({ description: "With `referral_conflict`: the referral's state at Partner Center, re-read after the 412." }),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details." });

// Query values arrive as strings; a repeated key arrives as an array.
const intParam = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalText = z.string().max(200).optional();
const repeated = <T extends z.ZodType>(item: T, min: number, max: number) =>
  z.preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(item).min(min).max(max));

export const SyncBodySchema = z.strictObject({ full: z.boolean().optional() }).meta({ id: "SyncRequest" });
export const SyncQuerySchema = z.object({
  wait: z.enum(["true", "false"]).optional().meta({ description: "true: answer 200 with the report when the run ends." }),
});
export const RunsQuerySchema = z.object({ limit: intParam(1, 500).optional() });
export const RunParamsSchema = z.object({ id: z.string().min(1).max(200) });

export const InboxQuerySchema = z.object({
  linkStatus: LinkStatusSchema.optional(),
  referralType: ReferralTypeSchema.optional(),
  status: optionalText,
  q: optionalText,
  page: intParam(1, 1_000_000).optional(),
  pageSize: intParam(1, 100).optional(),
  expiresWithinDays: z
    .string()
    .regex(/^\d{1,4}(\.\d{1,3})?$/, "expected a number of days, 0 or more (e.g. 3 or 0.5)")
    .transform(Number)
    .optional()
    .meta({ description: "Only referrals whose deadline (expiresAt) is at most this many days away; past deadlines included." }),
  sort: z
    .enum(INBOX_SORTS as [InboxSort, ...InboxSort[]])
    .optional()
    .meta({ description: "updated (default): newest first. urgency: soonest expiresAt first, rows without one last." }),
});

export const ReferralParamsSchema = z.object({ id: z.string().min(1).max(200) });
export const LinkBodySchema = z.strictObject({ companyId: z.string().min(1).max(200) }).meta({ id: "LinkRequest" });

/** Most domains one `GET /referral-types` takes (a lead list page's worth). */
export const MAX_DOMAINS_PER_REQUEST = 500;
export const ReferralTypesQuerySchema = z.object({
  domain: repeated(z.string().min(1).max(253), 1, MAX_DOMAINS_PER_REQUEST),
});

export const ReferralDomainsQuerySchema = z.object({
  type: ReferralTypeSchema.optional(),
  page: intParam(1, 1_000_000).optional(),
  pageSize: intParam(1, 500).optional(),
});

// Write-back (issue 13). Core checks the values again (deal value, currency, transitions); these
// schemas give a caller every bad field at once.
const ACTION_NAMES = ["accept", "decline", "close", "setExternalReference", "setDealValue"] as const;
export const ReferralActionNameSchema = enumOf(ACTION_NAMES).meta({ id: "ReferralActionName" });
const freeText = (max: number) => z.string().trim().min(1).max(max);

export const DeclineBodySchema = z
  .strictObject({
    reason: freeText(1000).meta({ description: "Free text, sent as the referral's `statusReason`." }),
  })
  .meta({ id: "DeclineRequest" });
export const CloseBodySchema = z
  .strictObject({ outcome: z.enum(["won", "lost"]), reason: freeText(1000).optional() })
  .meta({ id: "CloseRequest" });
export const ExternalReferenceBodySchema = z
  .strictObject({ value: freeText(200).meta({ description: "Your own lead or opportunity id (`externalReferenceId`)." }) })
  .meta({ id: "ExternalReferenceRequest" });
export const DealValueBodySchema = z
  .strictObject({
    value: z.number().min(0).refine(Number.isFinite, "Expected a finite number."),
    currency: z.string().regex(/^[A-Za-z]{3}$/, "Expected an ISO 4217 code such as USD.").meta({ description: "ISO 4217, e.g. USD." }),
  })
  .meta({ id: "DealValueRequest" });
export const ActionsQuerySchema = z.object({ limit: intParam(1, 500).optional() });

const SyncReferralResultSchema = z
  .looseObject({
    referralId: z.string(),
    runId: z.string(),
    outcome: z.string().meta({ description: "inserted, updated, unchanged, stale, skipped, failed or not_found." }),
    skipReason: z.string().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .meta({ id: "SyncReferralResult" });

export const ReferralActionResponseSchema = z
  .looseObject({
    referralId: z.string(),
    action: ReferralActionNameSchema,
    status: z.string().nullable(),
    substatus: z.string().nullable(),
    eTag: z.string().nullable(),
    requestId: z.string().nullable().meta({ description: "Partner Center's request id of the write." }),
    auditId: z.string(),
    sync: SyncReferralResultSchema.nullable().meta({ description: "How the re-read referral was stored." }),
    row: InboxRowSchema.nullable().meta({ description: "The referral's inbox row after the change (null if it is not stored)." }),
  })
  .meta({ id: "ReferralActionResult" });

export const ReferralActionRecordSchema = z
  .looseObject({
    id: z.string(),
    referralId: z.string(),
    action: ReferralActionNameSchema,
    actor: z.string().nullable().meta({ description: "The `actor` of the `authorize` verdict that let the request through." }),
    outcome: z.string().meta({ description: "succeeded, conflict, refused or failed." }),
    requestId: z.string().nullable(),
    input: z.record(z.string(), z.unknown()),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    at: timestamp,
  })
  .meta({ id: "ReferralActionRecord" });
export const ReferralActionListSchema = z.object({ items: z.array(ReferralActionRecordSchema) }).meta({ id: "ReferralActionList" });
