/** se.sip.phone-task.completed.v1 */
import * as z from 'zod/mini';
import { contract, countyId, describe, eventTypes, opaqueId } from './common.ts';

export const phoneTaskCompletedData = z.strictObject({
  county: countyId,
  meetingId: opaqueId('The meeting'),
  inviteeId: opaqueId('The invitee who was called'),
  outcome: z
    .enum(['agreed', 'declined', 'unreachable'])
    .check(
      describe('The call’s outcome. Time and place agreed by phone are never sent to us, nor any notes.'),
    ),
});

export const phoneTaskCompletedContract = contract(
  eventTypes.phoneTaskCompleted,
  phoneTaskCompletedData,
  'The coordinator called an invitee of a protected case (phone-only path).',
);
export type PhoneTaskCompleted = z.infer<typeof phoneTaskCompletedContract.schema>;
