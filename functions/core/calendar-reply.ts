/**
 * Calendar replies (issue 13; RFC 5546 iTIP REPLY, carried by email per RFC 6047): what an
 * invitee's Accept / Decline / Tentative / Delegate in Outlook, Google or Apple Calendar means
 * for their invitation. The invitation's ORGANIZER is the county's reply address, so these come
 * back to the system (SES receiving → functions/inbound-mail/). Parsed with ical.js; the decision
 * is pure: which invitation (the UID names it), whether the reply is current (SEQUENCE), and which
 * `invitation.responded` answer it is. Rejection reasons never quote an address or a name.
 */
import ICAL from 'ical.js';
import type { InvitationResponded } from '../../events/contracts.ts';
import { type Invitee, type Meeting, owed } from './meeting.ts';

/** RFC 5546's methods and RFC 5545's participation statuses: the only such values a reason quotes. */
const ITIP_METHODS = new Set([
  'PUBLISH',
  'REQUEST',
  'REPLY',
  'ADD',
  'CANCEL',
  'REFRESH',
  'COUNTER',
  'DECLINECOUNTER',
]);
const PARTSTATS = new Set([
  'NEEDS-ACTION',
  'ACCEPTED',
  'DECLINED',
  'TENTATIVE',
  'DELEGATED',
  'COMPLETED',
  'IN-PROCESS',
]);

export interface ReplyAttendee {
  /** Lower-cased address of the `mailto:` value. */
  email: string;
  name?: string;
  partstat?: string;
  /** Lower-cased addresses of DELEGATED-TO / DELEGATED-FROM. */
  delegatedTo: string[];
  delegatedFrom: string[];
}

export interface CalendarReply {
  uid: string;
  sequence: number;
  attendees: ReplyAttendee[];
}

export type ReadResult = { ok: true; reply: CalendarReply } | { ok: false; reason: string };

/** Longest calendar part read (an invitation of ours is ~3 KB; a reply with a VTIMEZONE ~6 KB). */
export const MAX_CALENDAR_BYTES = 256 * 1024;

const mailto = (value: unknown): string | undefined => {
  const text = typeof value === 'string' ? value.trim() : '';
  const match = /^mailto:(.+)$/i.exec(text);
  return match
    ? decodeURIComponent(match[1] ?? '')
        .trim()
        .toLowerCase()
    : undefined;
};

const params = (p: ICAL.Property, name: string): string[] => {
  const value = p.getParameter(name);
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map((v) => mailto(v)).filter((v): v is string => v !== undefined);
};

/** Reads the iCalendar part of a reply: METHOD:REPLY, one event (no recurrence instances), its attendees. */
export const readCalendarReply = (ics: string): ReadResult => {
  if (Buffer.byteLength(ics) > MAX_CALENDAR_BYTES)
    return { ok: false, reason: `the calendar part is larger than ${MAX_CALENDAR_BYTES} bytes` };
  let calendar: ICAL.Component;
  try {
    calendar = new ICAL.Component(ICAL.parse(ics) as unknown[]);
  } catch (error) {
    return { ok: false, reason: `the calendar part is not valid iCalendar (${(error as Error).name})` };
  }
  if (calendar.name !== 'vcalendar') return { ok: false, reason: 'the calendar part has no VCALENDAR' };
  const method = String(calendar.getFirstPropertyValue('method') ?? '').toUpperCase();
  if (method !== 'REPLY')
    // The value is the sender's text: named only when it is one of iTIP's methods.
    return {
      ok: false,
      reason: `not a calendar reply: METHOD is ${ITIP_METHODS.has(method) ? method : method ? 'not an iTIP method' : 'missing'}, not REPLY`,
    };
  const events = calendar.getAllSubcomponents('vevent');
  const master = events.filter((e) => !e.hasProperty('recurrence-id'));
  if (events.length !== 1 || master.length !== 1)
    return {
      ok: false,
      reason: `a reply to one of our invitations has exactly one VEVENT without RECURRENCE-ID, this one has ${events.length}`,
    };
  const event = master[0] as ICAL.Component;
  const uid = String(event.getFirstPropertyValue('uid') ?? '').trim();
  if (!uid) return { ok: false, reason: 'the reply has no UID' };
  const sequenceValue = event.getFirstPropertyValue('sequence');
  const sequence = sequenceValue === null ? 0 : Number(sequenceValue);
  if (!Number.isInteger(sequence) || sequence < 0)
    return { ok: false, reason: 'the reply’s SEQUENCE is not a non-negative integer' };
  const attendees: ReplyAttendee[] = [];
  for (const p of event.getAllProperties('attendee')) {
    const email = mailto(p.getFirstValue());
    if (!email) continue;
    const cn = p.getParameter('cn');
    const partstat = p.getParameter('partstat');
    attendees.push({
      email,
      ...(typeof cn === 'string' && cn.trim() ? { name: cn.trim() } : {}),
      ...(typeof partstat === 'string' ? { partstat: partstat.toUpperCase() } : {}),
      delegatedTo: params(p, 'delegated-to'),
      delegatedFrom: params(p, 'delegated-from'),
    });
  }
  if (attendees.length === 0)
    return { ok: false, reason: 'the reply names no ATTENDEE with a mailto: address' };
  return { ok: true, reply: { uid, sequence, attendees } };
};

