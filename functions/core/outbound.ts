/**
 * Outbound events (issue 14): what upstream hears back. Pure: from the case as it was read and as
 * one commit leaves it, the state changes someone upstream acts on, as CloudEvents 1.0 data. The
 * store writes them in the same transaction as the change (functions/adapters/case-store.ts, one
 * `OUT#` item per commit), and the publisher sends what the table committed
 * (functions/outbound/): exactly once per state change, in the case's order (docs/semantics.md).
 *
 * Every field is an id, a code, a status, a date or time, or (phone tasks, the protected path's
 * purpose) the invited unit's phone number: no place, no free text, no email address, no name —
 * for any case, so a protected case needs no second rule. What people wrote stays in the case
 * summary.
 */
import type { CaseRecord } from './case.ts';
import { addDays } from './dates.ts';
import { EVALUATION_VALID_DAYS } from './evaluation.ts';
import { derivedId } from './ids.ts';
import type { Invitee, Meeting, Notice } from './meeting.ts';

export const outboundTypes = {
  caseStatusChanged: 'se.sip.case.status-changed.v1',
  invitationStatusChanged: 'se.sip.invitation.status-changed.v1',
  clarificationRequested: 'se.sip.clarification.requested.v1',
  phoneTaskCreated: 'se.sip.phone-task.created.v1',
  phoneTaskUpdated: 'se.sip.phone-task.updated.v1',
  reminderDue: 'se.sip.reminder.due.v1',
  familySurveyReady: 'se.sip.family-survey.ready.v1',
  eventRejected: 'se.sip.event.rejected.v1',
} as const;
export type OutboundType = (typeof outboundTypes)[keyof typeof outboundTypes];

export interface OutboundChange {
  type: OutboundType;
  data: Record<string, unknown>;
}

/** What outbound needs of a case: its record, meetings and notices. */
export interface CaseSnapshot {
  case?: CaseRecord;
  meetings: ReadonlyMap<string, Meeting>;
  notices: ReadonlyMap<string, Notice>;
}

/** An invitation's status as upstream sees it (the email path). */
export type InvitationStatus =
  'invited' | 'received' | 'accepted' | 'declined' | 'substitute' | 'substitute-proposed' | 'cancelled';

export const invitationStatus = (m: Meeting, i: Invitee): InvitationStatus => {
  if (m.status === 'cancelled' || i.removed) return 'cancelled';
  if (i.response) return i.response.value;
  if (i.proposal) return 'substitute-proposed';
  if (i.receivedVersion) return 'received';
  return 'invited';
};

/** A phone task's status (the protected path: every invitee is called). */
export type PhoneTaskStatus = 'to-call' | 'agreed' | 'declined' | 'unreachable' | 'cancelled';

export const phoneTaskStatus = (m: Meeting, i: Invitee): PhoneTaskStatus => {
  if (m.status === 'cancelled' || i.removed) return 'cancelled';
  if (i.phoneOutcome && i.phoneOutcome.version >= i.changedVersion) return i.phoneOutcome.value;
  return 'to-call';
};

/** The reason codes of a case's status: why it stopped, closed or waits. */
const reasonCodes = (c: CaseRecord): string[] => [
  ...(c.stopReason ? [c.stopReason] : []),
  ...(c.status === 'closed' && c.closeReason ? [`closed:${c.closeReason}`] : []),
  ...(c.consentStatus === 'expired' ? ['consent-expired'] : []),
  ...(c.protectedIdentity ? ['protected-identity'] : []),
];

const phoneTaskData = (county: string, m: Meeting, i: Invitee) => ({
  county,
  caseId: m.caseId,
  meetingId: m.meetingId,
  inviteeId: i.inviteeId,
  principal: i.principal,
  organisationType: i.organisationType,
  ...(i.phone !== undefined ? { phone: i.phone } : {}),
  meetingKind: m.kind ?? 'sip',
  startsAt: m.startsAt,
  ...(m.allDay ? { allDay: true } : {}),
  durationMinutes: m.durationMinutes,
  status: phoneTaskStatus(m, i),
});

