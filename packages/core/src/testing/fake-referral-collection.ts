// The fake Partner Center's referral data: listing with $filter/$orderby/$top and stable
// $skiptoken snapshots, JSON Patch with If-Match, and server-side edits.
import { randomUUID } from "node:crypto";
import { NotFoundError } from "../errors.js";
import { evaluateFilter, fromTicks, parseFilter, parseOrderBy, sortByKeys, toTicks } from "./fake-odata.js";

/** Largest page the API serves (2019 docs); larger `$top` values are clamped. */
export const MAX_PAGE_SIZE = 100;
const MAX_SNAPSHOTS = 256;
const READ_ONLY_PATHS = new Set(["/id", "/eTag", "/createdDateTime", "/updatedDateTime"]);
const ALLOWED_PAIRS: Record<string, readonly string[]> = {
  None: ["None"],
  New: ["Pending", "Received"],
  Active: ["Accepted"],
  Closed: ["Won", "Lost", "Declined", "Expired"],
};
/** How a referral of each status may close by a PATCH (docs/partner-center-api.md §3); Expired is the service's own. */
const CLOSING_SUBSTATUSES: Record<string, readonly string[]> = {
  New: ["Declined"],
  Active: ["Won", "Lost"],
};
const ALLOWED_TRANSITIONS: Record<string, readonly string[]> = {
  None: ["None", "New", "Active", "Closed"],
  New: ["New", "Active", "Closed"],
  Active: ["Active", "Closed"],
  Closed: [],
};

/** A failure the HTTP layer turns into an error body. */
export interface CollectionFailure {
  ok: false;
  status: 400 | 404 | 409 | 412;
  code: "invalidRequest" | "itemNotFound" | "preconditionFailed" | "conflict";
  message: string;
}

export interface ListQuery {
  filter?: string | undefined;
  orderBy?: string | undefined;
  top?: string | undefined;
  skipToken?: string | undefined;
}

export interface ListResult {
  ok: true;
  /** The page's items as JSON text (an array), joined from each item's cached serialization. */
  valueJson: string;
  count: number;
  nextSkipToken: string | null;
}

