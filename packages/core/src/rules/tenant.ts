// Azure (Entra ID) tenant id of the customer, read by configurable extractors (docs/architecture.md "Company").
import type { Referral } from "../referral.js";

/**
 * Reads a candidate tenant id from a referral: a string, an array of strings (tried in order),
 * or anything else (ignored). Only values that are GUIDs count, so an extractor may return
 * whatever it finds without checking it.
 */
export type TenantExtractor = (referral: Referral) => unknown;

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const NIL_GUID = "00000000-0000-0000-0000-000000000000";
const TENANT = /tenant/i;
const TYPE_KEY = /type|kind/i;
const VALUE_KEY = /^(?:id|value|identifier)$/i;
// `customerProfile.ids` documents a couple of entries; a huge list is garbage, not data.
const MAX_ID_ENTRIES = 100;

/** A top-level field of the payload, e.g. `azureTenantId`, where a host's payload has one. */
function topLevelField(name: string): TenantExtractor {
  return (referral) => (isRecord(referral) ? referral[name] : undefined);
}

/**
 * Tenant-typed entries of `customerProfile.ids`, which is an object in the 2019 docs and an
 * array of `{ id, profileType }` in the 2020 docs and swagger. An entry counts when a key
 * (`tenantId`, `AzureTenantId`) or a type-like value (`profileType: "AzureTenant"`,
 * `type: "TenantId"`) names a tenant.
 */
const customerProfileIds: TenantExtractor = (referral) => {
  const profile = isRecord(referral) ? referral.customerProfile : undefined;
  const ids = isRecord(profile) ? profile.ids : undefined;
  if (Array.isArray(ids)) return ids.slice(0, MAX_ID_ENTRIES).flatMap(tenantValuesOfEntry);
  if (isRecord(ids)) return tenantValuesOfEntry(ids);
  return undefined;
};

function tenantValuesOfEntry(entry: unknown): unknown[] {
  if (!isRecord(entry)) return [];
  const values: unknown[] = [];
  const entries = Object.entries(entry).slice(0, MAX_ID_ENTRIES);
  for (const [key, value] of entries) {
    if (!TENANT.test(key)) continue;
    // `{ AzureTenant: { id } }` nests the value one level down.
    values.push(...(isRecord(value) ? entriesWithKey(value, VALUE_KEY) : [value]));
  }
  const namesTenant = entries.some(([key, value]) => TYPE_KEY.test(key) && typeof value === "string" && TENANT.test(value));
  if (namesTenant) values.push(...entriesWithKey(entry, VALUE_KEY));
  return values;
}

function entriesWithKey(record: Record<string, unknown>, key: RegExp): unknown[] {
  return Object.entries(record)
    .filter(([name]) => key.test(name))
    .map(([, value]) => value);
}

/**
 * The default extractors, in order: a top-level `azureTenantId`, a top-level
 * `customerTenantId`, then a tenant entry of `customerProfile.ids` (object or array form).
 */
export const defaultTenantExtractors: readonly TenantExtractor[] = [
  topLevelField("azureTenantId"),
  topLevelField("customerTenantId"),
  customerProfileIds,
];

/**
 * The customer's Azure tenant id: the first GUID any extractor yields, lower-cased and without
 * braces, or `null`. Values that are not GUIDs (and the all-zero GUID) are skipped. Never
 * throws on a malformed payload; an error thrown by an extractor you supply propagates.
 */
export function extractAzureTenantId(
  referral: Referral,
  extractors: readonly TenantExtractor[] = defaultTenantExtractors,
): string | null {
  for (const extractor of extractors) {
    const candidate = extractor(referral);
    const candidates: readonly unknown[] = Array.isArray(candidate) ? candidate : [candidate];
    for (const value of candidates) {
      const tenantId = asTenantGuid(value);
      if (tenantId !== null) return tenantId;
    }
  }
  return null;
}

function asTenantGuid(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 64) return null;
  const trimmed = value.trim();
  // Braces come in pairs or not at all.
  if (trimmed.startsWith("{") !== trimmed.endsWith("}")) return null;
  const match = GUID.exec(trimmed);
  const guid = match?.[1]?.toLowerCase();
  return guid === undefined || guid === NIL_GUID ? null : guid;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
