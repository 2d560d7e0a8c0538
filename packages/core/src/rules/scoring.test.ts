import { describe, expect, it } from "vitest";
import { ConfigError, InvalidInputError, PcReferralsError } from "../errors.js";
import type { ScoringResult } from "../store/store.js";
import {
  applyScoringHooks,
  azureTenantScoringHook,
  coSellScoringHook,
  defaultScoringHooks,
} from "./scoring.js";
import type { ScoringHook, ScoringInput } from "./scoring.js";

const TENANT_REASON = "Existing M365 customer (Azure tenant id) → score 55";
const CO_SELL_REASON = "co-sell referral +15";
const TENANT = "0f3c9b6e-2d41-4c8a-9e7f-1a2b3c4d5e6f";

describe("applyScoringHooks with the default hooks", () => {
  it.each<[string, ScoringInput, ScoringResult]>([
    ["nothing to say", { referralType: "marketplace" }, { score: null, segment: null, reasons: [] }],
    ["keeps the starting values", { score: 30, segment: "SMB", referralType: "solution-provider" }, { score: 30, segment: "SMB", reasons: [] }],
    ["tenant present", { azureTenantId: TENANT }, { score: 55, segment: "Existing", reasons: [TENANT_REASON] }],
    ["tenant replaces the starting score", { azureTenantId: TENANT, score: 90, segment: "Enterprise" }, { score: 55, segment: "Existing", reasons: [TENANT_REASON] }],
    ["blank tenant is no tenant", { azureTenantId: "  ", score: 10 }, { score: 10, segment: null, reasons: [] }],
    ["null tenant", { azureTenantId: null }, { score: null, segment: null, reasons: [] }],
    ["co-sell from null", { referralType: "co-sell" }, { score: 15, segment: null, reasons: [CO_SELL_REASON] }],
    ["co-sell on a score", { referralType: "co-sell", score: 40 }, { score: 55, segment: null, reasons: [CO_SELL_REASON] }],
    [
      "tenant then co-sell",
      { azureTenantId: TENANT, referralType: "co-sell" },
      { score: 70, segment: "Existing", reasons: [TENANT_REASON, CO_SELL_REASON] },
    ],
  ])("%s", (_name, input, expected) => {
    expect(applyScoringHooks(input)).toEqual(expected);
  });

  it("uses the numbers given as options", () => {
    const hooks = defaultScoringHooks({ azureTenantScore: 60, coSellBonus: 5 });
    expect(applyScoringHooks({ azureTenantId: TENANT, referralType: "co-sell" }, hooks)).toEqual({
      score: 65,
      segment: "Existing",
      reasons: ["Existing M365 customer (Azure tenant id) → score 60", "co-sell referral +5"],
    });
  });

  it("runs no hooks when given an empty list", () => {
    expect(applyScoringHooks({ azureTenantId: TENANT, referralType: "co-sell", score: 3 }, [])).toEqual({
      score: 3,
      segment: null,
      reasons: [],
    });
  });
});

describe("built-in hooks", () => {
  it("azureTenantScoringHook takes a score and a segment", () => {
    const hook = azureTenantScoringHook({ score: 80, segment: "M365" });
    expect(applyScoringHooks({ azureTenantId: TENANT }, [hook])).toEqual({
      score: 80,
      segment: "M365",
      reasons: ["Existing M365 customer (Azure tenant id) → score 80"],
    });
  });

  it("coSellScoringHook describes a negative bonus", () => {
    expect(applyScoringHooks({ referralType: "co-sell", score: 20 }, [coSellScoringHook({ bonus: -5 })])).toEqual({
      score: 15,
      segment: null,
      reasons: ["co-sell referral -5"],
    });
  });

  it("does not mutate the result it is given", () => {
    const current: ScoringResult = Object.freeze({ score: 1, segment: null, reasons: Object.freeze(["seed"]) as string[] });
    const input: ScoringInput = { azureTenantId: TENANT, referralType: "co-sell" };
    for (const hook of defaultScoringHooks()) {
      const next = hook(input, current);
      expect(next).not.toBe(current);
      expect(next.reasons[0]).toBe("seed");
    }
    expect(current).toEqual({ score: 1, segment: null, reasons: ["seed"] });
  });

  it.each([
    ["azureTenantScoringHook", () => azureTenantScoringHook({ score: Number.NaN, segment: " " }), ["azureTenantScoringHook.score", "azureTenantScoringHook.segment"]],
    ["coSellScoringHook", () => coSellScoringHook({ bonus: Number.POSITIVE_INFINITY }), ["coSellScoringHook.bonus"]],
    [
      "defaultScoringHooks",
      () => defaultScoringHooks({ azureTenantScore: "55" as unknown as number, coSellBonus: Number.NaN }),
      ["defaultScoringHooks.azureTenantScore", "defaultScoringHooks.coSellBonus"],
    ],
  ])("%s rejects bad options with one ConfigError", (_name, make, paths) => {
    try {
      make();
      expect.fail("should throw");
    } catch (error) {
      expect(PcReferralsError.hasCode(error, "config_invalid")).toBe(true);
      expect((error as ConfigError).issues.map((i) => i.path).sort()).toEqual(paths);
    }
  });
});

