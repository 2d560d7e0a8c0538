// `createPartnerCenterClient`: the referrals endpoints over the request loop in http.ts.
// API reference: docs/partner-center-api.md §1–2.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { InvalidInputError, PartnerCenterHttpError, UnconfirmedWriteError } from "../errors.js";
import { silentLogger } from "../logger.js";
import { parseReferral, type Referral } from "../referral.js";
import { durationMs, loggerOption, parseOptions } from "../_options.js";
import { raceAbort, sleep as defaultSleep } from "../_sleep.js";
import { createHttpClient, parseJsonBody, type BodyParseResult, type HttpClient } from "./http.js";
import { paginateReferrals } from "./paginate.js";
import { DEFAULT_RETRY_POLICY } from "./retry.js";
import { referralPageEnvelopeSchema, type ReferralPageEnvelope } from "./schemas.js";
import { settleUnconfirmedWrite } from "./write-outcome.js";
import type {
  JsonPatchOperation,
  ListReferralsQuery,
  PartnerCenterClient,
  PartnerCenterClientOptions,
  RetryNotice,
  TokenProvider,
} from "./types.js";

/** Production API origin. */
export const DEFAULT_PARTNER_CENTER_BASE_URL = "https://api.partner.microsoft.com";
const REFERRALS_PATH = "/v1.0/engagements/referrals";
const MAX_TOP = 100;
/** Default `maxPages`: 10,000 pages of 100 = 1,000,000 referrals in one listing. */
export const DEFAULT_MAX_PAGES = 10_000;
/** Default `maxResponseBytes`: 16 MiB, far above a page of 100 referrals. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

const fn = <F>(what: string) =>
  z.custom<F>((value) => typeof value === "function", { message: `expected a function ${what}` });

const isHttpUrl = (value: string): boolean => {
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

const optionsSchema = z.strictObject({
  tokenProvider: z.custom<TokenProvider>(
    (value) => typeof (value as { getAccessToken?: unknown } | null)?.getAccessToken === "function",
    {
      message:
        "expected a TokenProvider, an object with getAccessToken(signal?): e.g. createStaticTokenProvider(token) or createMsalTokenProvider({ clientId, cache })",
    },
  ),
  baseUrl: z
    .string()
    .refine(isHttpUrl, "expected an http(s) URL such as https://api.partner.microsoft.com")
    .default(DEFAULT_PARTNER_CENTER_BASE_URL),
  timeoutMs: durationMs().default(30_000),
  maxPages: z.number().int().positive().default(DEFAULT_MAX_PAGES),
  maxResponseBytes: z.number().int().positive().default(DEFAULT_MAX_RESPONSE_BYTES),
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).default(DEFAULT_RETRY_POLICY.maxAttempts),
      maxTotalWaitMs: durationMs({ min: 0 }).default(DEFAULT_RETRY_POLICY.maxTotalWaitMs),
      baseDelayMs: durationMs({ min: 0 }).default(DEFAULT_RETRY_POLICY.baseDelayMs),
      maxDelayMs: durationMs({ min: 0 }).default(DEFAULT_RETRY_POLICY.maxDelayMs),
    })
    .prefault({}),
  minIntervalMs: durationMs({ min: 0 }).default(0),
  onRetry: fn<(notice: RetryNotice) => void>("(notice) => void").optional(),
  logger: loggerOption.optional(),
  sleep: fn<(ms: number, signal?: AbortSignal) => Promise<void>>("(ms, signal?) => Promise<void>").optional(),
  now: fn<() => number>("() => epoch milliseconds").optional(),
  random: fn<() => number>("() => a number in [0, 1)").optional(),
});

function referralsUrl(baseUrl: string): URL {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${REFERRALS_PATH}`;
  url.search = "";
  url.hash = "";
  return url;
}

function checkId(id: unknown): string {
  // Ids are GUIDs; refusing control characters and slashes keeps the path ours.
  if (typeof id !== "string" || id.trim() === "" || id.length > 200 || /[\u0000-\u001f/\\]/.test(id)) {
    throw new InvalidInputError("A referral id must be a non-empty string without slashes or control characters.");
  }
  return encodeURIComponent(id.trim());
}

function checkOperations(operations: unknown): JsonPatchOperation[] {
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new InvalidInputError("updateReferral needs a non-empty array of JSON Patch operations.");
  }
  return operations.map((operation: unknown, index) => {
    const { op, path, value } = (operation ?? {}) as Partial<JsonPatchOperation>;
    if (op !== "replace" && op !== "add") {
      throw new InvalidInputError(`operations[${index}].op must be "replace" or "add" (the only ops Partner Center supports).`);
    }
    if (typeof path !== "string" || !path.startsWith("/")) {
      throw new InvalidInputError(`operations[${index}].path must be a JSON Pointer starting with "/".`);
    }
    if (!Object.hasOwn(operation as object, "value")) {
      throw new InvalidInputError(`operations[${index}] needs a value.`);
    }
    return { op, path, value };
  });
}

function checkTop(top: unknown): number {
  if (top === undefined) return MAX_TOP;
  if (typeof top !== "number" || !Number.isFinite(top)) throw new InvalidInputError("top must be a finite number.");
  return Math.min(MAX_TOP, Math.max(1, Math.floor(top)));
}

function checkText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw new InvalidInputError(`${name} must be a string.`);
  return value;
}

function parseEnvelope(body: string, top: number): BodyParseResult<ReferralPageEnvelope> {
  const json = parseJsonBody(body);
  if (!json.ok) return json;
  const envelope = referralPageEnvelopeSchema.safeParse(json.value);
  if (!envelope.success) return { ok: false, reason: "not a referral page" };
  // More than we asked for is a server bug, and asking again would bring the same page.
  const count = envelope.data.value.length;
  if (count > top) return { ok: false, final: true, reason: `${count} referrals on a page, more than the $top=${top} asked for` };
  return { ok: true, value: envelope.data };
}

/** A one-at-a-time gate that a waiting caller can leave by aborting. */
function createSerialGate() {
  let tail: Promise<unknown> = Promise.resolve();
  return async <T>(signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> => {
    const previous = tail;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The next caller waits for both, so leaving early never lets two tasks overlap.
    tail = Promise.all([previous, mine]);
    try {
      await raceAbort(previous, signal);
      return await task();
    } finally {
      release();
    }
  };
}

/**
 * Creates the Partner Center referrals client: one keep-alive connection pool, a timeout and an
 * `AbortSignal` on every request, retries with `Retry-After` and full-jitter backoff, one token
 * refresh after a 401. Options are validated; bad ones throw one `ConfigError` listing each.
 *
 * ```ts
 * const client = createPartnerCenterClient({ tokenProvider });
 * for await (const page of client.listReferrals({ filter: odataFilter.eq("direction", "Incoming") })) {
 *   for (const item of page.referrals) if (item.ok) console.log(item.referral.id);
 * }
 * await client.close();
 * ```
 */
export function createPartnerCenterClient(options: PartnerCenterClientOptions): PartnerCenterClient {
  const parsed = parseOptions(optionsSchema, options, "createPartnerCenterClient");
  const listUrl = referralsUrl(parsed.baseUrl);
  const http: HttpClient = createHttpClient({
    tokenProvider: parsed.tokenProvider,
    timeoutMs: parsed.timeoutMs,
    maxResponseBytes: parsed.maxResponseBytes,
    retry: parsed.retry,
    minIntervalMs: parsed.minIntervalMs,
    onRetry: parsed.onRetry,
    logger: parsed.logger ?? silentLogger,
    sleep: parsed.sleep ?? defaultSleep,
    now: parsed.now ?? Date.now,
    random: parsed.random ?? Math.random,
  });
  // Listing is one sequential cursor per tenant: at most one page request in flight per client.
  const listGate = createSerialGate();

  function toReferral(value: unknown, status: number, correlationId: string, what: string): Referral {
    const result = parseReferral(value);
    if (result.ok) return result.referral;
    throw new PartnerCenterHttpError(
      `${what} returned a referral that does not match the schema: ${result.issues.slice(0, 5).join("; ")}`,
      { status, correlationId },
    );
  }

  async function getReferral(
    id: string,
    callOptions?: { signal?: AbortSignal | undefined; correlationId?: string | undefined },
  ): Promise<Referral | null> {
    const url = new URL(`${listUrl.href}/${checkId(id)}`);
    const correlationId = checkText(callOptions?.correlationId, "correlationId") ?? randomUUID();
    const result = await http.send({
      method: "GET",
      url,
      correlationId,
      signal: callOptions?.signal,
      nullOn: [404],
      parse: parseJsonBody,
    });
    return result === null ? null : toReferral(result.value, result.status, correlationId, "GET referral");
  }

  return {
    listReferrals(query: ListReferralsQuery = {}) {
      const filter = checkText(query.filter, "filter");
      const orderBy = checkText(query.orderBy, "orderBy") ?? "updatedDateTime desc";
      const top = checkTop(query.top);
      const correlationId = checkText(query.correlationId, "correlationId") ?? randomUUID();
      const params = [
        ...(filter === undefined ? [] : [`$filter=${encodeURIComponent(filter)}`]),
        `$orderby=${encodeURIComponent(orderBy)}`,
        `$top=${top}`,
      ];
      const firstUrl = new URL(`${listUrl.href}?${params.join("&")}`);
      const { signal } = query;
      return paginateReferrals({
        firstUrl,
        signal,
        maxPages: parsed.maxPages,
        fetchPage: (url) =>
          listGate(signal, async () => {
            const parse = (body: string) => parseEnvelope(body, top);
            const result = await http.send({ method: "GET", url, correlationId, signal, parse });
            // send() only answers null for statuses listed in nullOn, and this request lists none.
            if (result === null) throw new PartnerCenterHttpError("Referral list answered without a page.", { status: 0, correlationId });
            return result.value;
          }),
      });
    },

    getReferral,

    async updateReferral(id, operations, callOptions) {
      const url = new URL(`${listUrl.href}/${checkId(id)}`);
      const checked = checkOperations(operations);
      const etag = checkText(callOptions?.etag, "etag");
      const signal = callOptions?.signal;
      const correlationId = checkText(callOptions?.correlationId, "correlationId") ?? randomUUID();
      // The read-back belongs to the same operation, so it carries the same correlation id.
      const reread = () => getReferral(id, { signal, correlationId });
      let result: { status: number; value: unknown; requestId: string } | null;
      try {
        result = await http.send<unknown>({
          method: "PATCH",
          url,
          correlationId,
          body: JSON.stringify(checked),
          signal,
          headers: {
            "content-type": "application/json",
            prefer: "return=representation",
            ...(etag === undefined ? {} : { "if-match": etag }),
          },
          nullOn: [404],
          parse: (text) => (text.trim() === "" ? { ok: true, value: undefined } : parseJsonBody(text)),
        });
      } catch (error) {
        if (!(error instanceof UnconfirmedWriteError)) throw error;
        return settleUnconfirmedWrite(error, { etag, operations: checked, reread, signal });
      }
      if (result === null) return null;
      try {
        callOptions?.onResponse?.({ status: result.status, requestId: result.requestId });
      } catch {
        // The caller's bookkeeping never turns a write that landed into a failure.
      }
      // A 204 means the service ignored `Prefer: return=representation`; read the referral back.
      if (result.value === undefined) return reread();
      return toReferral(result.value, result.status, correlationId, "PATCH referral");
    },

    async close() {
      await http.close();
    },
  };
}
