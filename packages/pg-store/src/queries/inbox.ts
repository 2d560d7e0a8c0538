// queryInbox: filters, escaped LIKE search, stable order, page and total. The order matches the
// (…, remote_updated_at DESC NULLS LAST, referral_id) indexes, so a page is an index range scan; a
// search of 3+ characters reads the trigram index where migration 0006 could create it (the same
// LIKE runs as a scan where it could not); a total without a search is summed from referral_counts.
import { DEFAULT_TENANT, normalizeInboxQuery, type InboxQuery, type InboxRow, type NormalizedInboxQuery, type Page } from "@pc-referrals/core";
import type { Db } from "../db.js";
import type { Tables } from "../schema.js";
import { foldAscii, num } from "../values.js";
import { INBOX_COLUMNS, toInboxRow, type InboxDbRow } from "./rows.js";

/** `text` as a LIKE pattern that matches it literally (`\` is the escape character). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const folded = (column: string): string => `translate(${column}, '${UPPER}', '${UPPER.toLowerCase()}')`;

/** The WHERE clause and parameters of `tenant`'s inbox query (exported for the EXPLAIN tests). */
export function inboxFilter(query: InboxQuery, tenant: string = DEFAULT_TENANT): { where: string; params: unknown[] } {
  const { where, params } = inboxConditions(query, tenant);
  return { where, params };
}

interface InboxConditions {
  where: string;
  params: unknown[];
  /** True when a condition is not a referral_counts column (a search, a deadline): the total counts rows. */
  searches: boolean;
  /** The total's statement without a search: a sum over the referral_counts rows of the filters. */
  countsWhere: string;
}

