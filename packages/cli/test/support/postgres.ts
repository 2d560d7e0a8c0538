// Test support for the PostgreSQL suites: the machine's server (DATABASE_URL; mandatory under
// CI=true) and a clean schema per suite (other suites share the database).
import pg from "pg";

const DATABASE_URL = process.env.DATABASE_URL ?? (process.env.CI === "true" ? "postgres://postgres@127.0.0.1:5432/test" : undefined);

/** The PostgreSQL URLs to run on: the machine's server, or none outside CI without DATABASE_URL. */
export const POSTGRES_BACKENDS: string[] = DATABASE_URL === undefined ? [] : [DATABASE_URL];

/** Drops these schemas (with everything in them), so a suite starts from nothing. */
export async function dropSchemas(databaseUrl: string, schemas: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
