/**
 * What every event contract shares: the field helpers, the CloudEvents envelope and the list of
 * types. Each type's contract is its own module (this folder), so a function's bundle builds
 * only the schema it parses: building all of them at import cost a cold start ~15 ms.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { parseRfc3339, RFC3339 } from './time.ts';
import { eventTypes, type EventType } from './types.ts';

z.config(en());

export const describe = <T>(text: string) => z.describe<T>(text);

/** Luhn's check over the ten digits of a personal (or coordination) number: YYMMDDNNNC. */
const luhn = (digits: string): boolean => {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
};

const SIX_DIGITS = /\d{6}/;

/**
 * Does the text contain a Swedish personal identity number (personnummer) or coordination number
 * (samordningsnummer): YYMMDD or YYYYMMDD, an optional `-`/`+`, four digits, a real month, a day
 * (plus 60 for a coordination number) and Luhn's check digit, standing as a word of its own
 * (letters or digits on either side make it part of something longer). The checks keep random ids
 * from looking like one.
 */
export const containsPersonalNumber = (text: string): boolean => {
  // Every form has six digits in a row (YYMMDD): without them there is nothing to look for.
  if (!SIX_DIGITS.test(text)) return false;
  // A UUID's groups can be all digits (its last one is 12): one random UUID in a million would
  // otherwise pass for a personal number. A UUID is never read as one.
  const words = text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ' ');
  for (const m of words.matchAll(
    /(?<![A-Za-z0-9])(18|19|20)?(\d{2})(\d{2})(\d{2})[-+]?(\d{4})(?![A-Za-z0-9])/g,
  )) {
    const [, , yy = '', mm = '', dd = '', tail = ''] = m;
    const month = Number(mm);
    const day = Number(dd) > 60 ? Number(dd) - 60 : Number(dd);
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31 && luhn(`${yy}${mm}${dd}${tail}`)) return true;
  }
  return false;
};

const noPersonalNumber = (what: string) =>
  z.refine<string>((s) => !/^\d{6,8}[-+]?\d{4}$/.test(s) && !containsPersonalNumber(s), {
    message: `${what} looks like or contains a personal identity number; send an opaque id instead`,
  });

const OPAQUE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/**
 * `opaqueId`'s rule as a plain check, without building a schema: for ids this system reads back
 * from its own message attributes (functions/runtime/case-consumer.ts).
 */
export const isOpaqueId = (value: string): boolean =>
  value.length >= 3 && value.length <= 64 && OPAQUE_ID.test(value) && !containsPersonalNumber(value);

/** Opaque ids: letters, digits and `._:-`, never a personal identity number. */
export const opaqueId = (what: string) =>
  z
    .string()
    .check(
      z.minLength(3),
      z.maxLength(64),
      z.regex(OPAQUE_ID, `${what} must be an opaque id of letters, digits and . _ : -`),
      noPersonalNumber(what),
      describe(`${what}: an opaque identifier (3–64 characters: letters, digits, '.', '_', ':', '-').`),
    );

/** An RFC 3339 timestamp with any offset (CloudEvents `time`). */
export const rfc3339 = (what: string) =>
  z.string().check(
    z.regex(RFC3339, `${what} must be an RFC 3339 timestamp such as 2026-11-20T08:15:00+01:00`),
    z.refine((s) => parseRfc3339(s) !== undefined, `${what} must be a real date and time`),
    z.meta({ format: 'date-time' }),
  );

export const shortText = (what: string, max = 500) =>
  z.string().check(z.trim(), z.minLength(1), z.maxLength(max), describe(what));

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

export { eventTypes, type EventType } from './types.ts';

/**
 * Extension attributes (CloudEvents 1.0 allows any; e.g. the distributed-tracing extension's
 * `traceparent`/`tracestate`) are accepted and ignored: events/parse.ts takes them off before the
 * envelope (strict for the attributes we read) is checked, so they are never stored or forwarded.
 * Names must be lower-case letters and digits (CloudEvents' naming rule; at most 20 recommended).
 */
export const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
/** The context attributes and data this system reads; anything else is an extension. */
export const knownAttributes: ReadonlySet<string> = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'subject',
  'datacontenttype',
  'dataschema',
  'data',
]);

export const envelope = <T extends string, D extends z.ZodMiniType>(type: T, data: D, summary: string) =>
  z
    .strictObject({
      specversion: z.literal('1.0', 'specversion must be "1.0"').check(describe('CloudEvents version.')),
      id: z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(128),
          noPersonalNumber('id'),
          describe(
            'Unique per event; the idempotency key. Re-sending an event with the same id has no further effect.',
          ),
        ),
      source: z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(256),
          noPersonalNumber('source'),
          describe('URI-reference of the publishing system.'),
        ),
      type: z.literal(type).check(describe('The event type.')),
      time: rfc3339('time').check(
        describe(
          'When it happened upstream (RFC 3339, any offset). Versions of the same thing are ordered by it, ties by id (docs/semantics.md).',
        ),
      ),
      subject: opaqueId('The case id').check(describe('The case id.')),
      datacontenttype: z.optional(
        z
          .string()
          .check(
            z.regex(
              /^application\/json\s*(;.*)?$/,
              'datacontenttype must be "application/json" (or absent: JSON is the default)',
            ),
            describe('"application/json", or absent (JSON is assumed, as CloudEvents 1.0 allows).'),
          ),
      ),
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
