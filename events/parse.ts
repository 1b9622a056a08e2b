import type * as z from 'zod/mini';
import { containsPersonalNumber, EXTENSION_NAME, isKnownType, knownAttributes } from './contracts/common.ts';

export type ParseResult<M> =
  | {
      ok: true;
      event: M;
      /** The W3C trace context of the distributed-tracing extension, when well-formed: may be logged. */
      traceparent?: string;
    }
  | { ok: false; reason: string; eventId?: string; caseId?: string; source?: string };

/** The only extension value ever kept: W3C trace context (ids and flags, no personal data). */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const MAX_EXTENSION_LENGTH = 2048;

/**
 * Takes extension attributes off (accepted and ignored, CloudEvents 1.0): names must be
 * CloudEvents attribute names, values strings, booleans or integers. Returns the attributes this
 * system reads, or the reason the extensions are not acceptable.
 */
const withoutExtensions = (
  raw: Record<string, unknown>,
): { attributes: Record<string, unknown>; traceparent?: string } | { reason: string } => {
  const attributes: Record<string, unknown> = {};
  let traceparent: string | undefined;
  for (const [name, value] of Object.entries(raw)) {
    if (knownAttributes.has(name)) {
      attributes[name] = value;
      continue;
    }
    if (!EXTENSION_NAME.test(name)) {
      return {
        reason:
          'an attribute name is not a CloudEvents attribute name (lower-case letters and digits, at most 20); unknown attributes are extensions and must follow that rule',
      };
    }
    const fits =
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isInteger(value)) ||
      (typeof value === 'string' && value.length <= MAX_EXTENSION_LENGTH);
    if (!fits) {
      return {
        reason: `extension attribute ${name} must be a string (at most ${MAX_EXTENSION_LENGTH} characters), a boolean or an integer`,
      };
    }
    if (name === 'traceparent' && typeof value === 'string' && TRACEPARENT.test(value)) traceparent = value;
  }
  return { attributes, ...(traceparent ? { traceparent } : {}) };
};

const MAX_ISSUES = 8;

/** `data.invitees[1].email` from zod's path array. */
const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );

/**
 * A readable, payload-free account of what is wrong. zod's English messages name the expected
 * type or options and the field, never the received value, so no personal data leaks into a
 * stored reason.
 */
export const formatIssues = (issues: readonly z.core.$ZodIssue[]): string => {
  const lines = issues.slice(0, MAX_ISSUES).map((i) => {
    const where = formatPath(i.path);
    return where ? `${where}: ${i.message}` : i.message;
  });
  if (issues.length > MAX_ISSUES) lines.push(`… and ${issues.length - MAX_ISSUES} more problems`);
  return lines.join('; ');
};

/**
 * Only a well-formed string is kept, so a rejection never stores arbitrary input, and never one
 * that is or contains a personal identity number (it would be stored and logged as an id).
 */
export const safeId = (value: unknown): string | undefined =>
  typeof value === 'string' &&
  value.length > 0 &&
  value.length <= 128 &&
  /^[\x21-\x7e]+$/.test(value) &&
  !/^\d{6,8}[-+]?\d{4}$/.test(value) &&
  !containsPersonalNumber(value)
    ? value
    : undefined;

/** A rejected event's `source`, kept only when readable and free of personal numbers (issue 14: whom to tell). */
export const safeSource = (value: unknown): string | undefined =>
  typeof value === 'string' &&
  value.length > 0 &&
  value.length <= 256 &&
  /^[\x21-\x7e]+$/.test(value) &&
  // A publisher's URI, never a mailbox: a source with an address is not kept (nor echoed).
  !value.includes('@') &&
  !containsPersonalNumber(value)
    ? value
    : undefined;

/** Parses one SQS message body as a CloudEvent of the type the queue carries, with its schema. */
export const parseEventWith = <M>(
  body: string,
  expectedType: string,
  schema: z.ZodMiniType<M>,
): ParseResult<M> => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    // V8's message quotes part of the input; only the position is kept, never the payload.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    return {
      ok: false,
      reason: `the message body is not valid JSON${position ? ` (at character ${position})` : ''}`,
    };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: 'the message body must be a JSON object (a CloudEvents 1.0 event)' };
  }
  const raw = json as Record<string, unknown>;
  const eventId = safeId(raw.id);
  const caseId = safeId(raw.subject);
  const source = safeSource(raw.source);
  const ids = {
    ...(eventId ? { eventId } : {}),
    ...(caseId ? { caseId } : {}),
    ...(source ? { source } : {}),
  };
  if (raw.type === undefined) {
    return { ok: false, reason: `type is missing; this queue accepts "${expectedType}"`, ...ids };
  }
  if (!isKnownType(raw.type)) {
    return {
      ok: false,
      reason: `unknown event type${typeof raw.type === 'string' && safeId(raw.type) ? ` "${raw.type}"` : ''}; this queue accepts "${expectedType}"`,
      ...ids,
    };
  }
  if (raw.type !== expectedType) {
    return {
      ok: false,
      reason: `event type "${raw.type}" was sent to the queue for "${expectedType}"`,
      ...ids,
    };
  }
  const split = withoutExtensions(raw);
  if ('reason' in split) return { ok: false, reason: split.reason, ...ids };
  const result = schema.safeParse(split.attributes);
  if (!result.success) return { ok: false, reason: formatIssues(result.error.issues), ...ids };
  return {
    ok: true,
    event: result.data,
    ...(split.traceparent ? { traceparent: split.traceparent } : {}),
  };
};
