/**
 * The outbound contracts (issue 14): what this system publishes on a county's outbound topic
 * (SNS FIFO). CloudEvents 1.0, structured JSON; per case numbered by the `sequence` extension.
 * Used by the generated JSON Schemas, the AsyncAPI document and the contract tests — not by the
 * functions, which build the events in functions/core/outbound.ts (a test checks both agree).
 */
import * as z from 'zod/mini';
import { outboundTypes, type OutboundType } from '../../functions/core/outbound.ts';
import { countyId, describe, opaqueId, organisationType, principal, rfc3339 } from './common.ts';

const caseStatus = z.enum(['awaiting-consent', 'consented', 'summoned', 'plan-active', 'closed', 'stopped']);
const invitationStatus = z.enum([
  'invited',
  'received',
  'accepted',
  'declined',
  'substitute',
  'substitute-proposed',
  'cancelled',
]);
const phoneTaskStatus = z.enum(['to-call', 'agreed', 'declined', 'unreachable', 'cancelled']);

const common = {
  county: countyId,
  caseId: opaqueId('caseId'),
};

const phoneTask = z.strictObject({
  ...common,
  meetingId: opaqueId('meetingId'),
  inviteeId: opaqueId('inviteeId'),
  principal,
  organisationType,
  phone: z.optional(
    z.string().check(z.maxLength(40), describe('The invited unit’s phone number: whom to call.')),
  ),
  meetingKind: z.enum(['sip', 'follow-up']),
  startsAt: z
    .string()
    .check(
      z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/),
      describe('Europe/Stockholm wall-clock time of the meeting (YYYY-MM-DDTHH:MM).'),
    ),
  allDay: z.optional(z.boolean()),
  durationMinutes: z.number().check(z.int(), z.minimum(0)),
  status: phoneTaskStatus,
});

