/**
 * The public event contracts: CloudEvents 1.0 structured-mode JSON, one zod schema per type.
 *
 * `zod/mini` keeps every handler bundle small (the classic API bundles to ~440 KB); English
 * messages are loaded explicitly so a rejection reason is something a person can act on.
 * The JSON Schema files and the AsyncAPI document in this folder are generated from here
 * (`npm run gen:contracts`); a contract test fails when they are stale.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

const describe = <T>(text: string) => z.describe<T>(text);

/** Opaque ids: letters, digits and `._:-`, never a personal identity number. */
const opaqueId = (what: string) =>
  z.string().check(
    z.minLength(3),
    z.maxLength(64),
    z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, `${what} must be an opaque id of letters, digits and . _ : -`),
    z.refine((s) => !/^\d{6,8}[-+]?\d{4}$/.test(s), {
      message: `${what} looks like a personal identity number; send an opaque id instead`,
    }),
    describe(`${what}: an opaque identifier (3–64 characters: letters, digits, '.', '_', ':', '-').`),
  );

const shortText = (what: string, max = 500) =>
  z.string().check(z.minLength(1), z.maxLength(max), z.trim(), describe(what));

export const countyId = z
  .string()
  .check(
    z.regex(/^[a-z][a-z0-9-]{1,30}$/, 'county must be a lower-case county id such as "halland"'),
    describe('The county (län) whose stack handles the case, e.g. "halland". Must match the stack.'),
  );

export const principal = z
  .enum(['region', 'municipality'])
  .check(
    describe('The principal (huvudman): "region" (health care) or "municipality" (social services, school).'),
  );

export const organisationType = z
  .enum([
    'health-care',
    'psychiatry',
    'social-services',
    'elderly-and-disability-care',
    'preschool',
    'school',
    'social-insurance-agency',
    'employment-service',
    'other',
  ])
  .check(
    describe(
      'What kind of organisation the unit is. Schools and preschools may initiate only where the county allows it.',
    ),
  );

const localDate = (what: string) => z.iso.date().check(describe(`${what} (ISO 8601 date, YYYY-MM-DD).`));

// ---------------------------------------------------------------------------------------------
// data of each type

export const caseCreatedData = z.strictObject({
  county: countyId,
  initiator: z
    .strictObject({
      principal,
      organisationType,
      unitId: opaqueId('The initiating unit'),
    })
    .check(describe('The organisation that discovered the need and starts the SIP process.')),
  ageGroup: z
    .enum(['child', 'young-adult', 'adult'])
    .check(
      describe(
        'The person’s age group: "child" (0–17), "young-adult" (18–24) or "adult" (25+). No birth date is sent.',
      ),
    ),
  protectedIdentity: z
    .boolean()
    .check(
      describe('True when the person has protected personal data; the case then takes the phone-only path.'),
    ),
  needDiscoveredOn: localDate(
    'The day the need for coordination was discovered; county deadlines count from it',
  ),
});

const consentParty = z.strictObject({
  partyId: opaqueId('The consenting party'),
  role: z
    .enum(['person', 'guardian', 'legal-representative', 'mature-child'])
    .check(
      describe(
        'Who consents: the person, a guardian (vårdnadshavare), a legal representative (god man/förvaltare) or a child judged mature enough to consent alone.',
      ),
    ),
});

const coveredOrganisation = z.strictObject({
  organisationId: opaqueId('The organisation'),
  principal: z
    .enum(['region', 'municipality', 'other'])
    .check(describe('The organisation’s principal; "other" for e.g. Försäkringskassan.')),
});

export const consentRegisteredData = z
  .strictObject({
    county: countyId,
    consentId: opaqueId('The consent'),
    decision: z
      .enum(['given', 'refused'])
      .check(
        describe('Whether consent was given or refused. A refusal is recorded and the SIP does not start.'),
      ),
    givenBy: z.array(consentParty).check(z.minLength(1), describe('The parties this event registers.')),
    guardianCount: z.optional(
      z
        .int()
        .check(
          z.minimum(1),
          z.maximum(2),
          describe('For a child: how many guardians the child has; two means both must consent.'),
        ),
    ),
    method: z
      .enum(['written', 'oral', 'other'])
      .check(describe('How consent was given; oral consent is valid and recorded as oral.')),
    covers: z
      .array(coveredOrganisation)
      .check(
        z.minLength(1),
        describe('The organisations that may share information. Consent is never general.'),
      ),
    validFrom: localDate('First day the consent is valid'),
    validUntil: localDate(
      'Last day the consent is valid; at most the county’s maximum (one year by default) after validFrom',
    ),
  })
  .check(
    z.refine((d) => d.validUntil >= d.validFrom, {
      message: 'validUntil must not be before validFrom',
      path: ['validUntil'],
    }),
    z.refine((d) => !d.givenBy.some((p) => p.role === 'guardian') || d.guardianCount !== undefined, {
      message: 'guardianCount is required when a guardian consents',
      path: ['guardianCount'],
    }),
  );

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

