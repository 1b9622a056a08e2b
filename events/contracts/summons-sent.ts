/** se.sip.summons.sent.v1 */
import * as z from 'zod/mini';
import {
  contract,
  countyId,
  describe,
  eventTypes,
  opaqueId,
  organisationType,
  principal,
  shortText,
} from './common.ts';

const invitee = z
  .strictObject({
    inviteeId: opaqueId('The invitee'),
    principal: z
      .enum(['region', 'municipality', 'other'])
      .check(describe('The invitee’s principal; "other" for actors such as Försäkringskassan.')),
    organisationId: opaqueId('The invitee’s organisation (must be covered by the consent)'),
    organisationType,
    unitName: z.optional(
      shortText(
        'The invited unit’s name as it should appear in the invitation. Required unless protectedIdentity.',
        120,
      ),
    ),
    email: z.optional(
      z.email('email must be a valid email address').check(describe('Where the invitation is emailed.')),
    ),
    phone: z.optional(
      z
        .string()
        .check(
          z.regex(/^\+?[0-9 ()-]{6,20}$/, 'phone must be a telephone number'),
          describe('Telephone number (phone-only path).'),
        ),
    ),
    locale: z.optional(
      z.enum(['sv', 'en']).check(describe('Language of the invitation; Swedish by default.')),
    ),
    hasOngoingIntervention: z.optional(
      z.boolean().check(describe('Units with ongoing interventions are obliged to attend.')),
    ),
  })
  .check(
    z.refine((i) => i.email !== undefined || i.phone !== undefined, {
      message: 'an invitee needs an email or a phone number',
      path: ['email'],
    }),
  );

const meetingPlace = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('in-person').check(describe('An in-person meeting.')),
    place: shortText('Where the meeting is held (never sent for a protected case).', 200),
  }),
  z.strictObject({
    kind: z.literal('digital').check(describe('A digital meeting.')),
    joinUrl: z
      .url({ protocol: /^https$/, error: 'joinUrl must be an https URL' })
      .check(describe('Link to the digital meeting.')),
  }),
]);

export const summonsSentData = z.strictObject({
  county: countyId,
  meetingId: opaqueId('The meeting; a later summons with the same meetingId reschedules it'),
  startsAt: z.iso
    .datetime({
      local: true,
      offset: false,
      error: 'startsAt must be a local date-time such as 2026-12-04T09:00',
    })
    .check(describe('Proposed start, Europe/Stockholm wall-clock time (YYYY-MM-DDTHH:mm).')),
  durationMinutes: z.int().check(z.minimum(15), z.maximum(480), describe('Planned length in minutes.')),
  protectedIdentity: z
    .boolean()
    .check(
      describe(
        'True when the person has protected personal data. The event then takes the phone-only path from the moment it arrives: it must carry no place, no names and no free text (they are dropped and a security deviation is recorded).',
      ),
    ),
  location: z.optional(
    meetingPlace.check(
      describe(
        'Where, or the digital meeting link. Required unless protectedIdentity; never sent for a protected case.',
      ),
    ),
  ),
  purpose: z.optional(
    shortText('The purpose of the meeting (seed 002). Required unless protectedIdentity.', 1000),
  ),
  longTermGoal: z.optional(
    shortText('The individual’s long-term goal (seed 002). Required unless protectedIdentity.', 1000),
  ),
  questions: z.optional(
    z
      .array(shortText('A question to discuss.', 500))
      .check(
        z.minLength(1),
        z.maxLength(20),
        describe('Questions to discuss (seed 002). Required unless protectedIdentity.'),
      ),
  ),
  organiser: z
    .strictObject({
      principal,
      organisationType,
      unitId: opaqueId('The organising unit'),
      unitName: z.optional(shortText('The organising unit’s name. Required unless protectedIdentity.', 120)),
      contactEmail: z.optional(
        z
          .email('contactEmail must be a valid email address')
          .check(describe('Where invitees confirm attendance. Required unless protectedIdentity.')),
      ),
    })
    .check(describe('Who invites.')),
  invitees: z.array(invitee).check(z.minLength(1), z.maxLength(30), describe('Every invited unit.')),
});

export const summonsSentContract = contract(
  eventTypes.summonsSent,
  summonsSentData,
  'The summons to a SIP meeting (a later one with the same meetingId reschedules it).',
);
export type SummonsSent = z.infer<typeof summonsSentContract.schema>;
