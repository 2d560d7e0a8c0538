// createWebhookVerifier: checks Partner Center's signature on a webhook delivery
// (docs/architecture.md "Webhooks"): RSA-SHA256 over the raw body with the certificate named by
// `x-ms-certificate-url`, fetched only from allowlisted hosts and cached until it expires.
import { verify as verifySignature, X509Certificate } from "node:crypto";
import { request, type Dispatcher } from "undici";
import { z } from "zod";
import { durationMs, parseOptions } from "../_options.js";

/** The host Microsoft's webhook documentation shows in `X-MS-Certificate-Url`. */
export const MICROSOFT_WEBHOOK_CERTIFICATE_HOST = "3psostorageacct.blob.core.windows.net";

/** Why a delivery was refused; stable, safe to log (no body, no signature). */
export type WebhookVerificationFailure =
  | "signature_missing"
  | "signature_malformed"
  | "signature_algorithm_unsupported"
  | "certificate_url_missing"
  | "certificate_url_invalid"
  | "certificate_host_not_allowed"
  | "certificate_fetch_failed"
  | "certificate_invalid"
  | "certificate_expired"
  | "certificate_not_yet_valid"
  | "signature_invalid";

/** The outcome of {@link WebhookVerifier.verify}. */
export type WebhookVerification = { ok: true; certificateUrl: string } | { ok: false; reason: WebhookVerificationFailure };

/** Request headers as Hono/fetch (`Headers`) or node:http (`req.headers`) hold them. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Options of {@link createWebhookVerifier}. */
export interface WebhookVerifierOptions {
  /**
   * Hosts (`host` or `host:port`) certificates may come from. Default: Microsoft's documented host
   * only ({@link MICROSOFT_WEBHOOK_CERTIFICATE_HOST}).
   */
  allowedCertificateHosts?: string[];
  /**
   * Also fetch certificates over plain `http:` from allowlisted hosts. Default false: HTTPS only,
   * except for allowlisted loopback hosts (127.0.0.1, localhost, ::1), where the fake serves.
   */
  allowHttpCertificateUrls?: boolean;
  /** Replaces the download (e.g. to go through a proxy); returns the certificate as DER bytes or PEM text. */
  fetchCertificate?: (url: URL, signal: AbortSignal) => Promise<Uint8Array | string>;
  /** undici dispatcher of the default download (a proxy agent, say). */
  dispatcher?: Dispatcher;
  /** Whole-download time limit, default 5 000 ms. */
  timeoutMs?: number;
  /** Largest certificate read, default 64 KiB. */
  maxCertificateBytes?: number;
  /** Certificates kept in memory, default 16 (oldest dropped first). */
  maxCachedCertificates?: number;
  /** Clock in ms (certificate validity). */
  now?: () => number;
}

/** Verifies webhook deliveries. */
export interface WebhookVerifier {
  /** Checks the signature of `rawBody` (exactly the bytes received) against its headers. Never throws. */
  verify(rawBody: string | Uint8Array, headers: WebhookHeaders): Promise<WebhookVerification>;
}

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", "expected a function");
const optionsSchema = z.strictObject({
  allowedCertificateHosts: z.array(z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/, "expected a host name, optionally with :port")).min(1).optional(),
  allowHttpCertificateUrls: z.boolean().optional(),
  fetchCertificate: fn.optional(),
  dispatcher: z.custom<Dispatcher>((v) => typeof v === "object" && v !== null, "expected an undici Dispatcher").optional(),
  timeoutMs: durationMs({ min: 1 }).optional(),
  maxCertificateBytes: z.number().int().min(256).max(16 * 1024 * 1024).optional(),
  maxCachedCertificates: z.number().int().min(1).max(10_000).optional(),
  now: fn.optional(),
});

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return typeof value === "string" ? value : value?.[0];
}

/** The base64 signature of `Authorization: Signature …` or `x-ms-signature`, or a failure. */
function readSignature(headers: WebhookHeaders): Buffer | WebhookVerificationFailure {
  const authorization = headerValue(headers, "authorization");
  const msSignature = headerValue(headers, "x-ms-signature");
  let encoded: string | undefined;
  if (authorization !== undefined && /^\s*signature\s+/i.test(authorization)) encoded = authorization.replace(/^\s*signature\s+/i, "");
  else if (msSignature !== undefined) encoded = msSignature.replace(/^\s*signature\s+/i, "");
  if (encoded === undefined || encoded.trim() === "") return "signature_missing";
  const trimmed = encoded.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) return "signature_malformed";
  return Buffer.from(trimmed, "base64");
}

