/** se.sip.case.closed.v1 */
import * as z from 'zod/mini';
import { contract, countyId, describe, eventTypes } from './common.ts';

export const caseClosedData = z.strictObject({
  county: countyId,
  reason: z
    .enum(['need-met', 'consent-withdrawn', 'no-joint-need', 'goal-changed-restart', 'coordination-works'])
    .check(
      describe(
        'Why the SIP ends (seed 002): the need is met, consent was withdrawn, no further joint need is expected, the long-term goal changed (close and restart), or coordination works on its own.',
      ),
    ),
});

export const caseClosedContract = contract(
  eventTypes.caseClosed,
  caseClosedData,
  'The SIP is closed; everyone involved is told.',
);
export type CaseClosed = z.infer<typeof caseClosedContract.schema>;
