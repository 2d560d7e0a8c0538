import { describe, expect, it } from "vitest";
import { PcReferralsError } from "../errors.js";
import { odataFilter, type ODataFilter } from "./odata-filter.js";

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return PcReferralsError.is(error) ? error.code : "not a library error";
  }
  return undefined;
};

describe("odataFilter", () => {
  it.each([
    ["eq on a top-level field", () => odataFilter.eq("status", "New"), "status eq 'New'"],
    ["eq on engagementId", () => odataFilter.eq("engagementId", "65edc0b5"), "engagementId eq '65edc0b5'"],
    [
      "eq on a nested path",
      () => odataFilter.eq("customerProfile/address/country", "US"),
      "customerProfile/address/country eq 'US'",
    ],
    ["a quote doubled", () => odataFilter.eq("id", "o'neil"), "id eq 'o''neil'"],
    ["several quotes doubled", () => odataFilter.eq("id", "''x'"), "id eq '''''x'''"],
    ["an injection attempt stays inside the literal", () => odataFilter.eq("status", "New' or 1 eq 1 or 'a"), "status eq 'New'' or 1 eq 1 or ''a'"],
    [
      "any on team e-mails",
      () => odataFilter.any("team", "email", "eq", "x@contoso.com"),
      "team/any(t:t/email eq 'x@contoso.com')",
    ],
    [
      "any with a quote in the value",
      () => odataFilter.any("customerProfile/team", "email", "eq", "o'neil@contoso.com"),
      "customerProfile/team/any(t:t/email eq 'o''neil@contoso.com')",
    ],
    [
      "a timestamp range",
      () => odataFilter.compare("updatedDateTime", "gt", new Date("2025-03-04T09:12:44.123Z")),
      "updatedDateTime gt 2025-03-04T09:12:44.123Z",
    ],
    [
      "a timestamp range from an ISO string",
      () => odataFilter.compare("createdDateTime", "le", "2025-01-01T00:00:00+01:00"),
      "createdDateTime le 2024-12-31T23:00:00.000Z",
    ],
    [
      "the documented compound example",
      () =>
        odataFilter.and(
          odataFilter.eq("status", "Active"),
          odataFilter.eq("direction", "Outgoing"),
          odataFilter.eq("type", "Shared"),
          odataFilter.any("team", "email", "eq", "x@contoso.com"),
        ),
      "status eq 'Active' and direction eq 'Outgoing' and type eq 'Shared' and team/any(t:t/email eq 'x@contoso.com')",
    ],
    [
      "nested and flattens",
      () =>
        odataFilter.and(
          odataFilter.and(odataFilter.eq("status", "New"), odataFilter.eq("qualification", "SalesQualified")),
          odataFilter.eq("substatus", "Pending"),
        ),
      "status eq 'New' and qualification eq 'SalesQualified' and substatus eq 'Pending'",
    ],
    ["and of one expression", () => odataFilter.and(odataFilter.eq("direction", "Incoming")), "direction eq 'Incoming'"],
  ])("builds %s", (_name, build, expected) => {
    expect(build()).toBe(expected);
  });

  // Casts stand in for JavaScript callers, whom the types do not protect.
  it.each([
    ["an unknown field", () => odataFilter.eq("website" as never, "x")],
    ["a date field with eq", () => odataFilter.eq("updatedDateTime" as never, "x")],
    ["a non-string value", () => odataFilter.eq("status", 5 as never)],
    ["a string field in compare", () => odataFilter.compare("status" as never, "gt", new Date())],
    ["an unknown range operator", () => odataFilter.compare("updatedDateTime", "ne" as never, new Date())],
    ["an invalid date", () => odataFilter.compare("updatedDateTime", "gt", "yesterday")],
    ["an unknown collection", () => odataFilter.any("partners" as never, "email" as never, "eq", "x")],
    ["an unknown member property", () => odataFilter.any("team", "phoneNumber" as never, "eq", "x")],
    ["an operator other than eq in any", () => odataFilter.any("team", "email", "ne" as never, "x")],
    ["an empty and", () => odataFilter.and()],
    ["an empty expression in and", () => odataFilter.and("" as ODataFilter)],
  ])("rejects %s with invalid_input", (_name, build) => {
    expect(code(build)).toBe("invalid_input");
  });
});
