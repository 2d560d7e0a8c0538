import { describe, expect, it } from "vitest";
import { evaluateFilter, fromTicks, parseFilter, parseOrderBy, sortByKeys, toTicks } from "./fake-odata.js";

const referral = {
  id: "r1",
  engagementId: "65edc0b5-0000-4000-8000-000000000001",
  status: "Active",
  substatus: "Accepted",
  type: "Shared",
  qualification: "SalesQualified",
  direction: "Outgoing",
  updatedDateTime: "2025-03-04T09:12:44.1234567Z",
  customerProfile: { address: { country: "US" }, team: [{ email: "jane@fabrikam.com" }] },
  team: [{ email: "someone@contoso.com" }, { email: "x@contoso.com", firstName: "O'Neil" }],
};

const matches = (filter: string, options = {}) => {
  const parsed = parseFilter(filter, options);
  if (!parsed.ok) throw new Error(parsed.message);
  return evaluateFilter(parsed.value, referral);
};

describe("parseFilter + evaluateFilter", () => {
  it.each([
    ["engagementId eq '65edc0b5-0000-4000-8000-000000000001'", true],
    ["status eq 'Active' and qualification eq 'SalesQualified'", true],
    ["status eq 'New' and qualification eq 'SalesQualified'", false],
    ["customerProfile/address/country eq 'US' and direction eq 'Outgoing'", true],
    ["(type eq 'Shared' and direction eq 'Incoming')", false],
    ["status eq 'Active' and direction eq 'Outgoing' and type eq 'Shared' and team/any(t:t/email eq 'x@contoso.com')", true],
    ["team/any(t:t/email eq 'nobody@contoso.com')", false],
    ["customerProfile/team/any(m: m/email eq 'jane@fabrikam.com')", true],
    ["team/any(t:t/firstName eq 'O''Neil')", true],
    ["status eq 'active'", false],
  ])("%s → %s", (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it.each([
    ["status ne 'New'", "Operator 'ne'"],
    ["status eq 'New' or status eq 'Active'", "Unexpected 'or'"],
    ["customerProfile/name eq 'Contoso'", "'customerProfile/name' is not supported"],
    ["updatedDateTime gt 2025-01-01T00:00:00Z", "Operator 'gt'"],
    ["status eq New", "Expected a quoted string"],
    ["status eq 'New", "Unexpected character"],
    ["details/any(d:d/id eq 'x')", "any() is not supported"],
    ["team/any(t:s/email eq 'x')", "does not use the lambda variable"],
    ["(status eq 'New'", "Expected ')'"],
    ["", "empty"],
    ["contains(status,'New')", "Unexpected character at position 16"],
  ])("rejects %j", (filter, message) => {
    const parsed = parseFilter(filter);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });

  it.each([
    ["updatedDateTime gt 2025-03-01T00:00:00Z", true],
    ["updatedDateTime gt '2025-03-04T09:12:44.1234567Z'", false],
    ["updatedDateTime ge '2025-03-04T09:12:44.1234567Z'", true],
    ["updatedDateTime lt 2025-03-04T09:12:44.1234568Z", true],
    ["updatedDateTime le 2025-03-04T10:12:44+01:00", false],
  ])("with comparisons enabled, %s → %s", (filter, expected) => {
    expect(matches(filter, { comparisons: true })).toBe(expected);
  });

  it("rejects a date comparison with a value that is no date", () => {
    expect(parseFilter("updatedDateTime gt 'yesterday'", { comparisons: true }).ok).toBe(false);
  });
});

describe("$orderby", () => {
  const items = [
    { id: "a", updatedDateTime: "2025-01-02T00:00:00.0000002Z", createdDateTime: "2024-01-01T00:00:00Z" },
    { id: "b", updatedDateTime: "2025-01-02T00:00:00.0000001Z", createdDateTime: "2024-03-01T00:00:00Z" },
    { id: "c", updatedDateTime: "2025-01-01T00:00:00Z", createdDateTime: "2024-03-01T00:00:00Z" },
  ];
  it.each([
    ["updatedDateTime desc", ["a", "b", "c"]],
    ["updatedDateTime", ["c", "b", "a"]],
    ["updatedDateTime asc", ["c", "b", "a"]],
    ["createdDateTime desc", ["b", "c", "a"]],
    ["createdDateTime desc, updatedDateTime asc", ["c", "b", "a"]],
  ])("%s orders by 7-digit ticks, ties in input order", (orderBy, ids) => {
    const keys = parseOrderBy(orderBy);
    if (!keys.ok) throw new Error(keys.message);
    expect(sortByKeys(items, keys.value).map((i) => i.id)).toEqual(ids);
  });

  it.each(["name desc", "updatedDateTime sideways", ""])("rejects %j", (orderBy) => {
    expect(parseOrderBy(orderBy).ok).toBe(false);
  });
});

describe("ticks", () => {
  it.each([
    "2018-10-30T21:03:42.4579542Z",
    "2025-03-18T00:00:00.0000000Z",
  ])("round-trips %s", (stamp) => {
    expect(fromTicks(toTicks(stamp)!)).toBe(stamp);
  });

  it("reads short fractions and offsets and rejects non-timestamps", () => {
    expect(toTicks("2025-03-18T00:00:00Z")).toBe(toTicks("2025-03-18T01:00:00.0+01:00"));
    expect(toTicks("2025-03-18T00:00:00.1Z")! - toTicks("2025-03-18T00:00:00Z")!).toBe(1_000_000n);
    expect(toTicks("2025-03-18")).toBeNull();
    expect(toTicks(42)).toBeNull();
  });
});