describe("custom hooks", () => {
  const enterprise: ScoringHook = (input, current) =>
    input.referral?.customerProfile?.size === "Morethan20000employees"
      ? { ...current, segment: "Enterprise", reasons: [...current.reasons, "enterprise size"] }
      : current;

  it("runs appended hooks after the built-ins, seeing their result", () => {
    const seen: ScoringResult[] = [];
    const spy: ScoringHook = (_input, current) => (seen.push(current), current);
    const hooks = [...defaultScoringHooks(), enterprise, spy];
    const result = applyScoringHooks(
      { referralType: "co-sell", referral: { id: "r", customerProfile: { size: "Morethan20000employees" } } },
      hooks,
    );
    expect(result).toEqual({ score: 15, segment: "Enterprise", reasons: [CO_SELL_REASON, "enterprise size"] });
    expect(seen).toEqual([result]);
  });

  it("protects earlier steps from a hook that mutates its argument", () => {
    const mutating: ScoringHook = (_input, current) => {
      current.reasons.push("sneaky");
      current.score = 999;
      return { score: 1, segment: null, reasons: [] };
    };
    const captured: ScoringResult[] = [];
    const capture: ScoringHook = (_input, current) => (captured.push(current), { ...current, reasons: [...current.reasons] });
    expect(applyScoringHooks({ referralType: "co-sell" }, [coSellScoringHook(), capture, mutating])).toEqual({
      score: 1,
      segment: null,
      reasons: [],
    });
    expect(captured[0]).toEqual({ score: 15, segment: null, reasons: [CO_SELL_REASON] });
  });

  it.each<[string, unknown]>([
    ["undefined", undefined],
    ["a number", 42],
    ["NaN score", { score: Number.NaN, segment: null, reasons: [] }],
    ["Infinity score", { score: Number.POSITIVE_INFINITY, segment: null, reasons: [] }],
    ["string score", { score: "55", segment: null, reasons: [] }],
    ["numeric segment", { score: 1, segment: 5, reasons: [] }],
    ["missing reasons", { score: 1, segment: null }],
    ["reasons with a number", { score: 1, segment: null, reasons: ["ok", 3] }],
    ["reasons as a string", { score: 1, segment: null, reasons: "ok" }],
  ])("throws InvalidInputError naming the hook index when a hook returns %s", (_name, output) => {
    const bad = (() => output) as unknown as ScoringHook;
    const run = () => applyScoringHooks({ score: 1 }, [coSellScoringHook(), bad]);
    expect(run).toThrow(InvalidInputError);
    expect(run).toThrow(/hook #1/);
  });

  it("rejects a hook that is not a function", () => {
    expect(() => applyScoringHooks({}, [null as unknown as ScoringHook])).toThrow(/hook #0 is not a function/);
  });

  it("rejects a non-finite starting score", () => {
    expect(() => applyScoringHooks({ score: Number.NaN })).toThrow(InvalidInputError);
  });

  it("lets a hook's own error through unchanged", () => {
    const failure = new Error("host scorer down");
    const throwing: ScoringHook = () => {
      throw failure;
    };
    expect(() => applyScoringHooks({}, [throwing])).toThrow(failure);
  });

  it("returns a result detached from the hooks' objects", () => {
    const shared: ScoringResult = { score: 5, segment: "x", reasons: ["r"] };
    const result = applyScoringHooks({}, [() => shared]);
    result.reasons.push("later");
    expect(shared.reasons).toEqual(["r"]);
  });
});
