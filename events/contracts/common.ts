/**
 * What every event contract shares: the field helpers, the CloudEvents envelope and the list of
 * types. Each type's contract is its own module (this folder), so a function's bundle builds
 * only the schema it parses: building all of them at import cost a cold start ~15 ms.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export const describe = <T>(text: string) => z.describe<T>(text);

/** Opaque ids: letters, digits and `._:-`, never a personal identity number. */
export const opaqueId = (what: string) =>
  z.string().check(
    z.minLength(3),
    z.maxLength(64),
    z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, `${what} must be an opaque id of letters, digits and . _ : -`),
    z.refine((s) => !/^\d{6,8}[-+]?\d{4}$/.test(s), {
      message: `${what} looks like a personal identity number; send an opaque id instead`,
    }),
    describe(`${what}: an opaque identifier (3–64 characters: letters, digits, '.', '_', ':', '-').`),
  );

export const shortText = (what: string, max = 500) =>
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

export const localDate = (what: string) =>
  z.iso.date().check(describe(`${what} (ISO 8601 date, YYYY-MM-DD).`));

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

export const envelope = <T extends string, D extends z.ZodMiniType>(type: T, data: D, summary: string) =>
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

const known: ReadonlySet<string> = new Set(Object.values(eventTypes));
export const isKnownType = (t: unknown): t is EventType => typeof t === 'string' && known.has(t);

/** A type and the schema of its events: what a consumer parses with. */
export interface Contract<T extends EventType = EventType, S extends z.ZodMiniType = z.ZodMiniType> {
  type: T;
  schema: S;
}

export const contract = <T extends EventType, D extends z.ZodMiniType>(
  type: T,
  data: D,
  summary: string,
) => ({
  type,
  schema: envelope(type, data, summary),
});
