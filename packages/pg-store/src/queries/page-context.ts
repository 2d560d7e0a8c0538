// readPageContext: what the engine reads before writing a page, the known referrals and the link
// candidates, in one statement (issue 12 item 6). The two reads share one result: each row says
// which it belongs to and leaves the other's columns null, so both keep their drivers' types.
import type { Company, KnownReferral, PageContext, PageContextQuery } from "@pc-referrals/core";
import type { Db } from "../db.js";
import type { Tables } from "../schema.js";
import { hasNul } from "../values.js";
import { toCompany, toKnownReferral, type CompanyDbRow, type KnownDbRow } from "./rows.js";

// Keys that cannot be stored (non-strings, U+0000) cannot match anything (as in getKnownReferrals and findCompanies).
const keys = (values: readonly unknown[]): string[] => values.filter((v): v is string => typeof v === "string" && !hasNul(v));

type ContextRow = { kind: "known" } & KnownDbRow | ({ kind: "company" } & CompanyDbRow);

/** See `Store.readPageContext`: `getKnownReferrals(referralIds)` and `findCompanies({ domains, normalizedNames })` in one round trip. */
export async function readPageContext(db: Db, t: Tables, query: PageContextQuery): Promise<PageContext> {
  const ids = keys(query.referralIds);
  const domains = keys(query.domains);
  const names = keys(query.normalizedNames);
  if (ids.length === 0 && domains.length === 0 && names.length === 0) return { known: new Map(), companies: [] };
  const none = "NULL::text";
  const rows = await db.query<ContextRow>(
    `SELECT 'known' AS kind, referral_id, content_hash, status, substatus, link_status, linked_company_id, remote_updated_at,
       ${none} AS id, ${none} COLLATE "C" AS domain, ${none} AS name, ${none} AS normalized_name, ${none} AS provider,
       ${none} AS azure_tenant_id, ${none} AS segment, NULL::double precision AS score, NULL::jsonb AS reasons,
       ${none} AS external_id, NULL::timestamptz AS created_at, NULL::timestamptz AS updated_at
     FROM ${t.referrals} WHERE tenant = $4 AND referral_id = ANY($1::text[])
     UNION ALL
     SELECT 'company', ${none}, ${none}, ${none}, ${none}, ${none}, ${none}, NULL::timestamptz,
       id::text, domain, name, normalized_name, provider, azure_tenant_id, segment, score, reasons, external_id, created_at, updated_at
     FROM ${t.companies} WHERE tenant = $4 AND (domain = ANY($2::text[]) OR normalized_name = ANY($3::text[]))
     ORDER BY kind, domain`,
    [ids, domains, names, t.tenant],
  );
  const known = new Map<string, KnownReferral>();
  const companies: Company[] = [];
  for (const row of rows) {
    if (row.kind === "known") known.set(row.referral_id, toKnownReferral(row));
    else companies.push(toCompany(row));
  }
  return { known, companies };
}
