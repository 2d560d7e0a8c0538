// Referral payloads of the browser tests: generated ones, plus one whose customer name is markup.
import { generateReferrals } from "@pc-referrals/core/testing";
import type { Page } from "playwright-core";
import { expect } from "vitest";

export const HOSTILE_NAME = "<img src=x onerror=alert(1)>";
export const HOSTILE_ID = "0b4d0000-0000-4000-8000-00000000f00d";

/** `count` generated referrals and one hostile copy of an ingestable one, newest of all. */
export function referralsWithHostileName(count: number, seed: number): Record<string, unknown>[] {
  const referrals = generateReferrals(count, { seed });
  const source = referrals.find(
    (r) => r["status"] === "New" && r["direction"] === "Incoming" && r["isSpam"] !== true && typeof r["id"] === "string",
  );
  if (source === undefined) throw new Error("no ingestable referral to copy");
  const hostile = structuredClone(source);
  hostile["id"] = HOSTILE_ID;
  hostile["updatedDateTime"] = "2025-11-01T00:00:00Z";
  const profile = hostile["customerProfile"] as Record<string, unknown>;
  profile["name"] = HOSTILE_NAME;
  return [...referrals, hostile];
}

/** Referral ids of the table's rows, top to bottom. */
export function rowIds(page: Page): Promise<string[]> {
  return page.locator("#rows tr[data-id]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id") ?? ""));
}

/** `expect.poll` with room for a busy CI machine (its default gives up after 1 s). */
export function eventually<T>(read: () => T | Promise<T>): ReturnType<typeof expect.poll<T>> {
  return expect.poll(read, { timeout: 10_000 });
}
