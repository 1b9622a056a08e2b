import type * as z from 'zod/mini';
import { isKnownType } from './contracts/common.ts';

export type ParseResult<M> =
  { ok: true; event: M } | { ok: false; reason: string; eventId?: string; caseId?: string };

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

/** Only a well-formed string is kept, so a rejection never stores arbitrary input. */
const safeId = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 && value.length <= 128 && /^[\x21-\x7e]+$/.test(value)
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
  const ids = { ...(eventId ? { eventId } : {}), ...(caseId ? { caseId } : {}) };
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
  const result = schema.safeParse(raw);
  if (!result.success) return { ok: false, reason: formatIssues(result.error.issues), ...ids };
  return { ok: true, event: result.data };
};
