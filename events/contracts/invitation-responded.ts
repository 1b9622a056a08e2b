/** se.sip.invitation.responded.v1 */
import * as z from 'zod/mini';
import { contract, countyId, describe, eventTypes, opaqueId } from './common.ts';

export const invitationRespondedData = z.strictObject({
  county: countyId,
  meetingId: opaqueId('The meeting'),
  inviteeId: opaqueId('The invited unit'),
  response: z
    .enum(['accepted', 'declined', 'substitute'])
    .check(describe('Confirms attendance, declines, or names a substitute (seeds 002, 004).')),
});

export const invitationRespondedContract = contract(
  eventTypes.invitationResponded,
  invitationRespondedData,
  'An invited unit confirmed, declined or named a substitute.',
);
export type InvitationResponded = z.infer<typeof invitationRespondedContract.schema>;
