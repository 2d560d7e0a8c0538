import { describe, expect, it } from "vitest";
import { coSellFromMicrosoft } from "../../test/fixtures/reference-examples.js";
import { canonicalJson, contentHash } from "./content-hash.js";

describe("canonicalJson", () => {
  it.each([
    ["sorted keys at every depth", { b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }, '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}'],
    ["undefined members dropped", { a: undefined, b: 1 }, '{"b":1}'],
    ["undefined in arrays becomes null", [undefined, 1], "[null,1]"],
    ["strings escaped as JSON", { "k\"": "v\n" }, '{"k\\"":"v\\n"}'],
    ["dates as ISO strings", { at: new Date(0) }, '{"at":"1970-01-01T00:00:00.000Z"}'],
  ])("%s", (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });
});

describe("contentHash", () => {
  it("is the same for the same content in any key order", () => {
    const reordered = Object.fromEntries(Object.entries(coSellFromMicrosoft).reverse());
    expect(contentHash(reordered)).toBe(contentHash(coSellFromMicrosoft));
    expect(contentHash(coSellFromMicrosoft)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["a status change", { status: "Closed" }],
    ["a new eTag", { eTag: '"other"' }],
    ["a new updatedDateTime", { updatedDateTime: "2025-03-05T00:00:00Z" }],
    ["a nested change", { customerProfile: { ...(coSellFromMicrosoft.customerProfile as object), name: "Other" } }],
  ])("changes with %s", (_name, patch) => {
    expect(contentHash({ ...coSellFromMicrosoft, ...patch })).not.toBe(contentHash(coSellFromMicrosoft));
  });
});
