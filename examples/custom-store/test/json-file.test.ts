// What the JSON file adds to the contract: the state survives a restart, and a page is written by
// one atomic rename, so a page that cannot be written leaves the file and the store as they were.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPartnerCenterClient, createStaticTokenProvider, createSyncEngine } from "@pc-referrals/core";
import { generateReferrals, makeProcessedPage, makeProcessedReferral, startFakePartnerCenter } from "@pc-referrals/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createJsonFileStore } from "../src/json-file-store.js";

const folder = mkdtempSync(join(tmpdir(), "pcr-json-file-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("examples/custom-store: the JSON file", () => {
  it("a store reopened on the file has every referral, run and the cursor, so the next sync is incremental", async () => {
    const path = join(folder, "restart", "store.json");
    const fake = await startFakePartnerCenter({ referrals: generateReferrals(250, { seed: 8 }) });
    const client = createPartnerCenterClient({ baseUrl: fake.url, tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()) });
    try {
      const first = await createSyncEngine({ client, store: createJsonFileStore({ path }), enabled: true }).run({ trigger: "manual" });
      expect(first.status).toBe("succeeded");
      expect(first.counts.pages).toBe(3);

      const reopened = createJsonFileStore({ path });
      const status = await reopened.getSyncStatus("default");
      expect(status.referralCount).toBe(first.counts.ingested);
      expect(status.cursor?.updatedAt).toBe(first.cursor.next);
      expect((await reopened.listRuns()).map((r) => r.runId)).toEqual([first.runId]);

      const second = await createSyncEngine({ client, store: reopened, enabled: true }).run({ trigger: "manual" });
      // The mark came back from the file: the run stops early (within the overlap) instead of reading all 3 pages.
      expect(second.counts.pages).toBeLessThan(first.counts.pages);
      expect(second.counts.ingested).toBe(0);
    } finally {
      await client.close();
      await fake.stop();
    }
  });

  it("a page whose write fails leaves no trace: the old file, the same answers, no temporary file", async () => {
    const dir = join(folder, "failing");
    const path = join(dir, "store.json");
    const store = createJsonFileStore({ path });
    await store.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "kept" })]));
    const before = readFileSync(path, "utf8");

    // Something else puts a folder where the file is: the rename of the next page fails.
    rmSync(path);
    mkdirSync(path);
    await expect(store.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "lost" })]))).rejects.toThrow();
    expect(await store.getReferral("lost")).toBeNull();
    expect((await store.queryInbox({})).items.map((r) => r.referralId)).toEqual(["kept"]);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    rmSync(path, { recursive: true });
    const reopenedEmpty = createJsonFileStore({ path });
    expect((await reopenedEmpty.getSyncStatus("default")).referralCount).toBe(0);
    expect(before).toContain('"kept"');
  });

  it("a page the contract refuses (an empty referral id) leaves the file byte for byte as it was", async () => {
    const path = join(folder, "refused.json");
    const store = createJsonFileStore({ path });
    await store.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "a" })]));
    const before = readFileSync(path, "utf8");
    await expect(
      store.applyBatch(makeProcessedPage([makeProcessedReferral({ referralId: "b" }), makeProcessedReferral({ referralId: "" })])),
    ).rejects.toMatchObject({ code: "invalid_input" });
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(existsSync(path)).toBe(true);
  });

  it("refuses a file that is not a store file instead of overwriting it", () => {
    const path = join(folder, "other.json");
    rmSync(path, { force: true });
    writeFileSync(path, '{"hello":"world"}'); // a file some other program left there
    expect(() => createJsonFileStore({ path })).toThrow(/not a pc-referrals JSON store file/);
    expect(() => createJsonFileStore({ path })).toThrow(expect.objectContaining({ code: "config_invalid" }));
    expect(readFileSync(path, "utf8")).toBe('{"hello":"world"}');
  });
});