async function downloadCertificate(url: URL, signal: AbortSignal, maxBytes: number, dispatcher: Dispatcher | undefined): Promise<Uint8Array> {
  const response = await request(url, { method: "GET", signal, ...(dispatcher ? { dispatcher } : {}) });
  // Destroying the body early (too large) must not surface as an unhandled stream error.
  response.body.on("error", () => {});
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`status ${response.statusCode}`);
  }
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw new Error("certificate too large");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > maxBytes) {
      response.body.destroy();
      throw new Error("certificate too large");
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

interface CachedCertificate {
  certificate: X509Certificate;
  notBeforeMs: number;
  notAfterMs: number;
}

/**
 * Creates a verifier. Throws `ConfigError` for bad options.
 *
 * ```ts
 * const verifier = createWebhookVerifier();
 * const result = await verifier.verify(rawBody, c.req.raw.headers);
 * if (!result.ok) logger.warn({ reason: result.reason }, "webhook_rejected");
 * ```
 */
export function createWebhookVerifier(options: WebhookVerifierOptions = {}): WebhookVerifier {
  const o = parseOptions(optionsSchema, options, "createWebhookVerifier");
  const allowed = new Set(o.allowedCertificateHosts ?? [MICROSOFT_WEBHOOK_CERTIFICATE_HOST]);
  const now = (options.now as (() => number) | undefined) ?? Date.now;
  const timeoutMs = o.timeoutMs ?? 5000;
  const maxBytes = o.maxCertificateBytes ?? 64 * 1024;
  const maxCached = o.maxCachedCertificates ?? 16;
  const fetchCertificate =
    (options.fetchCertificate as WebhookVerifierOptions["fetchCertificate"]) ??
    ((url: URL, signal: AbortSignal) => downloadCertificate(url, signal, maxBytes, options.dispatcher));
  const cache = new Map<string, CachedCertificate>();
  const inFlight = new Map<string, Promise<CachedCertificate | WebhookVerificationFailure>>();

  function checkUrl(raw: string | undefined): URL | WebhookVerificationFailure {
    if (raw === undefined || raw.trim() === "") return "certificate_url_missing";
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      return "certificate_url_invalid";
    }
    if (url.username !== "" || url.password !== "") return "certificate_url_invalid";
    if (!allowed.has(url.host.toLowerCase()) && !allowed.has(url.hostname.toLowerCase())) return "certificate_host_not_allowed";
    if (url.protocol === "https:") return url;
    if (url.protocol === "http:" && (o.allowHttpCertificateUrls === true || LOOPBACK.has(url.hostname.toLowerCase()))) return url;
    return "certificate_url_invalid";
  }

  async function load(url: URL): Promise<CachedCertificate | WebhookVerificationFailure> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error("timeout")), timeoutMs);
    timer.unref();
    let bytes: Uint8Array | string;
    try {
      bytes = await fetchCertificate(url, controller.signal);
    } catch {
      return "certificate_fetch_failed";
    } finally {
      clearTimeout(timer);
    }
    if (bytes.length > maxBytes) return "certificate_fetch_failed";
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(typeof bytes === "string" ? bytes : Buffer.from(bytes));
    } catch {
      return "certificate_invalid";
    }
    const notBeforeMs = Date.parse(certificate.validFrom);
    const notAfterMs = Date.parse(certificate.validTo);
    if (!Number.isFinite(notBeforeMs) || !Number.isFinite(notAfterMs) || certificate.publicKey.asymmetricKeyType !== "rsa") return "certificate_invalid";
    return { certificate, notBeforeMs, notAfterMs };
  }

  async function certificateFor(url: URL): Promise<CachedCertificate | WebhookVerificationFailure> {
    const key = url.href;
    const cached = cache.get(key);
    // Cached until notAfter; an expired one is fetched again (Microsoft may have renewed it at the same URL).
    if (cached !== undefined && now() <= cached.notAfterMs) return cached;
    cache.delete(key);
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = load(url).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    const loaded = await pending;
    if (typeof loaded === "string") return loaded;
    if (now() <= loaded.notAfterMs) {
      cache.set(key, loaded);
      while (cache.size > maxCached) cache.delete(cache.keys().next().value as string);
    }
    return loaded;
  }

  return {
    async verify(rawBody, headers) {
      const signature = readSignature(headers);
      if (typeof signature === "string") return { ok: false, reason: signature };
      const algorithm = headerValue(headers, "x-ms-signature-algorithm");
      if (algorithm !== undefined && algorithm.trim().toLowerCase() !== "rsa-sha256") return { ok: false, reason: "signature_algorithm_unsupported" };
      const url = checkUrl(headerValue(headers, "x-ms-certificate-url"));
      if (typeof url === "string") return { ok: false, reason: url };
      const entry = await certificateFor(url);
      if (typeof entry === "string") return { ok: false, reason: entry };
      const at = now();
      if (at > entry.notAfterMs) return { ok: false, reason: "certificate_expired" };
      if (at < entry.notBeforeMs) return { ok: false, reason: "certificate_not_yet_valid" };
      let valid = false;
      try {
        const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody;
        valid = verifySignature("sha256", body, entry.certificate.publicKey, signature);
      } catch {
        valid = false;
      }
      return valid ? { ok: true, certificateUrl: url.href } : { ok: false, reason: "signature_invalid" };
    },
  };
}
