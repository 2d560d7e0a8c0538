// The MSAL cache plugin on the token_cache table: replicas share one cache, and concurrent writers
// merge instead of overwriting each other. msal-node's TokenCache is played by a small fake with the
// same serialize/deserialize contract (msal-node itself is exercised in core's tests).
import type { TokenCachePlugin } from "@pc-referrals/core";
import { afterEach, describe, expect, it } from "vitest";
import { createPgTokenCache, mergeTokenCaches, type PgStore } from "../src/index.js";
import { BACKENDS, useBackend } from "./backends.js";

type Sections = Record<string, Record<string, unknown>>;

/** What msal-node does around one token call: before → change the in-memory cache → after. */
function fakeMsalCache(plugin: TokenCachePlugin) {
  let state: Sections = {};
  let changed = false;
  const tokenCache = {
    serialize: () => JSON.stringify(state),
    deserialize: (text: string) => {
      state = JSON.parse(text) as Sections;
    },
  };
  const context = {
    tokenCache,
    get cacheHasChanged() {
      return changed;
    },
  } as unknown as Parameters<TokenCachePlugin["beforeCacheAccess"]>[0];
  return {
    state: () => state,
    async before() {
      changed = false;
      await plugin.beforeCacheAccess(context);
    },
    edit(fn: (s: Sections) => void) {
      fn(state);
      changed = true;
    },
    async after() {
      await plugin.afterCacheAccess(context);
    },
    async access(fn?: (s: Sections) => void) {
      await this.before();
      if (fn) this.edit(fn);
      await this.after();
    },
  };
}

describe.each(BACKENDS)("token cache on %s", (backend) => {
  const h = useBackend(backend, import.meta.filename);
  afterEach(() => h.reset());

  const replica = (): PgStore => (backend === "postgres" ? h.separateStore().store : h.store());
  const stored = async (key = "pc") => {
    const rows = await h.sql<{ data: string; version: string | number }>(
      `SELECT data, version FROM "${h.schema}".token_cache WHERE tenant = 'default' AND cache_key = $1`,
      [key],
    );
    return rows[0] ? { data: JSON.parse(rows[0].data) as Sections, version: Number(rows[0].version) } : null;
  };

  it("shares one login between replicas and writes only when the cache changed", async () => {
    const a = fakeMsalCache(createPgTokenCache(replica(), "pc"));
    await a.access();
    expect(await stored()).toBeNull();
    await a.access((s) => {
      s.RefreshToken = { rt1: { secret: "refresh-1" } };
    });
    expect(await stored()).toEqual({ data: { RefreshToken: { rt1: { secret: "refresh-1" } } }, version: 1 });

    const b = fakeMsalCache(createPgTokenCache(replica(), "pc"));
    await b.access();
    expect(b.state()).toEqual({ RefreshToken: { rt1: { secret: "refresh-1" } } });
    expect((await stored())?.version).toBe(1);
  });

  it("keeps caches of different keys apart", async () => {
    const store = replica();
    await fakeMsalCache(store.tokenCache("one")).access((s) => {
      s.Account = { x: { id: 1 } };
    });
    const two = fakeMsalCache(store.tokenCache("two"));
    await two.access();
    expect(two.state()).toEqual({});
  });

  it("tenants: keeps each tenant's login apart under the same key, shared by that tenant's replicas", async () => {
    const contoso = fakeMsalCache(createPgTokenCache(replica().forTenant("contoso"), "pc"));
    await contoso.access((s) => {
      s.RefreshToken = { rt: { secret: "contoso" } };
    });
    const fabrikam = fakeMsalCache(replica().forTenant("fabrikam").tokenCache("pc"));
    await fabrikam.access();
    expect(fabrikam.state()).toEqual({});
    await fabrikam.access((s) => {
      s.RefreshToken = { rt: { secret: "fabrikam" } };
    });
    const again = fakeMsalCache(replica().forTenant("contoso").tokenCache("pc"));
    await again.access();
    expect(again.state()).toEqual({ RefreshToken: { rt: { secret: "contoso" } } });
    const rows = await h.sql<{ tenant: string; data: string }>(
      `SELECT tenant, data FROM "${h.schema}".token_cache WHERE cache_key = 'pc' ORDER BY tenant`,
    );
    expect(rows.map((r) => [r.tenant, JSON.parse(r.data)])).toEqual([
      ["contoso", { RefreshToken: { rt: { secret: "contoso" } } }],
      ["fabrikam", { RefreshToken: { rt: { secret: "fabrikam" } } }],
    ]);
    expect(await stored()).toBeNull();
  });

  it("merges two writers that read the same version instead of losing one's change", async () => {
    const seed = fakeMsalCache(createPgTokenCache(replica(), "pc"));
    await seed.access((s) => {
      s.AccessToken = { at1: { secret: "a1" }, at2: { secret: "a2" } };
      s.RefreshToken = { rt1: { secret: "r1" } };
    });
    const a = fakeMsalCache(createPgTokenCache(replica(), "pc"));
    const b = fakeMsalCache(createPgTokenCache(replica(), "pc"));
    await a.before();
    await b.before();
    a.edit((s) => {
      (s.AccessToken as Record<string, unknown>).at1 = { secret: "a1-refreshed" };
      delete (s.AccessToken as Record<string, unknown>).at2;
    });
    b.edit((s) => {
      (s.RefreshToken as Record<string, unknown>).rt1 = { secret: "r2" };
      s.Account = { acc: { name: "someone" } };
    });
    await a.after();
    await b.after();
    expect(await stored()).toEqual({
      data: {
        AccessToken: { at1: { secret: "a1-refreshed" } },
        RefreshToken: { rt1: { secret: "r2" } },
        Account: { acc: { name: "someone" } },
      },
      version: 3,
    });
  });

  it("merges two first writers racing to create the row", async () => {
    const a = fakeMsalCache(createPgTokenCache(replica(), "pc"));
    const b = fakeMsalCache(createPgTokenCache(replica(), "pc"));
    await a.before();
    await b.before();
    a.edit((s) => void (s.Account = { a: 1 }));
    b.edit((s) => void (s.Account = { b: 2 }));
    await Promise.all([a.after(), b.after()]);
    expect(await stored()).toEqual({ data: { Account: { a: 1, b: 2 } }, version: 2 });
  });

  it("loses no entry when many replicas write at once", async () => {
    const writers = Array.from({ length: 6 }, () => fakeMsalCache(createPgTokenCache(replica(), "pc")));
    await Promise.all(writers.map((w, i) => w.access((s) => void (s.AccessToken = { ...(s.AccessToken ?? {}), [`at${i}`]: i }))));
    const final = await stored();
    expect(Object.keys(final?.data.AccessToken ?? {}).sort()).toEqual(["at0", "at1", "at2", "at3", "at4", "at5"]);
  });
});

