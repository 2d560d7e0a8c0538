// The input rules of TenantRegistry.put, shared by every registry (memory, pg-store, yours), so
// they refuse the same input with the same `invalid_input` and fill the same defaults.
import { InvalidInputError } from "../errors.js";
import { MAX_TIMER_MS } from "../_options.js";
import { toIsoInstant } from "../store/validate-page.js";
import { requireTenantId, type TenantInput, type TenantOverrides, type TenantRecord } from "./tenant.js";

/** The shortest schedule interval of a tenant. */
export const TENANT_INTERVAL_MIN_MS = 1000;
/** The interval of a tenant created without one: 10 minutes. */
export const TENANT_INTERVAL_DEFAULT_MS = 600_000;
const DISPLAY_NAME_MAX = 200;
const ENTRA_TENANT_MAX = 255;
const LOGIN_REASON_MAX = 500;
const INPUT_KEYS = new Set(["id", "displayName", "enabled", "intervalMs", "entraTenantId", "overrides"]);
const SCORING_KEYS = ["azureTenantScore", "coSellBonus"] as const;

// C0, DEL and C1 controls: a display name is one line of a table or a page header.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// A verified domain (contoso.onmicrosoft.com, contoso.com): dot-separated labels, at least two.
const DOMAIN = /^(?=.{1,255}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function displayNameOf(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== "string" || value.length > DISPLAY_NAME_MAX || CONTROL.test(value)) {
    throw new InvalidInputError(`displayName must be null or at most ${DISPLAY_NAME_MAX} characters without control characters.`);
  }
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

function intervalOf(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < TENANT_INTERVAL_MIN_MS || value > MAX_TIMER_MS) {
    throw new InvalidInputError(`intervalMs must be a whole number of milliseconds from ${TENANT_INTERVAL_MIN_MS} to ${MAX_TIMER_MS}.`);
  }
  return value;
}

function entraTenantOf(value: unknown): string | null {
  if (value === null) return null;
  // Entra ID compares tenant GUIDs and domains case-insensitively.
  const lower = typeof value === "string" && value.length <= ENTRA_TENANT_MAX ? value.trim().toLowerCase() : "";
  if (!GUID.test(lower) && !DOMAIN.test(lower)) {
    throw new InvalidInputError(
      `entraTenantId must be null, a tenant GUID or a domain of at most ${ENTRA_TENANT_MAX} characters (e.g. contoso.onmicrosoft.com).`,
    );
  }
  return lower;
}

function overridesOf(value: unknown): TenantOverrides {
  if (!isRecord(value) || Object.keys(value).some((key) => key !== "scoring")) {
    throw new InvalidInputError("overrides must be an object with at most a scoring object.");
  }
  if (value.scoring === undefined) return {};
  const scoring = value.scoring;
  if (!isRecord(scoring) || Object.keys(scoring).some((key) => !(SCORING_KEYS as readonly string[]).includes(key))) {
    throw new InvalidInputError(`overrides.scoring must be an object with at most ${SCORING_KEYS.join(" and ")}.`);
  }
  const checked: NonNullable<TenantOverrides["scoring"]> = {};
  for (const key of SCORING_KEYS) {
    const n = scoring[key];
    if (n === undefined) continue;
    if (typeof n !== "number" || !Number.isFinite(n)) throw new InvalidInputError(`overrides.scoring.${key} must be a finite number.`);
    checked[key] = n;
  }
  return { scoring: checked };
}

/**
 * The record `TenantRegistry.put(input)` stores: `existing` (the stored record of `input.id`, or
 * null on create) with the fields `input` sets, checked. Defaults on create: enabled, 10 minutes,
 * no names, no overrides, not login-required. `displayName` is trimmed (blank is null) and
 * `entraTenantId` lower-cased. `createdAt` is kept, `updatedAt` becomes `nowIso`. Bad input is
 * `InvalidInputError` naming the first bad field; nothing is changed, so the caller writes nothing.
 */
export function normalizeTenantInput(input: TenantInput, existing: TenantRecord | null, nowIso: string): TenantRecord {
  if (!isRecord(input)) throw new InvalidInputError("A tenant must be an object with an id.");
  const unknown = Object.keys(input).filter((key) => !INPUT_KEYS.has(key));
  if (unknown.length > 0) throw new InvalidInputError(`Unknown tenant field ${JSON.stringify(unknown[0]?.slice(0, 80))}.`);
  const id = requireTenantId(input.id);
  if (existing !== null && existing.id !== id) throw new InvalidInputError(`The stored tenant ${existing.id} is not tenant ${id}.`);
  const at = toIsoInstant(nowIso, "now");
  const pick = <K extends keyof TenantInput, T>(key: K, check: (value: unknown) => T, fallback: T): T =>
    input[key] === undefined ? fallback : check(input[key]);
  const enabled = pick(
    "enabled",
    (value) => {
      if (typeof value !== "boolean") throw new InvalidInputError("enabled must be true or false.");
      return value;
    },
    existing?.enabled ?? true,
  );
  return {
    id,
    displayName: pick("displayName", displayNameOf, existing?.displayName ?? null),
    enabled,
    intervalMs: pick("intervalMs", intervalOf, existing?.intervalMs ?? TENANT_INTERVAL_DEFAULT_MS),
    entraTenantId: pick("entraTenantId", entraTenantOf, existing?.entraTenantId ?? null),
    loginRequired: existing?.loginRequired ? { ...existing.loginRequired } : null,
    overrides: pick("overrides", overridesOf, structuredClone(existing?.overrides ?? {})),
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
  };
}

/**
 * The reason `markLoginRequired` keeps: one line (control characters become spaces), trimmed, at
 * most 500 characters (longer is cut, so that recording a failed run never fails); blank is
 * `"login required"`.
 */
export function normalizeLoginRequiredReason(reason: unknown): string {
  const text = typeof reason === "string" ? reason.replace(new RegExp(CONTROL.source, "g"), " ").trim() : "";
  return text === "" ? "login required" : text.slice(0, LOGIN_REASON_MAX);
}
