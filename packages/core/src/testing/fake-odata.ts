/**
 * The fake Partner Center's own OData subset: `$filter` with `eq`, `and`, parentheses and
 * `any()` on the documented fields, `$orderby` on `createdDateTime`/`updatedDateTime`, and
 * 7-digit-fraction timestamps. Anything else is rejected, as the real service would answer 400.
 * See docs/partner-center-api.md §2.
 */
import { ODATA_DATE_FIELDS, ODATA_STRING_FIELDS } from "../client/odata-filter.js";
import { teamMembers } from "../referral.js";

// One list of the documented filterable fields serves the client's builder and this fake.
/** Fields a comparison may name (the documented examples plus `id` and the two dates). */
const FILTER_FIELDS = new Set<string>([...ODATA_STRING_FIELDS, ...ODATA_DATE_FIELDS]);
const DATE_FIELDS = new Set<string>(ODATA_DATE_FIELDS);
/** Collections `any()` may range over, and the member fields the lambda may compare. */
const LAMBDA_COLLECTIONS = new Set(["team", "customerProfile/team"]);
const LAMBDA_FIELDS = new Set(["email", "firstName", "lastName"]);
const COMPARISONS = new Set(["gt", "ge", "lt", "le"]);

type Op = "eq" | "gt" | "ge" | "lt" | "le";

/** Parsed `$filter`. */
export type FilterNode =
  | { kind: "and"; left: FilterNode; right: FilterNode }
  | { kind: "compare"; path: string; op: Op; value: string }
  | { kind: "any"; collection: string; predicate: FilterNode };

/** Outcome of parsing: the node, or a message for a 400 `invalidRequest`. */
export type ODataResult<T> = { ok: true; value: T } | { ok: false; message: string };

interface ParseOptions {
  /** Also accept `gt`/`ge`/`lt`/`le` on the two date fields (whether the real API does is uncertain). */
  comparisons?: boolean;
}

type Token = { kind: "path" | "string" | "guid" | "datetime" | "punct"; text: string };

const TOKEN =
  /\s*(?:(\()|(\))|(:)|'((?:[^']|'')*)'|([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?![\w-])|(\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2}))|([A-Za-z_][\w]*(?:\/[A-Za-z_][\w]*)*))/y;
// Partner Center's own `links.relatedReferrals.uri` writes `engagementId eq 0ee9d55d-…` with the GUID unquoted.
const GUID_FIELDS = new Set(["id", "engagementId"]);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < input.length) {
    if (/^\s*$/.test(input.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(input);
    if (!m) throw new SyntaxError(`Unexpected character at position ${at + 1}.`);
    if (m[1] ?? m[2] ?? m[3]) tokens.push({ kind: "punct", text: (m[1] ?? m[2] ?? m[3]) as string });
    else if (m[4] !== undefined) tokens.push({ kind: "string", text: m[4].replaceAll("''", "'") });
    else if (m[5] !== undefined) tokens.push({ kind: "guid", text: m[5] });
    else if (m[6] !== undefined) tokens.push({ kind: "datetime", text: m[6] });
    else tokens.push({ kind: "path", text: m[7] as string });
  }
  return tokens;
}

/** Parses a `$filter` expression. */
export function parseFilter(input: string, options: ParseOptions = {}): ODataResult<FilterNode> {
  let tokens: Token[];
  try {
    tokens = tokenize(input);
  } catch (error) {
    return { ok: false, message: `Invalid $filter: ${(error as Error).message}` };
  }
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const fail = (message: string): never => {
    throw new SyntaxError(message);
  };
  const expect = (text: string): void => {
    const t = tokens[pos++];
    if (t?.kind !== "punct" || t.text !== text) fail(`Expected '${text}'${t ? ` before '${t.text}'` : " at the end"}.`);
  };

  const parseAnd = (variable: string | null): FilterNode => {
    let node = parsePrimary(variable);
    while (peek()?.kind === "path" && peek()?.text === "and") {
      pos += 1;
      node = { kind: "and", left: node, right: parsePrimary(variable) };
    }
    return node;
  };

  const parsePrimary = (variable: string | null): FilterNode => {
    const t = tokens[pos++];
    if (!t) return fail("Unexpected end of $filter.");
    if (t.kind === "punct" && t.text === "(") {
      const node = parseAnd(variable);
      expect(")");
      return node;
    }
    if (t.kind !== "path") return fail(`Unexpected '${t.text}'.`);
    if (t.text.endsWith("/any")) return parseAny(t.text.slice(0, -4), variable);
    return parseCompare(t.text, variable);
  };

  const parseAny = (collection: string, variable: string | null): FilterNode => {
    if (variable !== null || !LAMBDA_COLLECTIONS.has(collection)) {
      fail(`any() is not supported on '${collection}'.`);
    }
    expect("(");
    const v = tokens[pos++];
    if (v?.kind !== "path" || v.text.includes("/")) fail("Expected a lambda variable in any().");
    expect(":");
    const predicate = parseAnd((v as Token).text);
    expect(")");
    return { kind: "any", collection, predicate };
  };

  const parseCompare = (rawPath: string, variable: string | null): FilterNode => {
    let path = rawPath;
    if (variable !== null) {
      if (!rawPath.startsWith(`${variable}/`)) fail(`'${rawPath}' does not use the lambda variable '${variable}'.`);
      path = rawPath.slice(variable.length + 1);
      if (!LAMBDA_FIELDS.has(path)) fail(`Filtering on member field '${path}' is not supported.`);
    } else if (!FILTER_FIELDS.has(path)) {
      fail(`Filtering on '${path}' is not supported.`);
    }
    const opToken = tokens[pos++];
    const op = opToken?.kind === "path" ? opToken.text : undefined;
    const isDate = variable === null && DATE_FIELDS.has(path);
    if (op !== "eq" && !(op && COMPARISONS.has(op) && isDate && options.comparisons)) {
      fail(`Operator '${op ?? opToken?.text ?? "(none)"}' is not supported on '${rawPath}'.`);
    }
    const literal = tokens[pos++];
    const okLiteral =
      literal?.kind === "string" ||
      (literal?.kind === "datetime" && isDate) ||
      (literal?.kind === "guid" && variable === null && GUID_FIELDS.has(path));
    if (!okLiteral) fail(`Expected a quoted string after '${rawPath} ${op as string}'.`);
    const value = (literal as Token).text;
    if (isDate && toTicks(value) === null) fail(`'${value}' is not a date-time.`);
    return { kind: "compare", path, op: op as Op, value };
  };

  try {
    if (tokens.length === 0) return { ok: false, message: "Invalid $filter: the expression is empty." };
    const node = parseAnd(null);
    if (pos < tokens.length) fail(`Unexpected '${tokens[pos]?.text ?? ""}'.`);
    return { ok: true, value: node };
  } catch (error) {
    return { ok: false, message: `Invalid $filter: ${(error as Error).message}` };
  }
}

function getPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split("/")) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** True when `item` matches `node`. Missing fields never match. */
export function evaluateFilter(node: FilterNode, item: unknown): boolean {
  switch (node.kind) {
    case "and":
      return evaluateFilter(node.left, item) && evaluateFilter(node.right, item);
    case "any": {
      // A team sent as a single member object is a team of one.
      return teamMembers(getPath(item, node.collection)).some((member) => evaluateFilter(node.predicate, member));
    }
    case "compare": {
      const actual = getPath(item, node.path);
      if (typeof actual !== "string") return false;
      if (!DATE_FIELDS.has(node.path)) return node.op === "eq" && actual === node.value;
      const a = toTicks(actual);
      const b = toTicks(node.value);
      if (a === null || b === null) return false;
      return { eq: a === b, gt: a > b, ge: a >= b, lt: a < b, le: a <= b }[node.op];
    }
  }
}