export const outboundData = {
  [outboundTypes.caseStatusChanged]: z
    .strictObject({
      ...common,
      status: caseStatus,
      previousStatus: z.optional(caseStatus),
      protectedIdentity: z.boolean(),
      reasons: z
        .array(z.string().check(z.regex(/^[a-z][a-z:-]{1,60}$/)))
        .check(
          describe(
            'Reason codes: consent-refused, consent-withdrawn, consent-expired, protected-identity, closed:<the case.closed reason>.',
          ),
        ),
    })
    .check(describe('A case changed status (or reason, or protection). The first one tells a new case.')),
  [outboundTypes.invitationStatusChanged]: z
    .union([
      z
        .strictObject({
          ...common,
          meetingId: opaqueId('meetingId'),
          inviteeId: opaqueId('inviteeId'),
          organisationType,
          status: invitationStatus,
          previousStatus: z.optional(invitationStatus),
          meetingSequence: z
            .number()
            .check(
              z.int(),
              z.minimum(0),
              describe('The calendar SEQUENCE the invitation is at; a new one after a reschedule.'),
            ),
          substituteFor: z.optional(opaqueId('substituteFor')),
          substitutedBy: z.optional(opaqueId('substitutedBy')),
        })
        .check(describe('The invitation itself: invited, received, answered, or cancelled.')),
      z
        .strictObject({
          ...common,
          meetingId: opaqueId('meetingId'),
          inviteeId: opaqueId('inviteeId'),
          status: z.enum(['sent', 'delivered', 'bounced', 'complained', 'failed']),
          email: z.enum(['invitation', 'cancellation']),
          meetingSequence: z
            .number()
            .check(z.int(), z.minimum(0), describe('The calendar SEQUENCE the email carried.')),
        })
        .check(
          describe(
            'An email to the invitee: SES accepted it (sent), delivered it, it bounced permanently, the recipient complained, or SES refused it (failed). `email` says which: the invitation (or its update) or its cancellation.',
          ),
        ),
    ])
    .check(
      describe(
        'An invitation of the email path changed: invited, answered, or cancelled; or what became of an email about it (the shape with `email`).',
      ),
    ),
  [outboundTypes.clarificationRequested]: z
    .strictObject({ ...common, meetingId: opaqueId('meetingId'), inviteeId: opaqueId('inviteeId') })
    .check(describe('An invited unit asked the organiser to clarify; the text is in the case summary only.')),
  [outboundTypes.phoneTaskCreated]: phoneTask.check(
    describe('A protected case: someone must call this unit about this meeting (no place, no address).'),
  ),
  [outboundTypes.phoneTaskUpdated]: phoneTask.check(
    describe('A phone task changed: its outcome, a new time, or it was cancelled.'),
  ),
  [outboundTypes.reminderDue]: z
    .strictObject({
      ...common,
      kind: z.enum(['follow-up', 'consent-expiring', 'unconfirmed-invitations']),
      meetingId: z.optional(opaqueId('meetingId')),
      date: z.optional(z.iso.date()),
      noticeId: z.optional(z.string().check(z.maxLength(128))),
      params: z.optional(z.record(z.string(), z.string().check(z.maxLength(4096)))),
    })
    .check(
      describe('Something fell due: a follow-up, a consent about to lapse, units that have not confirmed.'),
    ),
  [outboundTypes.familySurveyReady]: z
    .strictObject({
      ...common,
      meetingId: opaqueId('meetingId'),
      validUntil: z.iso
        .date()
        .check(
          describe('The last day (Europe/Stockholm) the survey takes answers: 30 days after the meeting.'),
        ),
      printUrl: z.optional(
        z
          .url()
          .check(
            z.maxLength(2048),
            describe(
              'The printable page (QR code and short link) to hand out: a capability link, keep it as you keep the case. Absent only where the stack has no invitation pages.',
            ),
          ),
      ),
    })
    .check(
      describe(
        'A plan was established for a held SIP meeting: the child’s and guardians’ own survey can be handed out (seed 000 step 8, seed 001). For a protected case this is the coordinator’s only way to it (no email).',
      ),
    ),
  [outboundTypes.eventRejected]: z
    .strictObject({
      county: countyId,
      eventId: z.optional(z.string().check(z.maxLength(128))),
      eventType: z.string().check(z.maxLength(128)),
      source: z.optional(z.string().check(z.maxLength(256))),
      caseId: z.optional(z.string().check(z.maxLength(128))),
      reason: z.string().check(z.maxLength(2000)),
      rejectedAt: rfc3339('rejectedAt'),
    })
    .check(
      describe(
        'An event was rejected; routed by the `publisher` message attribute (the rejected event’s source) so each publisher can subscribe to its own.',
      ),
    ),
} as const satisfies Record<OutboundType, z.ZodMiniType>;

export const outboundSchema = (type: OutboundType) =>
  z
    .strictObject({
      specversion: z.literal('1.0'),
      id: z.string().check(z.minLength(1), z.maxLength(128)),
      source: z.string().check(z.regex(/^urn:sip:[a-z][a-z0-9-]{1,30}$/), describe('urn:sip:<county>')),
      type: z.literal(type),
      time: rfc3339('time'),
      subject: z.optional(
        z
          .string()
          .check(
            z.minLength(1),
            z.maxLength(128),
            describe(
              'The case id (on a rejection: as the rejected event named it, when well-formed; absent otherwise).',
            ),
          ),
      ),
      datacontenttype: z.literal('application/json'),
      sequence: z.optional(
        z
          .string()
          .check(
            z.regex(/^\d{12}$/),
            describe(
              'CloudEvents sequence extension: the case’s events numbered 1, 2, 3 … (zero-padded, so its text order is its order); absent on a rejection.',
            ),
          ),
      ),
      data: outboundData[type],
    })
    .check(describe(z.globalRegistry.get(outboundData[type])?.description ?? type));

export const outboundTypeList = Object.values(outboundTypes) as OutboundType[];