type Item = Record<string, unknown>;
/** The filtered, ordered positions of one listing; its pages are slices of it. */
interface Snapshot {
  id: number;
  indexes: number[];
  top: number;
}
const isRecord = (v: unknown): v is Item => typeof v === "object" && v !== null && !Array.isArray(v);
const invalid = (message: string): CollectionFailure => ({ ok: false, status: 400, code: "invalidRequest", message });
const notFound = (id: string): CollectionFailure => ({
  ok: false,
  status: 404,
  code: "itemNotFound",
  message: `Referral '${id}' was not found.`,
});
const unquote = (tag: string): string => tag.trim().replace(/^W\//, "").replaceAll("\\", "").replace(/^"+|"+$/g, "");

/** Creates the data behind one fake server. `now` is in ms. */
export function createReferralCollection(initial: readonly unknown[], now: () => number, comparisons: boolean) {
  let items: unknown[] = [];
  // Each item's JSON text, made on first listing and dropped when the item changes: serving a page
  // then costs a string join, not a deep copy and a stringify per item, so at 0 ms latency the fake
  // does not take a core from the process it serves (the bench's lower bound depends on that).
  let texts: Array<string | undefined> = [];
  const textOf = (index: number): string => (texts[index] ??= JSON.stringify(items[index]));
  const replaceItem = (index: number, next: unknown) => {
    items[index] = next;
    texts[index] = undefined;
  };
  const byId = new Map<string, number>();
  const snapshots = new Map<number, Snapshot>();
  let snapshotSeq = 0;

  const setAll = (next: readonly unknown[]) => {
    items = next.map((item) => structuredClone(item));
    texts = new Array<string | undefined>(items.length);
    byId.clear();
    items.forEach((item, index) => {
      // Blank ids (generateReferrals' invalid payloads) are listed but not addressable.
      if (isRecord(item) && typeof item.id === "string" && item.id.trim() && !byId.has(item.id)) byId.set(item.id, index);
    });
    // Old skip tokens point into data that no longer exists.
    snapshots.clear();
  };
  setAll(initial);

  let writes = 0;
  /**
   * New eTag and an updatedDateTime strictly later than the previous one, as the service does on
   * every write. Both come from the injected clock and a write counter, so a run is reproducible.
   */
  const touch = (item: Item) => {
    writes += 1;
    const previous = toTicks(item.updatedDateTime) ?? -1n;
    const current = BigInt(now()) * 10_000n + BigInt(writes % 10_000);
    const ticks = current > previous ? current : previous + 1n;
    item.updatedDateTime = fromTicks(ticks);
    const hex = (value: bigint, length: number) => value.toString(16).padStart(length, "0").slice(-length);
    item.eTag = `"${hex(BigInt(writes), 8)}-0000-0000-0000-${hex(ticks, 12)}"`;
  };

  const parseTop = (raw: string | undefined, fallback: number): number | CollectionFailure => {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 1) return invalid(`Invalid $top '${raw}': expected a positive integer.`);
    return Math.min(Number(raw), MAX_PAGE_SIZE);
  };

  return {
    setAll,

    list(query: ListQuery): ListResult | CollectionFailure {
      let snapshot: Snapshot | undefined;
      let offset = 0;
      if (query.skipToken !== undefined) {
        const decoded = decodeSkipToken(query.skipToken);
        snapshot = decoded ? snapshots.get(decoded.snapshot) : undefined;
        if (!decoded || !snapshot) return invalid("The $skiptoken is invalid or has expired.");
        offset = decoded.offset;
      }
      const top = parseTop(query.top, snapshot?.top ?? MAX_PAGE_SIZE);
      if (typeof top !== "number") return top;
      if (!snapshot) {
        let indexes = items.map((_, i) => i);
        if (query.filter !== undefined) {
          const filter = parseFilter(query.filter, { comparisons });
          if (!filter.ok) return invalid(filter.message);
          indexes = indexes.filter((i) => evaluateFilter(filter.value, items[i]));
        }
        if (query.orderBy !== undefined) {
          const order = parseOrderBy(query.orderBy);
          if (!order.ok) return invalid(order.message);
          indexes = sortByKeys(indexes, order.value, (i) => items[i]);
        }
        snapshotSeq += 1;
        snapshot = { id: snapshotSeq, indexes, top };
        snapshots.set(snapshotSeq, snapshot);
        if (snapshots.size > MAX_SNAPSHOTS) snapshots.delete(snapshots.keys().next().value as number);
        offset = 0;
      }
      const end = offset + top;
      return {
        ok: true,
        valueJson: `[${snapshot.indexes.slice(offset, end).map(textOf).join(",")}]`,
        count: snapshot.indexes.length,
        nextSkipToken: end < snapshot.indexes.length ? encodeSkipToken(snapshot.id, end) : null,
      };
    },

    /** One referral as JSON text, or undefined. */
    getJson(id: string): string | undefined {
      const index = byId.get(id);
      return index === undefined ? undefined : textOf(index);
    },

    /** The eTag of one referral, for the response header. */
    eTagOf(id: string): unknown {
      const index = byId.get(id);
      return index === undefined ? undefined : (items[index] as Item).eTag;
    },

    patch(id: string, operations: unknown, ifMatch: string | undefined): { ok: true; value: Item } | CollectionFailure {
      const index = byId.get(id);
      if (index === undefined) return notFound(id);
      const current = items[index] as Item;
      if (ifMatch !== undefined && ifMatch.trim() !== "*") {
        if (typeof current.eTag !== "string" || unquote(current.eTag) !== unquote(ifMatch)) {
          return { ok: false, status: 412, code: "preconditionFailed", message: "The referral was changed by someone else (eTag mismatch)." };
        }
      }
      if (!Array.isArray(operations) || operations.length === 0) return invalid("The body must be a non-empty JSON Patch array.");
      if (current.status === "Closed") return invalid("A closed referral cannot be updated.");
      const next = structuredClone(current);
      for (const operation of operations) {
        const failure = applyOperation(next, operation);
        if (failure) return invalid(failure);
      }
      const from = typeof current.status === "string" ? current.status : "None";
      if (typeof next.status === "string" && ALLOWED_TRANSITIONS[from] && !ALLOWED_TRANSITIONS[from]?.includes(next.status)) {
        return invalid(`A referral cannot move from status '${from}' to '${next.status}'.`);
      }
      const allowed = typeof next.status === "string" ? ALLOWED_PAIRS[next.status] : undefined;
      if (allowed && typeof next.substatus === "string" && !allowed.includes(next.substatus)) {
        return invalid(`Substatus '${next.substatus}' is not allowed with status '${String(next.status)}'.`);
      }
      const closing = CLOSING_SUBSTATUSES[from];
      if (next.status === "Closed" && from !== "Closed" && closing && typeof next.substatus === "string" && !closing.includes(next.substatus)) {
        return invalid(`A referral in status '${from}' closes only as ${closing.join(" or ")}, not '${next.substatus}'.`);
      }
      if (next.status === "Active" && current.status !== "Active" && next.acceptedDateTime === undefined) {
        next.acceptedDateTime = fromTicks(BigInt(now()) * 10_000n);
      }
      touch(next);
      replaceItem(index, next);
      return { ok: true, value: structuredClone(next) };
    },

    /** Adds a referral as `POST` would: a new id unless one is given, created/updated times, an eTag. */
    create(input: Record<string, unknown>): { ok: true; value: Item } | CollectionFailure {
      const id = typeof input.id === "string" && input.id.trim() ? input.id : randomUUID();
      if (byId.has(id)) return { ok: false, status: 409, code: "conflict", message: `Referral '${id}' already exists.` };
      const item = structuredClone(input) as Item;
      item.id = id;
      item.createdDateTime = new Date(now()).toISOString();
      touch(item);
      byId.set(id, items.length);
      items.push(item);
      return { ok: true, value: structuredClone(item) };
    },
    update(id: string, changes: Record<string, unknown>): unknown {
      const index = byId.get(id);
      if (index === undefined) throw new NotFoundError(`The fake Partner Center has no referral '${id}'.`);
      const next = deepMerge(items[index] as Item, changes);
      next.id = id;
      touch(next);
      replaceItem(index, next);
      return structuredClone(next);
    },
  };
}