export const consentWithdrawnData = z.strictObject({
  county: countyId,
  consentId: opaqueId('The consent being withdrawn'),
  withdrawnBy: z
    .strictObject({
      partyId: opaqueId('The withdrawing party (must be one who gave the consent)'),
      role: consentParty.shape.role,
    })
    .check(describe('Who withdraws: consent can be withdrawn at any time by whoever gave it.')),
});

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

/** Internal: our own consumers ask the mailer to send one invitation at one sequence (the outbox). */
export const invitationMailData = z
  .strictObject({
    county: countyId,
    meetingId: z.optional(opaqueId('The meeting (invitation emails)')),
    inviteeId: z.optional(opaqueId('The invitee (invitation emails)')),
    noticeId: z.optional(opaqueId('The notice (notice emails)')),
    sequence: z
      .int()
      .check(
        z.minimum(0),
        describe('The invitation’s sequence (iCalendar SEQUENCE) to send; 0 for a notice.'),
      ),
  })
  .check(
    z.refine((d) => (d.noticeId !== undefined) !== (d.meetingId !== undefined && d.inviteeId !== undefined), {
      message: 'a mail job names either a meeting and invitee, or a notice',
    }),
  );

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

const code = (what: string) =>
  z
    .string()
    .check(
      z.regex(
        /^[A-Za-z0-9][A-Za-z0-9._:-]{0,39}$/,
        `${what} must be a code (letters, digits, . _ : -), not free text`,
      ),
      describe(
        `${what}: a code from the organisations' own catalogue, never free text (free text may identify or locate the person).`,
      ),
    );

export const planEstablishedData = z.strictObject({
  county: countyId,
  planId: opaqueId('The plan'),
  meetingId: opaqueId('The SIP meeting at which the plan was set'),
  overallResponsible: principal.check(
    describe('Which principal has the overall responsibility (law; seeds 000, 004).'),
  ),
  coordinator: z
    .strictObject({
      principal,
      organisationType,
      unitId: opaqueId('The coordinator’s unit'),
      email: z.optional(
        z
          .email('coordinator.email must be a valid email address')
          .check(describe('Where the coordinator is told (email path).')),
      ),
      phone: z.optional(
        z
          .string()
          .check(
            z.regex(/^\+?[0-9 ()-]{6,20}$/, 'phone must be a telephone number'),
            describe('The coordinator’s phone.'),
          ),
      ),
    })
    .check(
      describe(
        'The named coordinator (samordningsansvarig). Värmland: health care or social services (seed 004).',
      ),
    ),
  interventions: z
    .array(
      z.strictObject({
        code: code('The intervention'),
        responsible: z
          .enum(['region', 'municipality', 'other'])
          .check(describe('Who is responsible for it.')),
      }),
    )
    .check(
      z.minLength(1),
      z.maxLength(50),
      describe('The interventions and the principal responsible for each.'),
    ),
  othersInvolved: z.optional(
    z
      .array(organisationType)
      .check(z.maxLength(20), describe('What other actors contribute (e.g. social-insurance-agency).')),
  ),
  shortTermGoals: z
    .array(code('A short-term goal'))
    .check(z.minLength(1), z.maxLength(20), describe('Short-term goals, as codes.')),
  longTermGoal: code('The long-term goal'),
  participation: z
    .enum(['took-part', 'took-part-partly', 'represented', 'did-not-take-part'])
    .check(describe('How the person (or child) took part in the meeting.')),
  nextFollowUp: z
    .strictObject({ followUpId: opaqueId('The follow-up'), dueOn: localDate('When the plan is followed up') })
    .check(describe('A SIP is always followed up: the next follow-up (seed 002).')),
});

export const invitationRespondedData = z.strictObject({
  county: countyId,
  meetingId: opaqueId('The meeting'),
  inviteeId: opaqueId('The invited unit'),
  response: z
    .enum(['accepted', 'declined', 'substitute'])
    .check(describe('Confirms attendance, declines, or names a substitute (seeds 002, 004).')),
});

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

// ---------------------------------------------------------------------------------------------
// the envelope

export const eventTypes = {
  caseCreated: 'se.sip.case.created.v1',
  consentRegistered: 'se.sip.consent.registered.v1',
  consentWithdrawn: 'se.sip.consent.withdrawn.v1',
  summonsSent: 'se.sip.summons.sent.v1',
  followupDue: 'se.sip.followup.due.v1',
  planEstablished: 'se.sip.plan.established.v1',
  invitationResponded: 'se.sip.invitation.responded.v1',
  caseClosed: 'se.sip.case.closed.v1',
  caseProtectionChanged: 'se.sip.case.protection.changed.v1',
  phoneTaskCompleted: 'se.sip.phone-task.completed.v1',
  /** Internal command on the mail queue, published only by this system's consumers. */
  invitationMail: 'se.sip.invitation.mail.v1',
} as const;
export type EventType = (typeof eventTypes)[keyof typeof eventTypes];

