// Item 13: a referral that fails in every run is quarantined after `quarantineAfterRuns`
// consecutive failing runs, so its timestamp stops pinning the incremental mark.
import { afterEach, describe, expect, it } from "vitest";
import { parseReferral } from "../src/referral.js";
import { defaultScoringHooks, type ScoringHook } from "../src/rules/scoring.js";
import { generateReferrals } from "../src/testing/generate-referrals.js";
import { expectedIngestedIds, newestUpdatedAt, startHarness, type Harness } from "./engine-harness.js";

const referrals = generateReferrals(200, { seed: 13, invalidRatio: 0 });
const expected = expectedIngestedIds(referrals);
const updatedMs = (payload: unknown) => {
  const parsed = parseReferral(payload);
  return parsed.ok ? Date.parse(parsed.referral.updatedDateTime ?? "") : NaN;
};
const atOf = (id: string) => updatedMs(referrals.find((r) => r.id === id));
// The oldest ingestible referral: on the last page, far below the overlap of an incremental run.
const doomedId = [...expected].sort((a, b) => atOf(a) - atOf(b))[0] as string;
const doomedAt = new Date(atOf(doomedId)).toISOString();

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A harness whose matchLead throws for `doomedId` while `broken.on` is true. */
async function withBrokenHook() {
  const broken = { on: true };
  h = await startHarness({
    referrals,
    engine: {
      pageSize: 20,
      matchLead: async ({ referralId }) => {
        if (broken.on && referralId === doomedId) throw new Error("CRM rejects this customer");
        return null;
      },
    },
  });
  return { h, broken };
}

describe("item 13: a permanently failing referral is quarantined and stops pinning the cursor", () => {
  it("item 13: after 3 consecutive failing runs the referral is quarantined (status, report, event) and the mark passes it", async () => {
    const { h } = await withBrokenHook();
    const first = await h.engine.run({ trigger: "manual" });
    const second = await h.engine.run({ trigger: "manual" });
    for (const report of [first, second]) {
      expect(report.status).toBe("partial");
      expect(report.quarantined).toEqual([]);
      expect(report.cursor.next).toBe(doomedAt);
    }
    expect(h.eventsOf("referral.quarantined")).toEqual([]);

    const third = await h.engine.run({ trigger: "manual" });

    expect(third.status).toBe("partial");
    expect(third.counts.failed).toBe(1);
    expect(third.quarantined).toEqual([doomedId]);
    expect(third.counts.quarantined).toBe(1);
    expect(third.warnings).toContainEqual(expect.objectContaining({ code: "referrals_quarantined", count: 1 }));
    expect(h.eventsOf("referral.quarantined")).toEqual([
      expect.objectContaining({ runId: third.runId, referralId: doomedId, failures: 3 }),
    ]);
    expect(third.cursor.next).toBe(newestUpdatedAt(referrals));
    const status = await h.memory.getSyncStatus("default");
    expect(status.quarantined).toEqual([
      {
        referralId: doomedId,
        failures: 3,
        contentHash: expect.any(String),
        updatedAt: doomedAt,
        lastError: { code: "internal", message: expect.stringContaining("CRM rejects") },
        lastRunId: third.runId,
        quarantinedAt: expect.any(String),
      },
    ]);
    expect(status.warnings).toContainEqual(expect.objectContaining({ code: "referrals_quarantined", count: 1 }));

    // The next incremental run starts from the newest mark and never reaches the quarantined referral.
    const fourth = await h.engine.run({ trigger: "manual" });
    expect(fourth.status).toBe("succeeded");
    expect(fourth.cursor.previous).toBe(newestUpdatedAt(referrals));
    expect(fourth.counts.fetched).toBeLessThan(referrals.length);
    expect(fourth.quarantined).toEqual([]);
    // Not read, so not reset: it stays quarantined until a run reads it and it goes through.
    expect((await h.memory.getSyncStatus("default")).quarantined.map((q) => q.referralId)).toEqual([doomedId]);
  });

  it("item 13: a full run retries a quarantined referral; once it goes through it leaves quarantine", async () => {
    const { h, broken } = await withBrokenHook();
    for (let i = 0; i < 3; i += 1) await h.engine.run({ trigger: "manual" });
    const stillBroken = await h.engine.run({ trigger: "manual", full: true });
    expect(stillBroken.errors).toEqual([expect.objectContaining({ referralId: doomedId })]);
    expect(stillBroken.cursor.next).toBe(newestUpdatedAt(referrals)); // a quarantined failure holds no mark back
    expect((await h.memory.getSyncStatus("default")).quarantined).toEqual([expect.objectContaining({ referralId: doomedId, failures: 4 })]);

    broken.on = false;
    const full = await h.engine.run({ trigger: "manual", full: true });

    expect(full.status).toBe("succeeded");
    expect(await h.memory.getReferral(doomedId)).not.toBeNull();
    expect((await h.memory.getSyncStatus("default")).quarantined).toEqual([]);
    expect(new Set(await h.storedIds())).toEqual(expected);
  });

  it("item 13: a quarantined referral whose content changes is counted afresh and pins the mark again", async () => {
    const { h } = await withBrokenHook();
    for (let i = 0; i < 3; i += 1) await h.engine.run({ trigger: "manual" });
    const changed = h.fake.update(doomedId, { substatus: "Accepted" }) as { updatedDateTime: string };

    const report = await h.engine.run({ trigger: "manual" });

    expect(report.status).toBe("partial");
    expect(report.quarantined).toEqual([]);
    expect(report.cursor.next).toBe(new Date(changed.updatedDateTime).toISOString());
    expect((await h.memory.getSyncStatus("default")).quarantined).toEqual([]);
  });

  it("item 13: a run in which the referral goes through resets its count", async () => {
    const broken = { on: true };
    const throwing: ScoringHook = (input, current) => {
      if (broken.on && input.referral?.id === doomedId) throw new Error("scoring service down");
      return current;
    };
    h = await startHarness({ referrals, engine: { scoring: { hooks: [...defaultScoringHooks(), throwing] } } });
    await h.engine.run({ trigger: "manual" });
    await h.engine.run({ trigger: "manual" });
    broken.on = false;
    expect((await h.engine.run({ trigger: "manual" })).status).toBe("succeeded");
    broken.on = true;
    // Full runs read it again (the mark has passed it): two more failures, not five.
    for (let i = 0; i < 2; i += 1) {
      const report = await h.engine.run({ trigger: "manual", full: true });
      expect(report.status).toBe("partial");
      expect(report.quarantined).toEqual([]);
    }
    expect((await h.memory.getSyncStatus("default")).quarantined).toEqual([]);
    const third = await h.engine.run({ trigger: "manual", full: true });
    expect(third.quarantined).toEqual([doomedId]);
  });

  it("item 13: quarantineAfterRuns sets the threshold and is validated", async () => {
    h = await startHarness({
      referrals,
      engine: {
        quarantineAfterRuns: 1,
        matchLead: async ({ referralId }) => {
          if (referralId === doomedId) throw new Error("CRM rejects this customer");
          return null;
        },
      },
    });
    const report = await h.engine.run({ trigger: "manual" });
    expect(report.quarantined).toEqual([doomedId]);
    expect(report.cursor.next).toBe(newestUpdatedAt(referrals));
    expect(() => h?.secondEngine({ quarantineAfterRuns: 0 })).toThrow(
      expect.objectContaining({ code: "config_invalid", issues: [expect.objectContaining({ path: "createSyncEngine.quarantineAfterRuns" })] }),
    );
  });
});
