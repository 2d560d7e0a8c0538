// Wire shapes around referrals: the list page envelope and the error body
// (docs/partner-center-api.md §2 paging, §5 errors). Referrals themselves: ../referral.ts.
import { z } from "zod";

/** `GET /v1.0/engagements/referrals` response: `value` items are validated one by one later. */
export const referralPageEnvelopeSchema = z.looseObject({
  "@odata.context": z.string().nullish(),
  "@odata.count": z.number().int().nonnegative().nullish(),
  "@odata.nextLink": z.string().nullish(),
  value: z.array(z.unknown()),
});
/** A parsed page envelope. */
export type ReferralPageEnvelope = z.infer<typeof referralPageEnvelopeSchema>;

/** `{ error: { code, message, target?, innerError? } }`; `message` tolerated missing. */
export const apiErrorBodySchema = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string().nullish(),
    target: z.string().nullish(),
    innerError: z.unknown().optional(),
  }),
});
/** A parsed error body. */
export type ApiErrorBody = z.infer<typeof apiErrorBodySchema>;

/** The `error.code` of a response body, or undefined when the body is not the documented shape. */
export function apiErrorCode(body: string): string | undefined {
  if (body.length === 0) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = apiErrorBodySchema.safeParse(json);
  return parsed.success ? parsed.data.error.code : undefined;
}
