/** se.sip.invitation.responded.v1 */
import * as z from 'zod/mini';
import { contract, countyId, describe, eventTypes, opaqueId, shortText } from './common.ts';

/** What an invited unit can answer (seeds 001, 002, 004; issue 13). */
export const responseKinds = [
  'received',
  'accepted',
  'declined',
  'substitute',
  'clarification',
  'substitute-proposed',
] as const;

/** A substitute's address as the contract takes it (the invitation page checks its form with it). */
const substituteEmail = z
  .email('substitute.email must be a valid email address')
  .check(describe('Where the substitute’s own invitation is emailed.'));
export const validSubstituteEmail = (value: string): boolean => z.safeParse(substituteEmail, value).success;

export const invitationRespondedData = z
  .strictObject({
    county: countyId,
    meetingId: opaqueId('The meeting'),
    inviteeId: opaqueId('The invited unit'),
    response: z
      .enum(responseKinds)
      .check(
        describe(
          'received: confirms the invitation arrived (seeds 001, 003); accepted: the unit will attend; declined: it will not (only a unit without ongoing interventions may); substitute: someone else attends in its place (seed 002); clarification: it asks the organiser to clarify the purpose or the questions (seed 001); substitute-proposed: someone the invitation was forwarded to offers to attend in the unit’s place (a calendar reply from an address not invited) — the organiser confirms by sending substitute for the unit.',
        ),
      ),
    attendee: z.optional(
      z
        .strictObject({
          name: shortText('Who attends', 100),
          role: shortText('Their role or title', 100),
        })
        .check(describe('accepted only: who will attend. Never kept for a protected case.')),
    ),
    substitute: z.optional(
      z
        .strictObject({
          name: shortText('Who attends instead', 100),
          email: substituteEmail,
        })
        .check(describe('substitute and substitute-proposed only: who attends instead (for the organiser).')),
    ),
    message: z.optional(
      shortText(
        'clarification: what should be clarified (no personal data about the person). Never kept for a protected case (the coordinator calls); without it a clarification only confirms receipt.',
        1000,
      ),
    ),
  })
  .check(
    z.refine((d) => d.attendee === undefined || d.response === 'accepted', {
      message: 'attendee goes with response "accepted" only',
      path: ['attendee'],
    }),
    z.refine(
      (d) =>
        d.substitute === undefined || d.response === 'substitute' || d.response === 'substitute-proposed',
      {
        message: 'substitute goes with response "substitute" or "substitute-proposed" only',
        path: ['substitute'],
      },
    ),
    z.refine((d) => d.message === undefined || d.response === 'clarification', {
      message: 'message goes with response "clarification" only',
      path: ['message'],
    }),
  );

/**
 * The same pairing rules for the published JSON Schema (zod's refines do not export): each
 * detail goes with its own answer. events/render.ts adds them to `data`; a contract test checks
 * that ajv refuses what zod refuses.
 */
export const invitationRespondedPairings = [
  {
    if: { properties: { attendee: true }, required: ['attendee'] },
    then: { properties: { response: { const: 'accepted' } } },
  },
  {
    if: { properties: { substitute: true }, required: ['substitute'] },
    then: { properties: { response: { enum: ['substitute', 'substitute-proposed'] } } },
  },
  {
    if: { properties: { message: true }, required: ['message'] },
    then: { properties: { response: { const: 'clarification' } } },
  },
];

export const invitationRespondedContract = contract(
  eventTypes.invitationResponded,
  invitationRespondedData,
  'An invited unit answered: confirmed receipt, will attend, declined, sent a substitute or asked for clarification.',
);
export type InvitationResponded = z.infer<typeof invitationRespondedContract.schema>;
