/** se.sip.invitation.mail.v1 (internal) */
import * as z from 'zod/mini';
import { contract, countyId, describe, eventTypes, opaqueId } from './common.ts';

/** Internal: our own consumers ask the mailer to send one invitation at one sequence (the outbox). */
export const invitationMailData = z
  .strictObject({
    county: countyId,
    meetingId: z.optional(opaqueId('The meeting (invitation emails)')),
    inviteeId: z.optional(opaqueId('The invitee (invitation emails)')),
    noticeId: z.optional(opaqueId('The notice (notice emails)')),
    recipient: z.optional(opaqueId('The notice’s recipient (its key in the notice)')),
    sequence: z
      .int()
      .check(
        z.minimum(0),
        describe('The invitation’s sequence (iCalendar SEQUENCE) to send; 0 for a notice.'),
      ),
  })
  .check(
    z.refine(
      (d) =>
        (d.noticeId !== undefined &&
          d.recipient !== undefined &&
          d.meetingId === undefined &&
          d.inviteeId === undefined) ||
        (d.noticeId === undefined &&
          d.recipient === undefined &&
          d.meetingId !== undefined &&
          d.inviteeId !== undefined),
      { message: 'a mail job names either a meeting and invitee, or a notice and recipient' },
    ),
  );

export const invitationMailContract = contract(
  eventTypes.invitationMail,
  invitationMailData,
  'Internal: send (or cancel) one invitation email. Published by this system, not by upstream.',
);
export type InvitationMail = z.infer<typeof invitationMailContract.schema>;