describe("mergeTokenCaches", () => {
  const base = JSON.stringify({ A: { x: 1, y: 1 }, B: { z: 1 } });
  it.each([
    ["takes their change to an entry we left alone", { A: { x: 1, y: 1 }, B: { z: 1 } }, { A: { x: 2, y: 1 }, B: { z: 1 } }, { A: { x: 2, y: 1 }, B: { z: 1 } }],
    ["keeps our change over theirs", { A: { x: 3, y: 1 }, B: { z: 1 } }, { A: { x: 2, y: 1 }, B: { z: 1 } }, { A: { x: 3, y: 1 }, B: { z: 1 } }],
    ["keeps our deletion", { A: { x: 1 }, B: { z: 1 } }, { A: { x: 1, y: 1 }, B: { z: 1 } }, { A: { x: 1 }, B: { z: 1 } }],
    ["keeps their deletion of an entry we left alone", { A: { x: 1, y: 1 }, B: { z: 1 } }, { A: { x: 1 }, B: { z: 1 } }, { A: { x: 1 }, B: { z: 1 } }],
    ["adds entries and sections from both", { A: { x: 1, y: 1, n: 1 }, B: { z: 1 } }, { A: { x: 1, y: 1 }, B: { z: 1 }, C: { w: 1 } }, { A: { x: 1, y: 1, n: 1 }, B: { z: 1 }, C: { w: 1 } }],
  ])("%s", (_label, ours, theirs, expected) => {
    expect(JSON.parse(mergeTokenCaches(base, JSON.stringify(ours), JSON.stringify(theirs)))).toEqual(expected);
  });

  it("lets ours win when either side is not a JSON object", () => {
    expect(mergeTokenCaches(base, "encrypted:abc", JSON.stringify({ A: {} }))).toBe("encrypted:abc");
    expect(mergeTokenCaches(base, JSON.stringify({ A: {} }), "encrypted:def")).toBe(JSON.stringify({ A: {} }));
  });
});
