import { describe, expect, it, vi } from "vitest";
import { loadConfig } from "./config.js";
import type { PcReferralsConfig } from "./config.js";
import { ConfigError, PcReferralsError } from "./errors.js";

const CLIENT = "4f1e2d3c-0000-4000-8000-00000000c1d1";

function issuesOf(run: () => unknown): ConfigError["issues"] {
  try {
    run();
  } catch (error) {
    expect(PcReferralsError.hasCode(error, "config_invalid")).toBe(true);
    return (error as ConfigError).issues;
  }
  return expect.fail("expected a ConfigError");
}

const defaults: PcReferralsConfig = {
  enabled: false,
  clientId: null,
  tenantId: "organizations",
  authority: null,
  apiBaseUrl: "https://api.partner.microsoft.com",
  scope: "https://api.partner.microsoft.com/.default",
  tokenCachePath: "./.pc-referrals/token-cache.json",
  tokenCacheKey: null,
  syncIntervalSeconds: 600,
  syncOverlapSeconds: 600,
  azureTenantScore: 55,
  coSellBonus: 15,
  expiryDefaultDays: 14,
  expiryThresholdsDays: [3, 1],
  databaseUrl: null,
  dataDir: "./.pc-referrals/pgdata",
  nodeEnv: "production",
  webhooksBaseUrl: "https://api.partnercenter.microsoft.com/webhooks/v1",
  webhooksScope: "https://api.partnercenter.microsoft.com/user_impersonation",
  webhooksReceive: false,
  webhooksCertificateHosts: ["3psostorageacct.blob.core.windows.net"],
};

