// The Store conformance suite from core, on PGlite and (with DATABASE_URL, always in CI) PostgreSQL.
import { describeStoreConformance } from "@pc-referrals/core/testing";
import { describe } from "vitest";
import type { PgStore } from "../src/index.js";
import { BACKENDS, useBackend } from "./backends.js";

describe.each(BACKENDS)("pg-store on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename);
  describeStoreConformance<PgStore>(`pg-store (${backend})`, () => h.store(), {
    cleanup: () => h.reset(),
    inspect: {
      rawLeads: (store) => store.listRawLeads(),
      domainScans: (store) => store.listDomainScans(),
    },
  });
});