/** One `$orderby` key. */
export interface OrderKey {
  field: "createdDateTime" | "updatedDateTime";
  descending: boolean;
}

/** Parses `$orderby`: `createdDateTime` or `updatedDateTime`, each optionally `asc`/`desc`, comma-separated. */
export function parseOrderBy(input: string): ODataResult<OrderKey[]> {
  const keys: OrderKey[] = [];
  for (const part of input.split(",")) {
    const m = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/i.exec(part);
    const field = m?.[1];
    if (field !== "createdDateTime" && field !== "updatedDateTime") {
      return { ok: false, message: `Invalid $orderby: ordering by '${part.trim()}' is not supported.` };
    }
    keys.push({ field, descending: m?.[2]?.toLowerCase() === "desc" });
  }
  return { ok: true, value: keys };
}

/** Sorts stably by `keys` of `read(item)`; a missing or unparsable date sorts before every real one. */
export function sortByKeys<T>(items: readonly T[], keys: readonly OrderKey[], read: (item: T) => unknown = (item) => item): T[] {
  const decorated = items.map((item, index) => ({
    item,
    index,
    ticks: keys.map((k) => toTicks(getPath(read(item), k.field)) ?? -1n),
  }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const x = a.ticks[i] as bigint;
      const y = b.ticks[i] as bigint;
      if (x !== y) return (x < y ? -1 : 1) * (keys[i]?.descending ? -1 : 1);
    }
    return a.index - b.index;
  });
  return decorated.map((d) => d.item);
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i;

/** A timestamp as 100-ns ticks since the epoch (the API's 7-digit precision), or null. */
export function toTicks(value: unknown): bigint | null {
  if (typeof value !== "string") return null;
  const m = TIMESTAMP.exec(value);
  if (!m) return null;
  const ms = Date.parse(`${m[1] as string}${(m[3] as string).toUpperCase()}`);
  if (Number.isNaN(ms)) return null;
  const fraction = (m[2] ?? "").padEnd(7, "0").slice(0, 7);
  return BigInt(ms) * 10_000n + BigInt(fraction);
}

/** Formats ticks the way Partner Center does: `2018-10-30T21:03:42.4579542Z`. */
export function fromTicks(ticks: bigint): string {
  const seconds = ticks / 10_000_000n;
  const fraction = (ticks % 10_000_000n).toString().padStart(7, "0");
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}
