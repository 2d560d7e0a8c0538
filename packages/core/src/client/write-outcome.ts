// What became of a PATCH that may have reached Partner Center: it is never sent again (an `add`
// would apply twice), so the referral is read back and compared with the If-Match eTag and the ops.
import { UnconfirmedWriteError } from "../errors.js";
import type { Referral } from "../referral.js";
import type { JsonPatchOperation } from "./types.js";

const normalizeEtag = (tag: string): string => tag.trim().replace(/^W\//, "").replaceAll("\\", "").replace(/^"+|"+$/g, "");
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

// The read-back is schema-parsed (fields may be added or normalized), so every field we sent must
// be there with our value; extra fields do not count against it.
function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => contains(actual[i], item));
  }
  if (isRecord(expected)) return isRecord(actual) && Object.entries(expected).every(([key, value]) => contains(actual[key], value));
  return Object.is(actual, expected);
}

/** True when `referral` shows `operation` applied (`/-` on an array: some element equals the value). */
export function operationVisible(referral: Referral, operation: JsonPatchOperation): boolean {
  const tokens = operation.path.slice(1).split("/").map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
  const last = tokens.pop() ?? "";
  let parent: unknown = referral;
  for (const token of tokens) {
    parent = Array.isArray(parent) ? parent[Number(token)] : isRecord(parent) ? parent[token] : undefined;
  }
  if (Array.isArray(parent)) {
    return last === "-" ? parent.some((item) => contains(item, operation.value)) : contains(parent[Number(last)], operation.value);
  }
  return isRecord(parent) && contains(parent[last], operation.value);
}

/**
 * Settles an {@link UnconfirmedWriteError} from the PATCH itself: resolves with the read-back
 * referral when the change visibly landed, else throws with `landed` as precise as the evidence allows.
 */
export async function settleUnconfirmedWrite(
  error: UnconfirmedWriteError,
  input: {
    etag: string | undefined;
    operations: readonly JsonPatchOperation[];
    reread: () => Promise<Referral | null>;
    signal: AbortSignal | undefined;
  },
): Promise<Referral> {
  // Without an eTag to compare, a read-back cannot tell our `add` from an earlier identical one.
  if (error.landed !== true && input.etag === undefined) throw error;
  let current: Referral | null;
  try {
    current = await input.reread();
  } catch (rereadError) {
    if (input.signal?.aborted) throw rereadError;
    throw error;
  }
  if (current === null) throw error;
  const referral = current;
  if (error.landed === true) return referral;
  if (typeof referral.eTag === "string" && normalizeEtag(referral.eTag) === normalizeEtag(input.etag ?? "")) {
    throw new UnconfirmedWriteError(
      `${error.message} A read-back shows the referral still at the eTag sent: the change has not applied, and sending it again with the same etag is safe.`,
      { landed: false, cause: error.cause },
    );
  }
  if (input.operations.every((operation) => operationVisible(referral, operation))) return referral;
  throw error;
}