/**
 * What became of an email to an invitee (the mailer's send, SES's reports): `sent` (SES accepted
 * it), `delivered`, `bounced` (permanently), `complained`, `failed` (SES refused it). Told as an
 * `invitation.status-changed` of its own shape, with `email` (which email: the invitation or its
 * cancellation) and the SEQUENCE it carried; the answer's status stays in the other shape.
 */
export type EmailStatus = 'sent' | 'delivered' | 'bounced' | 'complained' | 'failed';

export const emailStatusChange = (
  county: string,
  ref: { caseId: string; meetingId: string; inviteeId: string },
  status: EmailStatus,
  email: { meetingSequence: number; action: 'request' | 'cancel' },
): OutboundChange => ({
  type: outboundTypes.invitationStatusChanged,
  data: {
    county,
    caseId: ref.caseId,
    meetingId: ref.meetingId,
    inviteeId: ref.inviteeId,
    status,
    email: email.action === 'cancel' ? 'cancellation' : 'invitation',
    meetingSequence: email.meetingSequence,
  },
});

const REMINDER_NOTICES = new Set<Notice['kind']>(['consent-expiring', 'unconfirmed-invitations']);

/**
 * The state changes between what a commit read and what it writes, in a fixed order (case,
 * meetings by id, their invitees in summons order, notices by id): the same commit always yields
 * the same list.
 */
export const outboundChanges = (
  county: string,
  before: CaseSnapshot,
  after: CaseSnapshot,
): OutboundChange[] => {
  const out: OutboundChange[] = [];
  const c = after.case;
  if (!c) return out;
  const was = before.case;
  const protectedNow = c.protectedIdentity;
  if (
    !was ||
    was.status !== c.status ||
    was.protectedIdentity !== c.protectedIdentity ||
    reasonCodes(was).join() !== reasonCodes(c).join()
  ) {
    out.push({
      type: outboundTypes.caseStatusChanged,
      data: {
        county,
        caseId: c.caseId,
        status: c.status,
        ...(was ? { previousStatus: was.status } : {}),
        protectedIdentity: c.protectedIdentity,
        reasons: reasonCodes(c),
      },
    });
  }
  for (const id of [...after.meetings.keys()].sort()) {
    const m = after.meetings.get(id) as Meeting;
    const old = before.meetings.get(id);
    // A protected case: every invitee is a phone task. Newly protected: each becomes one.
    const protectedBefore = was?.protectedIdentity ?? false;
    for (const i of m.invitees) {
      const prior = old?.invitees.find((x) => x.inviteeId === i.inviteeId);
      if (protectedNow) {
        const now = phoneTaskData(county, m, i);
        const then = prior && old && protectedBefore ? phoneTaskData(county, old, prior) : undefined;
        if (!then) {
          if (now.status === 'cancelled') continue; // nothing to call about
          out.push({ type: outboundTypes.phoneTaskCreated, data: now });
        } else if (JSON.stringify(then) !== JSON.stringify(now)) {
          out.push({ type: outboundTypes.phoneTaskUpdated, data: now });
        }
        continue;
      }
      if (!i.email) continue;
      const status = invitationStatus(m, i);
      const priorStatus = prior && old ? invitationStatus(old, prior) : undefined;
      if (status !== priorStatus || (old && old.sequence !== m.sequence && status !== 'cancelled')) {
        if (!prior && status === 'cancelled') continue;
        out.push({
          type: outboundTypes.invitationStatusChanged,
          data: {
            county,
            caseId: m.caseId,
            meetingId: m.meetingId,
            inviteeId: i.inviteeId,
            organisationType: i.organisationType,
            status,
            ...(priorStatus ? { previousStatus: priorStatus } : {}),
            meetingSequence: m.sequence,
            ...(i.substituteFor ? { substituteFor: i.substituteFor } : {}),
            ...(i.substitutedBy ? { substitutedBy: i.substitutedBy } : {}),
          },
        });
      }
    }
    if (!protectedNow) {
      const known = new Set((old?.clarifications ?? []).map((x) => x.eventId));
      for (const q of m.clarifications ?? []) {
        if (known.has(q.eventId)) continue;
        out.push({
          type: outboundTypes.clarificationRequested,
          data: { county, caseId: m.caseId, meetingId: m.meetingId, inviteeId: q.inviteeId },
        });
      }
    }
    if (!old && m.kind === 'follow-up') {
      out.push({
        type: outboundTypes.reminderDue,
        data: {
          county,
          caseId: m.caseId,
          kind: 'follow-up',
          meetingId: m.meetingId,
          date: m.startsAt.slice(0, 10),
        },
      });
    }
  }
  for (const id of [...after.notices.keys()].sort()) {
    const n = after.notices.get(id) as Notice;
    if (before.notices.has(id) || n.void) continue;
    // The family survey (issue 15) to hand out after a held meeting: the coordinator's own system
    // hears of it for every case — for a protected one it is the only way (no email). The
    // publisher adds the printable page's link (functions/outbound/); the table never holds it.
    const held = n.kind === 'family-survey' ? after.meetings.get(n.params.meetingId ?? '') : undefined;
    if (held) {
      out.push({
        type: outboundTypes.familySurveyReady,
        data: {
          county,
          caseId: n.caseId,
          meetingId: held.meetingId,
          validUntil: addDays(held.startsAt.slice(0, 10), EVALUATION_VALID_DAYS),
        },
      });
      continue;
    }
    if (!REMINDER_NOTICES.has(n.kind)) continue;
    out.push({
      type: outboundTypes.reminderDue,
      data: { county, caseId: n.caseId, kind: n.kind, noticeId: n.noticeId, params: { ...n.params } },
    });
  }
  return out;
};

