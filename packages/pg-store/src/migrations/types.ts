/** One versioned schema change: plain SQL, applied and undone in a transaction. */
export interface Migration {
  /** Order of application: positive, rising from one migration to the next (gaps allowed). */
  readonly id: number;
  /** Short kebab-case description, e.g. `init`. */
  readonly name: string;
  /** SQL that applies the change; table names are unqualified (the store's schema is the search path). */
  readonly up: string;
  /** SQL that undoes `up` exactly. */
  readonly down: string;
}
