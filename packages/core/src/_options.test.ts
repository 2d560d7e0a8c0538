import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, PcReferralsError } from "./errors.js";
import { parseOptions } from "./_options.js";

describe("parseOptions", () => {
  const schema = z.object({ port: z.number().int(), name: z.string(), retries: z.number().default(3) });

  it("returns parsed options with defaults applied", () => {
    expect(parseOptions(schema, { port: 1, name: "x" }, "createThing")).toEqual({ port: 1, name: "x", retries: 3 });
  });

  it("lists every bad path in one ConfigError", () => {
    try {
      parseOptions(schema, { port: "no", name: 5 }, "createThing");
      expect.fail("should throw");
    } catch (error) {
      expect(PcReferralsError.hasCode(error, "config_invalid")).toBe(true);
      const paths = (error as ConfigError).issues.map((i) => i.path).sort();
      expect(paths).toEqual(["createThing.name", "createThing.port"]);
    }
  });
});
