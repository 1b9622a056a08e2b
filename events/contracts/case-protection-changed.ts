/** se.sip.case.protection.changed.v1 */
import * as z from 'zod/mini';
import { contract, countyId, describe, eventTypes } from './common.ts';

export const caseProtectionChangedData = z.strictObject({
  county: countyId,
  protectedIdentity: z
    .boolean()
    .check(describe('Must be true: protection can be set by an event but never cleared by one (seed 004).')),
  reason: z
    .enum(['protected-personal-data', 'violence-in-close-relationship'])
    .check(
      describe(
        'Why: protected personal data (sekretessmarkering, skyddad folkbokföring, fingerade personuppgifter) or violence in a close relationship, which takes the same care (seed 004).',
      ),
    ),
});

export const caseProtectionChangedContract = contract(
  eventTypes.caseProtectionChanged,
  caseProtectionChangedData,
  'The case was flagged for protected identity after it was created; it moves to the phone-only path.',
);
export type CaseProtectionChanged = z.infer<typeof caseProtectionChangedContract.schema>;
