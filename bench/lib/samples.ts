// One sample of each measured thing, all through public APIs only (client, engine, store):
// L, the fetch-only lower bound; S, a full sync into an empty store plus the no-change run after
// it; B, the naive baseline modelled on the original app.
import { setTimeout as sleep } from "node:timers/promises";
import { createSyncEngine, type ListReferralsQuery, type PartnerCenterClient } from "@pc-referrals/core";
import type { BenchDatabase } from "./databases.js";
import type { FakeProcess } from "../../packages/core/scripts/bench/fake-process.js";

/** The client, recording the query the engine lists with, so L asks for exactly the same pages. */
export function recordingClient(client: PartnerCenterClient): { client: PartnerCenterClient; lastQuery(): ListReferralsQuery | null } {
  let last: ListReferralsQuery | null = null;
  const recording = new Proxy(client, {
    get(target, key, receiver) {
      if (key === "listReferrals") {
        return (query?: ListReferralsQuery) => {
          last = query ?? {};
          return target.listReferrals(query);
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { client: recording, lastQuery: () => last };
}

/** L: the same client paging the same listing from the fake, storing nothing. */
export async function fetchOnly(client: PartnerCenterClient, query: ListReferralsQuery, expected: number): Promise<number> {
  const started = performance.now();
  let seen = 0;
  for await (const page of client.listReferrals(query)) seen += page.referrals.length;
  const ms = performance.now() - started;
  if (seen < expected) throw new Error(`fetch-only listed ${seen} of ${expected} referrals`);
  return ms;
}

export interface SyncSample {
  wallMs: number;
  pages: number;
  apiRequests: number;
  statements: number;
  incrementalWallMs: number;
  incrementalRequests: number;
}

/** S: a full sync into a fresh schema, then a second run with nothing changed. */
export async function fullSync(db: BenchDatabase, client: PartnerCenterClient, fake: FakeProcess, schema: string): Promise<SyncSample> {
  const store = await db.freshStore(schema);
  try {
    const engine = createSyncEngine({ client, store, enabled: true });
    const before = await fake.stats();
    const statementsBefore = db.statements();
    const started = performance.now();
    const full = await engine.run({ trigger: "manual", full: true });
    const wallMs = performance.now() - started;
    const statements = db.statements() - statementsBefore;
    if (full.status !== "succeeded") throw new Error(`full sync ${full.status}: ${JSON.stringify(full.errors.slice(0, 3))}`);
    const afterFull = await fake.stats();

    const incStarted = performance.now();
    const incremental = await engine.run({ trigger: "manual" });
    const incrementalWallMs = performance.now() - incStarted;
    if (incremental.status !== "succeeded") throw new Error(`incremental sync ${incremental.status}`);
    const afterIncremental = await fake.stats();
    return {
      wallMs,
      pages: full.counts.pages,
      apiRequests: afterFull.requests - before.requests,
      statements,
      incrementalWallMs,
      incrementalRequests: afterIncremental.requests - afterFull.requests,
    };
  } finally {
    await store.close();
  }
}

/** Pause of the original app between pages. */
export const BASELINE_PAUSE_MS = 1_000;

/**
 * B: the original app's way, in plain SQL: one transaction per referral (BEGIN, upsert, COMMIT),
 * then a 1 s pause before the next page. Same client, same listing, same database as S.
 */
export async function naiveBaseline(db: BenchDatabase, client: PartnerCenterClient, query: ListReferralsQuery, schema: string): Promise<number> {
  await db.dropSchema(schema);
  const sql = await db.connect();
  await sql.query(`CREATE SCHEMA "${schema}"`);
  await sql.query(`CREATE TABLE "${schema}".referrals (id text PRIMARY KEY, payload jsonb NOT NULL, updated_at text)`);
  const upsert = `INSERT INTO "${schema}".referrals (id, payload, updated_at) VALUES ($1, $2, $3)
    ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload, updated_at = EXCLUDED.updated_at`;
  try {
    const started = performance.now();
    let first = true;
    for await (const page of client.listReferrals(query)) {
      if (!first) await sleep(BASELINE_PAUSE_MS);
      first = false;
      for (const item of page.referrals) {
        if (!item.ok) continue;
        const { referral } = item;
        await sql.query("BEGIN");
        await sql.query(upsert, [referral.id, JSON.stringify(referral), referral.updatedDateTime]);
        await sql.query("COMMIT");
      }
    }
    return performance.now() - started;
  } finally {
    sql.release();
    await db.dropSchema(schema);
  }
}