function inboxConditions(query: InboxQuery, tenant: string): InboxConditions {
  const q = normalizeInboxQuery(query);
  // ASCII case only, folded in JavaScript on both sides (see search_text): lower() would follow the
  // server's locale, so one query could match on one server and not on another.
  const search = q.q === null ? null : foldAscii((query.q ?? "").trim());
  const params: unknown[] = [];
  // The equality filters are columns of referral_counts too (status_key '' for none); the search and
  // the deadline are not.
  const conditions: string[] = [];
  const matching: string[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  // The tenant is a column of referral_counts too, and leads every index of these filters.
  conditions.push(`tenant = ${param(tenant)}`);
  if (q.referralType !== null) conditions.push(`referral_type = ${param(q.referralType)}`);
  // Stored text never holds U+0000, and PostgreSQL refuses it as a parameter: such a filter matches nothing.
  const impossible = [q.status, search].some((v) => v?.includes("\u0000"));
  if (impossible) conditions.push("FALSE");
  if (q.status !== null && !impossible) conditions.push(`status_key = ${param(q.status)}`);
  if (q.linkStatus !== null) conditions.push(`link_status = ${param(q.linkStatus)}`);
  if (q.expiresBefore !== null) matching.push(`expires_at <= ${param(q.expiresBefore)}::timestamptz`);
  if (search !== null && !impossible) {
    const p = param(`%${escapeLike(search)}%`);
    matching.push(`search_text LIKE ${p} ESCAPE '\\'`);
    // search_text joins the fields with newlines: a needle holding one could span two fields.
    if (search.includes("\n")) {
      matching.push(`(${["customer_name", "domain", "referral_id"].map((c) => `${folded(c)} LIKE ${p} ESCAPE '\\'`).join(" OR ")})`);
    }
  }
  const all = [...conditions, ...matching];
  return {
    where: all.length > 0 ? `WHERE ${all.join(" AND ")}` : "",
    params,
    searches: matching.length > 0,
    // Without a search every parameter belongs to an equality filter, so they line up as they are.
    countsWhere: conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "",
  };
}

/** The SQL of an inbox query's total (exported for the EXPLAIN tests). */
export function inboxTotalSql(t: Tables, query: InboxQuery): { text: string; params: unknown[] } {
  const c = inboxConditions(query, t.tenant);
  return c.searches
    ? { text: `SELECT count(*) AS total FROM ${t.referrals} ${c.where}`, params: c.params }
    : { text: `SELECT coalesce(sum(n), 0) AS total FROM ${t.referralCounts} ${c.countsWhere}`, params: c.params };
}

// Urgency is served by referrals_expiry_idx (migration 0008).
const ORDER_BY: Record<NormalizedInboxQuery["sort"], string> = {
  updated: "remote_updated_at DESC NULLS LAST, referral_id",
  urgency: "expires_at ASC NULLS LAST, remote_updated_at DESC NULLS LAST, referral_id",
};

type PageShape = Pick<NormalizedInboxQuery, "pageSize" | "offset" | "sort">;

function pageSql(t: Tables, where: string, q: PageShape): string {
  return `SELECT ${INBOX_COLUMNS} FROM ${t.referrals} ${where}
      ORDER BY ${ORDER_BY[q.sort]}
      LIMIT ${q.pageSize} OFFSET ${q.offset}`;
}

// The matching rows first, then their order: the planner cannot walk the inbox order index and
// filter (the right plan for a needle most rows match, and the one it picks without statistics,
// e.g. on PGlite, which never analyzes), so a rare needle is read from the trigram index.
function matchedFirstSql(t: Tables, where: string, q: PageShape): string {
  return `WITH matched AS MATERIALIZED (SELECT ${INBOX_COLUMNS} FROM ${t.referrals} ${where})
    SELECT * FROM matched ORDER BY ${ORDER_BY[q.sort]}
    LIMIT ${q.pageSize} OFFSET ${q.offset}`;
}

/**
 * The SQL of one inbox page (exported for the EXPLAIN tests). `matchedFirst`: the form of a
 * search whose matches are few (see {@link matchesAreFew}).
 */
export function inboxPageSql(t: Tables, query: InboxQuery, options: { matchedFirst?: boolean } = {}): { text: string; params: unknown[] } {
  const { where, params } = inboxFilter(query, t.tenant);
  const q = normalizeInboxQuery(query);
  return { text: options.matchedFirst ? matchedFirstSql(t, where, q) : pageSql(t, where, q), params };
}

/**
 * Whether reading every match and sorting them beats walking the inbox order until the page is
 * full: the walk visits about (offset + pageSize) × size / total rows, the other way total rows.
 */
export function matchesAreFew(total: number, size: number, q: { pageSize: number; offset: number }): boolean {
  return total * total <= (q.offset + q.pageSize) * size;
}

/** See `Store.queryInbox`. Bad page/pageSize/filters throw `InvalidInputError` before any query. */
export async function queryInbox(db: Db, t: Tables, query: InboxQuery = {}): Promise<Page<InboxRow>> {
  const q = normalizeInboxQuery(query);
  // The page and its total share one set of conditions and parameters (one "now" too).
  const c = inboxConditions(query, t.tenant);
  const result = (rows: InboxDbRow[], total: number): Page<InboxRow> => ({ items: rows.map(toInboxRow), total, page: q.page, pageSize: q.pageSize });
  // Under 3 characters a needle has no trigram: its count scans whatever the form of the page,
  // so the page runs beside it, walking the inbox order (so does a deadline filter without a search).
  if (!c.searches || [...(q.q ?? "")].length < 3) {
    const total = inboxTotalSql(t, query);
    const [rows, count] = await Promise.all([
      db.query<InboxDbRow>(pageSql(t, c.where, q), c.params),
      db.query<{ total: number | string }>(total.text, total.params),
    ]);
    return result(rows, num(count[0]?.total ?? 0));
  }
  // A search counts its matches first (from the trigram index where there is one), with the
  // table's size from referral_counts, and picks the page's form from the two.
  const [count] = await db.query<{ total: number | string; size: number | string }>(
    `SELECT (SELECT count(*) FROM ${t.referrals} ${c.where}) AS total,
       (SELECT coalesce(sum(n), 0) FROM ${t.referralCounts} WHERE tenant = $1) AS size`,
    c.params,
  );
  const total = num(count?.total ?? 0);
  if (total <= q.offset) return result([], total);
  const few = matchesAreFew(total, num(count?.size ?? 0), q);
  return result(await db.query<InboxDbRow>((few ? matchedFirstSql : pageSql)(t, c.where, q), c.params), total);
}