describe("loadConfig", () => {
  it("returns the defaults for an empty environment", () => {
    expect(loadConfig({})).toEqual(defaults);
  });

  it("expiry: reads PARTNER_CENTER_EXPIRY_DAYS and PARTNER_CENTER_EXPIRY_THRESHOLDS (comma-separated, or none)", () => {
    expect(loadConfig({ PARTNER_CENTER_EXPIRY_DAYS: "10", PARTNER_CENTER_EXPIRY_THRESHOLDS: "7, 2,0.5" })).toMatchObject({
      expiryDefaultDays: 10,
      expiryThresholdsDays: [7, 2, 0.5],
    });
    expect(loadConfig({ PARTNER_CENTER_EXPIRY_THRESHOLDS: "None" }).expiryThresholdsDays).toEqual([]);
  });

  it.each([
    ["PARTNER_CENTER_EXPIRY_DAYS", "0"],
    ["PARTNER_CENTER_EXPIRY_DAYS", "fortnight"],
    ["PARTNER_CENTER_EXPIRY_DAYS", "400"],
    ["PARTNER_CENTER_EXPIRY_THRESHOLDS", "3,,1"],
    ["PARTNER_CENTER_EXPIRY_THRESHOLDS", "3,3"],
    ["PARTNER_CENTER_EXPIRY_THRESHOLDS", "0"],
  ])("expiry: rejects %s=%s with a ConfigError naming the variable", (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toEqual([name]);
  });

  it("treats empty and blank values as unset", () => {
    expect(
      loadConfig({ PARTNER_CENTER_ENABLED: "", PARTNER_CENTER_SYNC_INTERVAL: "  ", DATABASE_URL: "", NODE_ENV: "" }),
    ).toEqual(defaults);
  });

  it("reads process.env when no environment is given", () => {
    vi.stubEnv("PARTNER_CENTER_ENABLED", "false");
    vi.stubEnv("PARTNER_CENTER_SYNC_INTERVAL", "77");
    vi.stubEnv("DATABASE_URL", "");
    try {
      expect(loadConfig().syncIntervalSeconds).toBe(77);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.each([
    ["development", 30],
    ["Development", 30],
    ["production", 600],
    ["test", 600],
  ])("uses a sync interval suited to NODE_ENV=%s", (nodeEnv, seconds) => {
    const config = loadConfig({ NODE_ENV: nodeEnv });
    expect(config.syncIntervalSeconds).toBe(seconds);
    expect(config.nodeEnv).toBe(nodeEnv);
  });

  it("lets an explicit interval win in development", () => {
    expect(loadConfig({ NODE_ENV: "development", PARTNER_CENTER_SYNC_INTERVAL: "120" }).syncIntervalSeconds).toBe(120);
  });

  it("reads every variable", () => {
    const config = loadConfig({
      PARTNER_CENTER_ENABLED: "TRUE",
      PARTNER_CENTER_CLIENT_ID: ` ${CLIENT} `,
      PARTNER_CENTER_TENANT_ID: "contoso.onmicrosoft.com",
      PARTNER_CENTER_AUTHORITY: "https://login.fake.test/contoso.onmicrosoft.com",
      PARTNER_CENTER_API_URL: "http://127.0.0.1:8080/",
      PARTNER_CENTER_SCOPE: "api://pc/.default offline_access",
      PARTNER_CENTER_TOKEN_CACHE_PATH: "/var/lib/pc/cache.json",
      PARTNER_CENTER_TOKEN_CACHE_KEY: "0123456789abcdef",
      PARTNER_CENTER_SYNC_INTERVAL: "90",
      PARTNER_CENTER_SYNC_OVERLAP: "0",
      PARTNER_CENTER_AZURE_TENANT_SCORE: "60.5",
      PARTNER_CENTER_COSELL_BONUS: "-5",
      PARTNER_CENTER_EXPIRY_DAYS: "30",
      PARTNER_CENTER_EXPIRY_THRESHOLDS: "5",
      PARTNER_CENTER_DATA_DIR: "/data/pg",
      DATABASE_URL: "postgresql://root@/pcr_test?host=/var/run/postgresql",
      NODE_ENV: "test",
      PARTNER_CENTER_WEBHOOKS_BASE_URL: "http://127.0.0.1:8080/webhooks/v1/",
      PARTNER_CENTER_WEBHOOKS_SCOPE: "api://pcw/user_impersonation",
      PARTNER_CENTER_WEBHOOKS_RECEIVE: "yes",
      PARTNER_CENTER_WEBHOOKS_CERT_HOSTS: " 127.0.0.1:8080 , Certs.Example.com",
    });
    expect(config).toEqual({
      enabled: true,
      clientId: CLIENT,
      tenantId: "contoso.onmicrosoft.com",
      authority: "https://login.fake.test/contoso.onmicrosoft.com",
      apiBaseUrl: "http://127.0.0.1:8080",
      scope: "api://pc/.default offline_access",
      tokenCachePath: "/var/lib/pc/cache.json",
      tokenCacheKey: "0123456789abcdef",
      syncIntervalSeconds: 90,
      syncOverlapSeconds: 0,
      azureTenantScore: 60.5,
      coSellBonus: -5,
      expiryDefaultDays: 30,
      expiryThresholdsDays: [5],
      databaseUrl: "postgresql://root@/pcr_test?host=/var/run/postgresql",
      dataDir: "/data/pg",
      nodeEnv: "test",
      webhooksBaseUrl: "http://127.0.0.1:8080/webhooks/v1",
      webhooksScope: "api://pcw/user_impersonation",
      webhooksReceive: true,
      webhooksCertificateHosts: ["127.0.0.1:8080", "certs.example.com"],
    });
  });

  it("refuses bad webhook settings, naming each variable", () => {
    const issues = issuesOf(() =>
      loadConfig({ PARTNER_CENTER_WEBHOOKS_BASE_URL: "ftp://x", PARTNER_CENTER_WEBHOOKS_RECEIVE: "maybe", PARTNER_CENTER_WEBHOOKS_CERT_HOSTS: "https://x/" }),
    );
    expect(issues.map((i) => i.path)).toEqual(["PARTNER_CENTER_WEBHOOKS_BASE_URL", "PARTNER_CENTER_WEBHOOKS_RECEIVE", "PARTNER_CENTER_WEBHOOKS_CERT_HOSTS"]);
  });

  it.each([
    ["true", true],
    ["1", true],
    ["Yes", true],
    ["ON", true],
    ["false", false],
    ["0", false],
    ["no", false],
    ["Off", false],
  ])("accepts ENABLED=%s", (value, enabled) => {
    expect(loadConfig({ PARTNER_CENTER_ENABLED: value, PARTNER_CENTER_CLIENT_ID: CLIENT }).enabled).toBe(enabled);
  });

  it.each([
    ["a GUID", "72f988bf-86f1-41af-91ab-2d7cd011db47", "72f988bf-86f1-41af-91ab-2d7cd011db47"],
    ["a domain", "fabrikam.com", "fabrikam.com"],
    ["common", "Common", "common"],
    ["organizations", "organizations", "organizations"],
  ])("accepts a tenant given as %s", (_name, value, expected) => {
    expect(loadConfig({ PARTNER_CENTER_TENANT_ID: value }).tenantId).toBe(expected);
  });

  it("requires CLIENT_ID when enabled", () => {
    expect(issuesOf(() => loadConfig({ PARTNER_CENTER_ENABLED: "true" }))).toEqual([
      { path: "PARTNER_CENTER_CLIENT_ID", message: "required when PARTNER_CENTER_ENABLED is true" },
    ]);
    expect(loadConfig({ PARTNER_CENTER_ENABLED: "false" }).clientId).toBeNull();
  });

  it("lists every bad key in one ConfigError, without the bad values", () => {
    const secretish = "hunter2-secret-value";
    const env = {
      PARTNER_CENTER_ENABLED: "maybe",
      PARTNER_CENTER_TENANT_ID: "not a tenant!",
      PARTNER_CENTER_AUTHORITY: "http://login.microsoftonline.com/common",
      PARTNER_CENTER_API_URL: "ftp://api.example.com",
      PARTNER_CENTER_SCOPE: "a  b",
      PARTNER_CENTER_TOKEN_CACHE_KEY: "short",
      PARTNER_CENTER_SYNC_INTERVAL: "0",
      PARTNER_CENTER_SYNC_OVERLAP: "-1",
      PARTNER_CENTER_AZURE_TENANT_SCORE: "lots",
      PARTNER_CENTER_COSELL_BONUS: "1e3",
      DATABASE_URL: `mysql://user:${secretish}@db/app`,
    };
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const issues = (thrown as ConfigError).issues;
    expect(issues.map((i) => i.path).sort()).toEqual([
      "DATABASE_URL",
      "PARTNER_CENTER_API_URL",
      "PARTNER_CENTER_AUTHORITY",
      "PARTNER_CENTER_AZURE_TENANT_SCORE",
      "PARTNER_CENTER_COSELL_BONUS",
      "PARTNER_CENTER_ENABLED",
      "PARTNER_CENTER_SCOPE",
      "PARTNER_CENTER_SYNC_INTERVAL",
      "PARTNER_CENTER_SYNC_OVERLAP",
      "PARTNER_CENTER_TENANT_ID",
      "PARTNER_CENTER_TOKEN_CACHE_KEY",
    ]);
    expect(issues.find((i) => i.path === "PARTNER_CENTER_SYNC_INTERVAL")?.message).toBe(
      "expected a whole number of seconds from 1 to 2147483 (about 24.8 days)",
    );
    const message = (thrown as ConfigError).message;
    for (const value of [secretish, "short", "maybe", "not a tenant!", "lots"]) {
      expect(message).not.toContain(value);
      expect(JSON.stringify(issues)).not.toContain(value);
    }
  });

  it.each(["10.5", "1e3", "0x10", "+5", "-30", "abc", "0", "99999999999999999999"])(
    "rejects SYNC_INTERVAL=%s",
    (value) => {
      expect(issuesOf(() => loadConfig({ PARTNER_CENTER_SYNC_INTERVAL: value })).map((i) => i.path)).toEqual([
        "PARTNER_CENTER_SYNC_INTERVAL",
      ]);
    },
  );

  it.each(["https://", "not a url", "postgres://x"])("checks URL forms (API_URL=%s)", (value) => {
    const paths = issuesOf(() => loadConfig({ PARTNER_CENTER_API_URL: value })).map((i) => i.path);
    expect(paths).toEqual(["PARTNER_CENTER_API_URL"]);
  });

  describe("item 9: sync durations fit in a timer once turned into milliseconds", () => {
    it.each([
      ["PARTNER_CENTER_SYNC_INTERVAL", "syncIntervalSeconds", "1", 1],
      ["PARTNER_CENTER_SYNC_OVERLAP", "syncOverlapSeconds", "0", 0],
    ] as const)("%s accepts %s from its minimum up to 2147483 seconds", (name, key, min, parsedMin) => {
      expect(loadConfig({ [name]: min })[key]).toBe(parsedMin);
      expect(loadConfig({ [name]: "2147483" })[key] * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
    });

    it.each([
      ["PARTNER_CENTER_SYNC_INTERVAL", "2147484", "from 1 to 2147483"],
      ["PARTNER_CENTER_SYNC_INTERVAL", "1000000000", "from 1 to 2147483"],
      ["PARTNER_CENTER_SYNC_OVERLAP", "2147484", "from 0 to 2147483"],
    ])("rejects %s=%s with a config_invalid that states the range", (name, value, range) => {
      expect(issuesOf(() => loadConfig({ [name]: value }))).toEqual([
        { path: name, message: `expected a whole number of seconds ${range} (about 24.8 days)` },
      ]);
    });
  });

  describe("prefix override", () => {
    it("reads variables under the given prefix and ignores the default ones", () => {
      const config = loadConfig(
        {
          HUNTER_PARTNER_CENTER_ENABLED: "yes",
          HUNTER_PARTNER_CENTER_CLIENT_ID: CLIENT,
          HUNTER_PARTNER_CENTER_DATA_DIR: "/srv/pgdata",
          PARTNER_CENTER_SYNC_INTERVAL: "not read",
          DATABASE_URL: "postgres://u@localhost:5432/app",
        },
        { prefix: "HUNTER_PARTNER_CENTER_" },
      );
      expect(config).toMatchObject({
        enabled: true,
        clientId: CLIENT,
        dataDir: "/srv/pgdata",
        syncIntervalSeconds: 600,
        databaseUrl: "postgres://u@localhost:5432/app",
      });
    });

    it("names bad keys with the prefix actually used", () => {
      const paths = issuesOf(() =>
        loadConfig({ PC_ENABLED: "on", PC_SYNC_OVERLAP: "soon" }, { prefix: "PC_" }),
      ).map((i) => i.path);
      expect(paths.sort()).toEqual(["PC_CLIENT_ID", "PC_SYNC_OVERLAP"]);
    });
  });
});
