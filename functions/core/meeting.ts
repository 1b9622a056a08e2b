/** Meetings and invitations as the case keeps them (docs/data-model.md). */
import type { SummonsSent } from '../../events/contracts.ts';

export type Location = SummonsSent['data']['location'];

export interface Meeting {
  caseId: string;
  meetingId: string;
  status: 'scheduled' | 'cancelled';
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
  | 'unreachable';

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

/** The email a mailer job sends: one invitation at one sequence. */
export interface MailJob {
  caseId: string;
  meetingId: string;
  inviteeId: string;
  sequence: number;
}

export const pendingMailJobs = (invitations: Iterable<Invitation>): MailJob[] =>
  [...invitations]
    .filter((i) => i.channel === 'email' && i.status === 'pending')
    .map((i) => ({ caseId: i.caseId, meetingId: i.meetingId, inviteeId: i.inviteeId, sequence: i.sequence }));

/** Cancels every open email invitation of the case's scheduled meetings (consent withdrawn, case stopped or closed). */
export const cancelMeetings = (
  meetings: Iterable<Meeting>,
  invitations: Iterable<Invitation>,
): { meetings: Meeting[]; invitations: Invitation[] } => {
  const changed: Meeting[] = [];
  const changedInvitations: Invitation[] = [];
  const all = [...invitations];
  for (const m of meetings) {
    if (m.status !== 'scheduled') continue;
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
