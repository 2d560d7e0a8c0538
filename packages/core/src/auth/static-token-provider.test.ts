import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createStaticTokenProvider } from "./static-token-provider.js";

const TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln";

describe("createStaticTokenProvider", () => {
  it("returns the token it was given, every time", async () => {
    const provider = createStaticTokenProvider(TOKEN);
    expect(await provider.getAccessToken()).toBe(TOKEN);
    expect(await provider.getAccessToken(new AbortController().signal)).toBe(TOKEN);
  });

  it("never reveals the token when the provider is serialized or inspected", () => {
    const provider = createStaticTokenProvider(TOKEN);
    expect(JSON.stringify(provider)).not.toContain(TOKEN);
    expect(inspect(provider, { depth: 5, showHidden: true })).not.toContain(TOKEN);
  });

  it("rejects with the reason of an aborted signal", async () => {
    const reason = new Error("stop");
    await expect(createStaticTokenProvider(TOKEN).getAccessToken(AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it.each([
    ["an empty string", ""],
    ["a token with a space", "Bearer abc"],
    ["a token with a newline", "abc\ndef"],
    ["not a string", 42],
  ])("rejects %s with a ConfigError that does not echo it", (_name, token) => {
    let error: unknown;
    try {
      createStaticTokenProvider(token as string);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "config_invalid", issues: [expect.objectContaining({ path: "createStaticTokenProvider.token" })] });
    if (typeof token === "string" && token) expect((error as Error).message).not.toContain(token);
  });
});
