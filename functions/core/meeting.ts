/** Meetings and invitations as the case keeps them (docs/data-model.md). */
import type { SummonsSent } from '../../events/contracts.ts';

export type Location = SummonsSent['data']['location'];

export interface Meeting {
  caseId: string;
  meetingId: string;
  /** A SIP meeting (summons) or a follow-up of the plan. */
  kind?: 'sip' | 'follow-up';
  /** Follow-up without a time: an all-day entry. */
  allDay?: boolean;
  /** Set when consent lapses before this meeting: the reminder says so (the date only). */
  consentValidUntil?: string;
  /** `held`: the plan says the meeting took place; it is never cancelled afterwards. */
  status: 'scheduled' | 'cancelled' | 'held';
  /** Europe/Stockholm wall-clock time. */
  startsAt: string;
  durationMinutes: number;
  /** Never stored for a protected case. */
  location?: Location;
  organiser: { principal: string; organisationType: string; unitName?: string; contactEmail?: string };
  /** Only where the county lets emails show it, and never for a protected case. */
  purpose?: string;
  /** Raised by every change; invitations carry the sequence they were last changed in. */
  sequence: number;
  warnings: string[];
  lastSummonsEventId: string;
}

export type InvitationStatus =
  | 'pending'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'bounced'
  | 'complained'
  | 'failed'
  | 'cancelled'
  /** Protected path: a phone task for the coordinator. */
  | 'to-call'
  | 'called'
  | 'declined'
  | 'unreachable'
  /** Responses (seeds 002, 004). */
  | 'accepted'
  | 'substitute';

export interface Invitation {
  caseId: string;
  meetingId: string;
  inviteeId: string;
  principal: string;
  organisationId: string;
  organisationType: string;
  channel: 'email' | 'phone';
  /** Email path only. */
  unitName?: string;
  email?: string;
  locale?: 'sv' | 'en';
  /** Phone path only: whom the coordinator calls. */
  phone?: string;
  hasOngoingIntervention?: boolean;
  status: InvitationStatus;
  /** What the next send does: invite (or update) or cancel. */
  action: 'request' | 'cancel';
  /** The meeting sequence this invitation's latest change belongs to (iCalendar SEQUENCE). */
  sequence: number;
  /** The sequence last emailed; a job for it again is a duplicate. */
  sentSequence?: number;
  claimedAt?: string;
  sesMessageId?: string;
  failureReason?: string;
}

/** Something a person must be told that is not a meeting: no calendar, plain words, ids and dates only. */
export interface Notice {
  caseId: string;
  noticeId: string;
  kind: 'obliged-unit-declined' | 'case-closed' | 'consent-expiring' | 'consent-expired';
  /** `system`: shown in the coordinator's own system (the protected path sends nothing). */
  channel: 'email' | 'system';
  email?: string;
  locale?: 'sv' | 'en';
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'to-read';
  sequence: 0;
  sentSequence?: number;
  claimedAt?: string;
  sesMessageId?: string;
  failureReason?: string;
  /** Ids, codes and dates only. */
  params: Record<string, string>;
}

/** The email a mailer job sends: one invitation at one sequence, or one notice. */
export interface MailJob {
  caseId: string;
  meetingId?: string;
  inviteeId?: string;
  noticeId?: string;
  sequence: number;
}

export const pendingMailJobs = (
  invitations: Iterable<Invitation>,
  notices: Iterable<Notice> = [],
): MailJob[] => [
  ...[...invitations]
    .filter((i) => i.channel === 'email' && i.status === 'pending')
    .map((i) => ({ caseId: i.caseId, meetingId: i.meetingId, inviteeId: i.inviteeId, sequence: i.sequence })),
  ...[...notices]
    .filter((n) => n.channel === 'email' && n.status === 'pending')
    .map((n) => ({ caseId: n.caseId, noticeId: n.noticeId, sequence: 0 })),
];

/** Cancels every open email invitation of the case's scheduled meetings (consent withdrawn, case stopped or closed). */
export const cancelMeetings = (
  meetings: Iterable<Meeting>,
  invitations: Iterable<Invitation>,
  /** Meetings before this day (Stockholm) are past: nobody is told they are off. */
  fromDay?: string,
): { meetings: Meeting[]; invitations: Invitation[] } => {
  const changed: Meeting[] = [];
  const changedInvitations: Invitation[] = [];
  const all = [...invitations];
  for (const m of meetings) {
    if (m.status !== 'scheduled' || (fromDay && m.startsAt.slice(0, 10) < fromDay)) continue;
    const sequence = m.sequence + 1;
    changed.push({ ...m, status: 'cancelled', sequence });
    for (const i of all.filter((x) => x.meetingId === m.meetingId)) {
      if (i.channel === 'phone') {
        // The coordinator calls to cancel what was agreed by phone.
        changedInvitations.push({ ...i, status: 'to-call', action: 'cancel', sequence });
      } else if (i.sentSequence === undefined) {
        changedInvitations.push({ ...i, status: 'cancelled', action: 'cancel', sequence }); // nothing was sent
      } else if (i.status !== 'cancelled' && i.status !== 'failed') {
        changedInvitations.push({ ...i, status: 'pending', action: 'cancel', sequence });
      }
    }
  }
  return { meetings: changed, invitations: changedInvitations };
};
