// A typed `$filter` builder for `GET /v1.0/engagements/referrals`, limited to what the docs show:
// `eq`, `and` and the `any` lambda on documented fields (docs/partner-center-api.md §2).
import { InvalidInputError } from "../errors.js";

declare const FILTER_BRAND: unique symbol;

/**
 * A `$filter` expression made by {@link odataFilter}. It is a plain string at runtime (so it fits
 * `ListReferralsQuery.filter`), branded so that only the builder's output combines with `and`.
 */
export type ODataFilter = string & { readonly [FILTER_BRAND]: true };

/** Fields the documentation shows in `$filter` with `eq`. */
export const ODATA_STRING_FIELDS = [
  "id",
  "engagementId",
  "status",
  "substatus",
  "type",
  "qualification",
  "direction",
  "customerProfile/address/country",
] as const;
/** A field that compares with a quoted string. */
export type ODataStringField = (typeof ODATA_STRING_FIELDS)[number];

/** Timestamp fields (the docs list them as filterable and sortable). */
export const ODATA_DATE_FIELDS = ["updatedDateTime", "createdDateTime"] as const;
/** A timestamp field. */
export type ODataDateField = (typeof ODATA_DATE_FIELDS)[number];

/** Collections of people that `any` can search, with the member property the docs filter on. */
export const ODATA_COLLECTIONS = { team: ["email"], "customerProfile/team": ["email"] } as const;
/** A collection for {@link odataFilter}`.any`. */
export type ODataCollection = keyof typeof ODATA_COLLECTIONS;

/** Range operators for timestamps (whether the service honours them is unconfirmed). */
export type ODataRangeOperator = "gt" | "ge" | "lt" | "le";

const stringFields = new Set<string>(ODATA_STRING_FIELDS);
const dateFields = new Set<string>(ODATA_DATE_FIELDS);

const brand = (expression: string): ODataFilter => expression as ODataFilter;

function assertField(field: unknown, allowed: ReadonlySet<string>, what: string): void {
  if (typeof field !== "string" || !allowed.has(field)) {
    throw new InvalidInputError(`Unknown ${what} field for $filter: ${String(field)}; expected one of ${[...allowed].join(", ")}.`);
  }
}

/** An OData string literal: quoted, single quotes doubled (OData ABNF `SQUOTE-in-string`). */
function quote(value: unknown, field: string): string {
  if (typeof value !== "string") {
    throw new InvalidInputError(`$filter value for ${field} must be a string, got ${typeof value}.`);
  }
  return `'${value.replaceAll("'", "''")}'`;
}

/** An unquoted OData `DateTimeOffset` literal in UTC. */
function dateLiteral(value: unknown, field: string): string {
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : null;
  if (date === null || Number.isNaN(date.getTime())) {
    throw new InvalidInputError(`$filter value for ${field} must be a Date or an ISO-8601 timestamp.`);
  }
  return date.toISOString();
}

function isFilter(value: unknown): value is ODataFilter {
  return typeof value === "string" && value.length > 0;
}

/**
 * Builds `$filter` expressions without string concatenation; values are escaped, fields checked.
 *
 * ```ts
 * const filter = odataFilter.and(
 *   odataFilter.eq("status", "New"),
 *   odataFilter.eq("direction", "Incoming"),
 *   odataFilter.any("team", "email", "eq", "o'neil@contoso.com"),
 * ); // status eq 'New' and direction eq 'Incoming' and team/any(t:t/email eq 'o''neil@contoso.com')
 * ```
 *
 * An unknown field or a non-string value throws `InvalidInputError` (`invalid_input`).
 */
export const odataFilter = Object.freeze({
  /** `field eq 'value'`. */
  eq(field: ODataStringField, value: string): ODataFilter {
    assertField(field, stringFields, "string");
    return brand(`${field} eq ${quote(value, field)}`);
  },

  /**
   * `updatedDateTime gt 2025-01-01T00:00:00.000Z`. The docs do not confirm range operators or the
   * literal format on this API, so use it only behind an option and fall back to ordering.
   */
  compare(field: ODataDateField, operator: ODataRangeOperator, value: Date | string): ODataFilter {
    assertField(field, dateFields, "timestamp");
    if (!["gt", "ge", "lt", "le"].includes(operator)) {
      throw new InvalidInputError(`Unknown $filter operator for ${field}: ${String(operator)}; expected gt, ge, lt or le.`);
    }
    return brand(`${field} ${operator} ${dateLiteral(value, field)}`);
  },

  /** `collection/any(t:t/property eq 'value')`, e.g. referrals whose team includes an e-mail. */
  any<C extends ODataCollection>(
    collection: C,
    property: (typeof ODATA_COLLECTIONS)[C][number],
    operator: "eq",
    value: string,
  ): ODataFilter {
    const properties: readonly string[] | undefined = (ODATA_COLLECTIONS as Record<string, readonly string[]>)[collection];
    if (properties === undefined) {
      throw new InvalidInputError(
        `Unknown collection for $filter any(): ${String(collection)}; expected ${Object.keys(ODATA_COLLECTIONS).join(" or ")}.`,
      );
    }
    assertField(property, new Set(properties), `${collection} member`);
    if (operator !== "eq") throw new InvalidInputError(`any() supports only eq, got ${String(operator)}.`);
    return brand(`${collection}/any(t:t/${property} eq ${quote(value, `${collection}/${property}`)})`);
  },

  /** Conjunction of one or more expressions; nested `and`s flatten (they are associative). */
  and(...expressions: readonly ODataFilter[]): ODataFilter {
    if (expressions.length === 0) throw new InvalidInputError("odataFilter.and() needs at least one expression.");
    for (const expression of expressions) {
      if (!isFilter(expression)) throw new InvalidInputError("odataFilter.and() takes only expressions made by odataFilter.");
    }
    return brand(expressions.join(" and "));
  },
});
