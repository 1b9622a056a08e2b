/** se.sip.followup.due.v1 */
import * as z from 'zod/mini';
import { contract, countyId, describe, eventTypes, localDate, opaqueId } from './common.ts';

export const followupDueData = z.strictObject({
  county: countyId,
  followUpId: opaqueId(
    'The follow-up (one per planned follow-up; a repeat of the same id reminds no one twice)',
  ),
  dueOn: localDate('The day the follow-up is due'),
  startsAt: z.optional(
    z.iso
      .datetime({
        local: true,
        offset: false,
        error: 'startsAt must be a local date-time such as 2027-03-10T09:00',
      })
      .check(
        describe(
          'Start of the follow-up meeting, Europe/Stockholm wall-clock time; without it, an all-day entry on dueOn.',
        ),
      ),
  ),
  durationMinutes: z.optional(
    z.int().check(z.minimum(15), z.maximum(480), describe('Length of the follow-up meeting.')),
  ),
});

export const followupDueContract = contract(
  eventTypes.followupDue,
  followupDueData,
  'A follow-up of the plan is due.',
);
export type FollowupDue = z.infer<typeof followupDueContract.schema>;
