// Where the PostgreSQL bench runs: DATABASE_URL, else the machine's server as CI uses it.
export const benchDatabaseUrl = (): string => process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
