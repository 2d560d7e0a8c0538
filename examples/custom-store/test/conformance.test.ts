// The JSON-file store passes the same conformance suite as the memory and pg stores.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeStoreConformance } from "@pc-referrals/core/testing";
import { afterAll } from "vitest";
import { createJsonFileStore } from "../src/json-file-store.js";

const folder = mkdtempSync(join(tmpdir(), "pcr-json-store-"));
let n = 0;
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describeStoreConformance("json-file", () => createJsonFileStore({ path: join(folder, `store-${++n}.json`) }), {
  inspect: { rawLeads: (store) => store.listRawLeads(), domainScans: (store) => store.listDomainScans() },
});