/** An event a rule (or the queue's checks) refused, told to its publisher. */
export const rejectedData = (r: {
  county: string;
  eventId?: string;
  eventType: string;
  source?: string;
  caseId?: string;
  reason: string;
  rejectedAt: string;
}) => ({
  county: r.county,
  ...(r.eventId ? { eventId: r.eventId } : {}),
  eventType: r.eventType,
  ...(r.source ? { source: r.source } : {}),
  ...(r.caseId ? { caseId: r.caseId } : {}),
  // The contract's limit: a reason is a sentence, never a payload.
  reason: r.reason.slice(0, 2000),
  rejectedAt: r.rejectedAt,
});

/** The CloudEvents `sequence` extension: a string whose lexical order is the case's order. */
export const sequenceString = (n: number): string => String(n).padStart(12, '0');

export interface OutboundEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: OutboundType;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  /** Per case, from 1, without gaps (absent on a rejection that belongs to no case). */
  sequence?: string;
  data: Record<string, unknown>;
}

/** The outbound CloudEvents of one commit, numbered on from the case's last sequence. */
export const outboundEvents = (
  county: string,
  caseId: string,
  lastSequence: number,
  changes: OutboundChange[],
  time: string,
): OutboundEvent[] =>
  changes.map((ch, n) => ({
    specversion: '1.0',
    id: derivedId('out', county, caseId, String(lastSequence + n + 1)),
    source: `urn:sip:${county}`,
    type: ch.type,
    time,
    subject: caseId,
    datacontenttype: 'application/json',
    sequence: sequenceString(lastSequence + n + 1),
    data: ch.data,
  }));

/** A stored rejection (the queue's checks) as an outbound event: its id follows the message's. */
export const rejectionEvent = (
  county: string,
  messageId: string,
  r: Parameters<typeof rejectedData>[0],
): OutboundEvent => ({
  specversion: '1.0',
  id: derivedId('rejected', county, messageId),
  source: `urn:sip:${county}`,
  type: outboundTypes.eventRejected,
  time: r.rejectedAt,
  ...(r.caseId ? { subject: r.caseId } : {}),
  datacontenttype: 'application/json',
  data: rejectedData(r),
});
