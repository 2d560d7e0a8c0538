// Test support: the JSON Schema of the wire (test/fixtures/referral.schema.json, a copy of the
// schema built from Microsoft's connector swagger and docs) as one ajv instance for every test.
import { readFileSync } from "node:fs";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// ajv ships CommonJS whose `module.exports` is the class with itself as `.default`; under NodeNext only `.default` is typed.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(JSON.parse(readFileSync(new URL("../fixtures/referral.schema.json", import.meta.url), "utf8")) as object, "pc");

/** A definition of the schema: one referral, one list page, one error body. */
export type WireDefinition = "referral" | "referral-page" | "error";

/** The schema's errors for `body`, or null when it is valid. */
export function wireSchemaErrors(definition: WireDefinition, body: unknown): unknown[] | null {
  const validate = ajv.getSchema(`pc#/$defs/${definition}`);
  if (!validate) throw new Error(`no $defs/${definition} in the schema`);
  return validate(body) ? null : [...(validate.errors ?? [])];
}

/**
 * A deep copy of a referral or list page in the documented shape: a `team` or
 * `customerProfile.team` sent as a single member object (seen on the wire, typed as an array by
 * the schema and the docs) becomes an array of that one member. Nothing else changes.
 */
export function withDocumentedTeams<T>(body: T): T {
  const copy = structuredClone(body) as unknown;
  const wrap = (owner: unknown) => {
    if (typeof owner !== "object" || owner === null) return;
    const record = owner as Record<string, unknown>;
    const team = record.team;
    if (typeof team === "object" && team !== null && !Array.isArray(team)) record.team = [team];
  };
  const referrals = Array.isArray((copy as { value?: unknown })?.value) ? ((copy as { value: unknown[] }).value) : [copy];
  for (const referral of referrals) {
    wrap(referral);
    wrap((referral as { customerProfile?: unknown } | null)?.customerProfile);
  }
  return copy as T;
}