const envelope = <T extends string, D extends z.ZodMiniType>(type: T, data: D, summary: string) =>
  z
    .strictObject({
      specversion: z.literal('1.0', 'specversion must be "1.0"').check(describe('CloudEvents version.')),
      id: z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(128),
          describe(
            'Unique per event; the idempotency key. Re-sending an event with the same id has no further effect.',
          ),
        ),
      source: z
        .string()
        .check(z.minLength(1), z.maxLength(256), describe('URI-reference of the publishing system.')),
      type: z.literal(type).check(describe('The event type.')),
      time: z.iso
        .datetime({ offset: true, error: 'time must be an RFC 3339 timestamp' })
        .check(describe('When it happened upstream.')),
      subject: opaqueId('The case id').check(describe('The case id.')),
      datacontenttype: z
        .literal('application/json', 'datacontenttype must be "application/json"')
        .check(describe('Always "application/json".')),
      dataschema: z.optional(
        z.string().check(z.maxLength(512), describe('Optional URI of the JSON Schema of data.')),
      ),
      data: data.check(describe('The event data; see its fields.')) as D,
    })
    .check(describe(summary));

export const schemas = {
  [eventTypes.caseCreated]: envelope(
    eventTypes.caseCreated,
    caseCreatedData,
    'A SIP case was started: a need for coordination was discovered.',
  ),
  [eventTypes.consentRegistered]: envelope(
    eventTypes.consentRegistered,
    consentRegisteredData,
    'One or more parties gave or refused consent for the case.',
  ),
  [eventTypes.consentWithdrawn]: envelope(
    eventTypes.consentWithdrawn,
    consentWithdrawnData,
    'A party withdrew the consent it gave; the case stops at once.',
  ),
  [eventTypes.summonsSent]: envelope(
    eventTypes.summonsSent,
    summonsSentData,
    'The summons to a SIP meeting (a later one with the same meetingId reschedules it).',
  ),
  [eventTypes.followupDue]: envelope(
    eventTypes.followupDue,
    followupDueData,
    'A follow-up of the plan is due.',
  ),
  [eventTypes.planEstablished]: envelope(
    eventTypes.planEstablished,
    planEstablishedData,
    'The SIP meeting was held and the plan set.',
  ),
  [eventTypes.invitationResponded]: envelope(
    eventTypes.invitationResponded,
    invitationRespondedData,
    'An invited unit confirmed, declined or named a substitute.',
  ),
  [eventTypes.caseClosed]: envelope(
    eventTypes.caseClosed,
    caseClosedData,
    'The SIP is closed; everyone involved is told.',
  ),
  [eventTypes.caseProtectionChanged]: envelope(
    eventTypes.caseProtectionChanged,
    caseProtectionChangedData,
    'The case was flagged for protected identity after it was created; it moves to the phone-only path.',
  ),
  [eventTypes.phoneTaskCompleted]: envelope(
    eventTypes.phoneTaskCompleted,
    phoneTaskCompletedData,
    'The coordinator called an invitee of a protected case (phone-only path).',
  ),
  [eventTypes.invitationMail]: envelope(
    eventTypes.invitationMail,
    invitationMailData,
    'Internal: send (or cancel) one invitation email. Published by this system, not by upstream.',
  ),
} as const;

export type CaseCreated = z.infer<(typeof schemas)['se.sip.case.created.v1']>;
export type ConsentRegistered = z.infer<(typeof schemas)['se.sip.consent.registered.v1']>;
export type ConsentWithdrawn = z.infer<(typeof schemas)['se.sip.consent.withdrawn.v1']>;
export type SummonsSent = z.infer<(typeof schemas)['se.sip.summons.sent.v1']>;
export type FollowupDue = z.infer<(typeof schemas)['se.sip.followup.due.v1']>;
export type PlanEstablished = z.infer<(typeof schemas)['se.sip.plan.established.v1']>;
export type InvitationResponded = z.infer<(typeof schemas)['se.sip.invitation.responded.v1']>;
export type CaseClosed = z.infer<(typeof schemas)['se.sip.case.closed.v1']>;
export type CaseProtectionChanged = z.infer<(typeof schemas)['se.sip.case.protection.changed.v1']>;
export type PhoneTaskCompleted = z.infer<(typeof schemas)['se.sip.phone-task.completed.v1']>;
export type InvitationMail = z.infer<(typeof schemas)['se.sip.invitation.mail.v1']>;
export interface EventByType {
  'se.sip.case.created.v1': CaseCreated;
  'se.sip.consent.registered.v1': ConsentRegistered;
  'se.sip.consent.withdrawn.v1': ConsentWithdrawn;
  'se.sip.summons.sent.v1': SummonsSent;
  'se.sip.followup.due.v1': FollowupDue;
  'se.sip.invitation.mail.v1': InvitationMail;
  'se.sip.case.protection.changed.v1': CaseProtectionChanged;
  'se.sip.plan.established.v1': PlanEstablished;
  'se.sip.invitation.responded.v1': InvitationResponded;
  'se.sip.case.closed.v1': CaseClosed;
  'se.sip.phone-task.completed.v1': PhoneTaskCompleted;
}

export const isKnownType = (t: unknown): t is EventType => typeof t === 'string' && t in schemas;
