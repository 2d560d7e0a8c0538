import { describe, expect, it } from "vitest";
import { keepManualLink } from "./manual-link.js";
import type { LinkStatus } from "./store.js";

const decision = { status: "auto_linked", companyId: "c-new", candidateIds: ["c-new"] } as const;

describe("keepManualLink", () => {
  it.each<[string, { linkStatus: LinkStatus; linkedCompanyId: string | null } | undefined, { status: LinkStatus; companyId: string | null }]>([
    ["takes the decision for a new referral", undefined, { status: "auto_linked", companyId: "c-new" }],
    ["keeps a manual link", { linkStatus: "manual_linked", linkedCompanyId: "c-hand" }, { status: "manual_linked", companyId: "c-hand" }],
    ["keeps a manual unlink", { linkStatus: "manual_unlinked", linkedCompanyId: null }, { status: "manual_unlinked", companyId: null }],
    ["replaces an automatic link", { linkStatus: "unlinked", linkedCompanyId: null }, { status: "auto_linked", companyId: "c-new" }],
    ["replaces a multi-candidate link", { linkStatus: "multi_candidate", linkedCompanyId: null }, { status: "auto_linked", companyId: "c-new" }],
  ])("%s", (_name, previous, expected) => {
    expect(keepManualLink(previous, decision)).toEqual(expected);
  });
});