/**
 * The invitation a UID may name (adapters/invitation-mail.ts: `<case>.<meeting>.<invitee>@<county>.sip`).
 * Ids may themselves contain dots, so every split is a candidate; the caller loads at most
 * MAX_UID_CASES cases to find the one that has it.
 */
export const MAX_UID_CASES = 4;
export interface UidCandidate {
  caseId: string;
  meetingId: string;
  inviteeId: string;
}
export const uidCandidates = (uid: string, countyId: string): UidCandidate[] | { reason: string } => {
  const at = uid.lastIndexOf('@');
  if (at < 0 || !uid.endsWith('.sip')) return { reason: 'the UID is not one of this system’s' };
  if (uid.slice(at + 1) !== `${countyId}.sip`)
    return { reason: `the UID is not one of this county’s (${countyId})` };
  const parts = uid.slice(0, at).split('.');
  const out: UidCandidate[] = [];
  for (let i = 1; i < parts.length - 1; i++)
    for (let j = i + 1; j < parts.length; j++)
      out.push({
        caseId: parts.slice(0, i).join('.'),
        meetingId: parts.slice(i, j).join('.'),
        inviteeId: parts.slice(j).join('.'),
      });
  return out.length > 0 ? out : { reason: 'the UID is not one of this system’s' };
};

export type ReplyDecision =
  | { kind: 'answer'; data: Omit<InvitationResponded['data'], 'county'>; partstat: string }
  /** An older SEQUENCE: the invitee answered an earlier version; recorded, not applied. */
  | { kind: 'stale'; reason: string }
  /** A reply from an address not invited (the invitation was forwarded): the organiser decides. */
  | { kind: 'proposal'; substitute: { name: string; email: string } }
  | { kind: 'reject'; reason: string };

/**
 * What a reply means for the invitation its UID named. `from` is the envelope sender's address
 * (lower case); the reply's own ATTENDEE is what counts (Google sends through its own servers).
 */
export const decideReply = (
  reply: CalendarReply,
  meeting: Meeting,
  invitee: Invitee,
  protectedCase: boolean,
): ReplyDecision => {
  if (protectedCase) return { kind: 'reject', reason: 'the case is protected: no calendar, no reply' };
  const who = `${invitee.inviteeId} of meeting ${meeting.meetingId}`;
  const current = owed(meeting, invitee);
  if (reply.sequence > current.sequence)
    return {
      kind: 'reject',
      reason: `SEQUENCE ${reply.sequence} is newer than any invitation sent to ${who} (${current.sequence})`,
    };
  if (reply.sequence < current.sequence)
    return {
      kind: 'stale',
      reason: `a reply to SEQUENCE ${reply.sequence}; ${who} is at ${current.sequence}: recorded, not applied`,
    };
  if (current.action === 'cancel')
    return { kind: 'reject', reason: `the invitation of ${who} is cancelled; a reply changes nothing` };
  const own = invitee.email?.toLowerCase();
  const replier = reply.attendees.find((a) => a.email === own);
  if (!replier) {
    // A forwarded invitation: someone else answers. Only an acceptance proposes them.
    const other = reply.attendees.find((a) => a.partstat === 'ACCEPTED' && a.delegatedFrom.length === 0);
    if (!other || reply.attendees.length !== 1)
      return { kind: 'reject', reason: `the reply is not from the invited address of ${who}` };
    return {
      kind: 'proposal',
      substitute: { name: (other.name ?? other.email).slice(0, 100), email: other.email },
    };
  }
  const partstat = replier.partstat ?? 'NEEDS-ACTION';
  const base = { meetingId: meeting.meetingId, inviteeId: invitee.inviteeId };
  switch (partstat) {
    case 'ACCEPTED':
      return { kind: 'answer', partstat, data: { ...base, response: 'accepted' } };
    case 'DECLINED':
      return { kind: 'answer', partstat, data: { ...base, response: 'declined' } };
    // Tentative says the invitation arrived, not that the unit attends.
    case 'TENTATIVE':
      return { kind: 'answer', partstat, data: { ...base, response: 'received' } };
    case 'DELEGATED': {
      const to = replier.delegatedTo.find((address) => address !== own);
      if (!to) return { kind: 'reject', reason: `a delegation from ${who} without DELEGATED-TO` };
      const delegate = reply.attendees.find((a) => a.email === to);
      return {
        kind: 'answer',
        partstat,
        data: {
          ...base,
          response: 'substitute',
          substitute: { name: (delegate?.name ?? to).slice(0, 100), email: to },
        },
      };
    }
    default:
      return {
        kind: 'reject',
        reason: `PARTSTAT ${PARTSTATS.has(partstat) ? partstat : '(not an iCalendar participation status)'} is not an answer (ACCEPTED, DECLINED, TENTATIVE, DELEGATED)`,
      };
  }
};
