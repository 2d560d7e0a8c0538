// Option schema of the MSAL token provider and its translation into msal-node's configuration.
import { LogLevel, type Configuration, type ICachePlugin, type INetworkModule } from "@azure/msal-node";
import { z } from "zod";
import type { Logger } from "../logger.js";
import { hasMethods, loggerOption } from "../_options.js";

/** The Partner Center API scope, the provider's default. */
export const PARTNER_CENTER_SCOPE = "https://api.partner.microsoft.com/.default";

const httpsUrl = z.string().refine((value) => {
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}, "expected an https:// URL");

const jsonString = z.string().refine((value) => {
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}, "expected a JSON string");

/** Validates `createMsalTokenProvider` options; defaults live here. */
export const msalOptionsSchema = z.strictObject({
  clientId: z.string().trim().min(1, "expected the application (client) id"),
  tenantId: z.string().trim().min(1, "expected a tenant id or domain").optional(),
  authority: httpsUrl.optional(),
  scopes: z
    .array(z.string().regex(/^\S+$/, "expected a scope without spaces"))
    .min(1, "expected at least one scope")
    .default([PARTNER_CENTER_SCOPE]),
  cache: z
    .custom<ICachePlugin>(
      hasMethods(["beforeCacheAccess", "afterCacheAccess"]),
      "expected an msal cache plugin (beforeCacheAccess, afterCacheAccess)",
    )
    .optional(),
  knownAuthorities: z.array(z.string().min(1)).optional(),
  authorityMetadata: jsonString.optional(),
  cloudDiscoveryMetadata: jsonString.optional(),
  networkClient: z
    .custom<INetworkModule>(hasMethods(["sendGetRequestAsync", "sendPostRequestAsync"]), "expected an msal INetworkModule")
    .optional(),
  logger: loggerOption.optional(),
});

type ParsedOptions = z.output<typeof msalOptionsSchema>;

/** msal-node's configuration for the parsed options; msal's own log lines reach `logger` at debug level. */
export function buildConfiguration(o: ParsedOptions, logger: Logger): Configuration {
  const authority = o.authority ?? `https://login.microsoftonline.com/${encodeURIComponent(o.tenantId ?? "organizations")}`;
  const config: Configuration = {
    auth: {
      clientId: o.clientId,
      authority,
      ...(o.knownAuthorities ? { knownAuthorities: [...o.knownAuthorities] } : {}),
      ...(o.authorityMetadata ? { authorityMetadata: o.authorityMetadata } : {}),
      ...(o.cloudDiscoveryMetadata ? { cloudDiscoveryMetadata: o.cloudDiscoveryMetadata } : {}),
    },
    system: {
      ...(o.networkClient ? { networkClient: o.networkClient } : {}),
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        // msal logs expected failures (a declined code, a cancelled poll) as errors; ours are thrown, so debug.
        loggerCallback: (level, message, containsPii) => {
          if (containsPii || level > LogLevel.Warning) return;
          logger.debug({ source: "msal", level: level === LogLevel.Error ? "error" : "warning" }, message);
        },
      },
    },
  };
  if (o.cache) config.cache = { cachePlugin: o.cache };
  return config;
}