function encodeSkipToken(snapshot: number, offset: number): string {
  return Buffer.from(JSON.stringify({ s: snapshot, o: offset })).toString("base64url");
}

function decodeSkipToken(token: string): { snapshot: number; offset: number } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (isRecord(value) && Number.isInteger(value.s) && Number.isInteger(value.o) && (value.o as number) >= 0) {
      return { snapshot: value.s as number, offset: value.o as number };
    }
  } catch {
    // An unparsable token is reported as invalid below, like any unknown one.
  }
  return null;
}

function deepMerge(target: Item, changes: Record<string, unknown>): Item {
  const result = structuredClone(target);
  for (const [key, value] of Object.entries(changes)) {
    const existing = result[key];
    result[key] = isRecord(existing) && isRecord(value) ? deepMerge(existing, value) : structuredClone(value);
  }
  return result;
}

/** Applies one RFC 6902 `add`/`replace`; a missing member is created by `replace` too (the service is lenient). */
function applyOperation(document: Item, operation: unknown): string | null {
  if (isRecord(operation) && operation.op !== "replace" && operation.op !== "add") {
    return `Operation '${String(operation.op)}' is not supported; use 'replace' or 'add'.`;
  }
  if (!isRecord(operation) || typeof operation.path !== "string" || !("value" in operation)) {
    return "Each operation needs 'op', 'path' and 'value'.";
  }
  if (!operation.path.startsWith("/") || READ_ONLY_PATHS.has(operation.path)) return `Path '${operation.path}' cannot be updated.`;
  const tokens = operation.path.slice(1).split("/").map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
  const last = tokens.pop() as string;
  let parent: unknown = document;
  for (const token of tokens) {
    parent = Array.isArray(parent) ? parent[Number(token)] : isRecord(parent) ? parent[token] : undefined;
    if (typeof parent !== "object" || parent === null) return `Path '${operation.path}' does not exist.`;
  }
  const value = structuredClone(operation.value);
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) return `Path '${operation.path}' does not exist.`;
    if (operation.op === "add") parent.splice(index, 0, value);
    else if (index < parent.length) parent[index] = value;
    else return `Path '${operation.path}' does not exist.`;
  } else {
    (parent as Item)[last] = value;
  }
  return null;
}
