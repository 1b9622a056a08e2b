/**
 * Meetings, their invitees, notices and what the mailer owes each recipient
 * (docs/data-model.md, docs/semantics.md).
 *
 * What a case *wants* (a meeting's details, who is invited, who must be told) is decided by the
 * rules and kept in the meeting and notice items; what has *been sent* is kept by the mailer in
 * its own delivery items. Neither writes the other's items, so a consumer's change and a send in
 * flight can never overwrite each other. An invitation is the view that joins the two.
 */
import type { SummonsSent } from '../../events/contracts.ts';
import { derivedId, hashOf } from './ids.ts';
import type { Version } from './version.ts';

export type Location = SummonsSent['data']['location'];

export interface Response {
  value: 'accepted' | 'declined' | 'substitute';
  version: Version;
  eventId: string;
  /** accepted: who attends (never on the protected path). */
  attendee?: { name: string; role: string };
  /** substitute: who attends instead (never on the protected path). */
  substitute?: { name: string; email: string };
}

/** A unit asked the organiser to clarify the purpose or the questions (seed 001). */
export interface Clarification {
  inviteeId: string;
  message: string;
  version: Version;
  eventId: string;
}

export interface PhoneOutcome {
  value: 'agreed' | 'declined' | 'unreachable';
  version: Version;
  eventId: string;
}

/** One invited unit of one meeting: who, how to reach them, and their latest answer. */
export interface Invitee {
  inviteeId: string;
  principal: string;
  organisationId: string;
  organisationType: string;
  /** Email path only. */
  unitName?: string;
  email?: string;
  locale?: 'sv' | 'en';
  /** Whom the coordinator calls (phone path; also kept on the email path when sent). */
  phone?: string;
  hasOngoingIntervention: boolean;
  /** Dropped from a later version of the summons: owed a cancellation, if anything was sent. */
  removed?: boolean;
  /** Version of the last change to what this invitee was asked: a phone call older than it is void. */
  changedVersion: Version;
  response?: Response;
  /**
   * Someone the invitation was forwarded to offered to attend in the unit's place (a calendar
   * reply from an address not invited): the newest offer, for the organiser to confirm. Never
   * kept for a protected case.
   */
  proposal?: { name: string; email: string; version: Version; eventId: string };
  /** This unit sent a substitute (its newest answer): its own calendar entry is cancelled. */
  substitutedBy?: string;
  /** This invitee is the substitute of that one (its invitation exists while that answer stands). */
  substituteFor?: string;
  /** The unit confirmed that the invitation arrived (any answer confirms it too). */
  receivedVersion?: Version;
  phoneOutcome?: PhoneOutcome;
  /**
   * Raised (by the store) whenever what this one invitee receives changes on its own (removed,
   * another address, another name or language): the calendar SEQUENCE is the meeting's sequence
   * plus this, so it only ever grows.
   */
  offset: number;
}

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
  /**
   * What the invitation page shows (seeds 001, 002): purpose, long-term goal and questions as the
   * summons stated them. Never in an email, never for a protected case.
   */
  content?: { purpose: string; longTermGoal: string; questions: string[] };
  /** What invited units asked the organiser to clarify, oldest first (not for a protected case). */
  clarifications?: Clarification[];
  /** Raised (by the store) by every change a calendar shows: the iCalendar SEQUENCE. */
  sequence: number;
  warnings: string[];
  lastSummonsEventId: string;
  /** The version of the summons (or follow-up event) whose details the meeting shows. */
  detailsVersion: Version;
  /** Follow-up: the version of the latest details that named a time; one without a time never overrides it. */
  timedVersion?: Version;
  invitees: Invitee[];
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
  /** Never emailed: the case became protected (no SES call about a protected case, ever). */
  | 'withheld'
  /** Protected path: a phone task for the coordinator. */
  | 'to-call'
  | 'called'
  | 'declined'
  | 'unreachable';

/**
 * A send holds its claim at most this long (the mailer's 10 s timeout, three times). Here, not
 * in the runtime's apply-event.ts, so the mailer imports no rule it does not run.
 */
export const DEFAULT_CLAIM_LEASE_SECONDS = 30;

/** The mailer's record of one recipient (docs/data-model.md, "delivery"): only the mailer writes it. */
export interface Delivery {
  caseId: string;
  /** `invitation` keys: meetingId + inviteeId; `notice` keys: noticeId + recipient. */
  meetingId?: string;
  inviteeId?: string;
  noticeId?: string;
  recipient?: string;
  /** The outcome of `doneSequence`. */
  status?: 'sent' | 'delivered' | 'bounced' | 'complained' | 'failed' | 'cancelled' | 'withheld' | 'void';
  /** The highest sequence whose outcome is final (sent, cancelled, failed, withheld). */
  doneSequence?: number;
  /** The highest sequence actually emailed, its method and to whom. */
  sentSequence?: number;
  sentAction?: 'request' | 'cancel';
  sentTo?: string;
  /** What the last email sent to `sentTo` showed (./meeting.ts `letterDigest`): an unchanged one is not sent again. */
  sentDigest?: string;
  /** A send was claimed at least once: SES may have the request, so a cancellation is owed. */
  attempted?: boolean;
  claimToken?: string;
  claimedAt?: string;
  claimSequence?: number;
  claimAction?: 'request' | 'cancel';
  claimTo?: string;
  sesMessageId?: string;
  failureReason?: string;
  deliveryDetail?: string;
  /** Set while the case becomes protected: no claim succeeds on a fenced delivery. */
  fenced?: boolean;
}

/** An invitation as people read it: the invitee, what is owed to them, and what was sent. */
export interface Invitation {
  caseId: string;
  meetingId: string;
  inviteeId: string;
  principal: string;
  organisationId: string;
  organisationType: string;
  channel: 'email' | 'phone';
  unitName?: string;
  email?: string;
  locale?: 'sv' | 'en';
  phone?: string;
  hasOngoingIntervention: boolean;
  status: InvitationStatus;
  /** What is owed: the invitation (or its update), or its cancellation. */
  action: 'request' | 'cancel';
  /** The iCalendar SEQUENCE of what is owed. */
  sequence: number;
  sentSequence?: number;
  response?: Response['value'];
  sesMessageId?: string;
  failureReason?: string;
}

export type NoticeKind =
  | 'obliged-unit-declined'
  | 'case-closed'
  | 'consent-expiring'
  | 'clarification-requested'
  | 'unconfirmed-invitations'
  | 'substitute-proposed'
  /** After the meeting (issue 15): each unit that took part gets its evaluation link. */
  | 'meeting-evaluation'
  /** After the meeting (issue 15): the organiser gets the family survey's printable page. */
  | 'family-survey';

/** Who a notice goes to, by reference: the address is looked up when it is sent, never copied. */
export type NoticeTarget =
  | { kind: 'coordinator' }
  | { kind: 'organiser'; meetingId: string }
  | { kind: 'invitee'; meetingId: string; inviteeId: string };

export interface NoticeRecipient {
  /** Short and stable: the delivery item's key part and the mail job's `recipient`. */
  key: string;
  to: NoticeTarget;
}

/** Something a person must be told that is not a meeting: no calendar, plain words, ids and dates only. */
export interface Notice {
  caseId: string;
  noticeId: string;
  kind: NoticeKind;
  /** Ids, codes and dates only. */
  params: Record<string, string>;
  /** Empty: shown in the coordinator's own system only (and always so for a protected case). */
  recipients: NoticeRecipient[];
  /** The version of the event that gave rise to it. */
  version: Version;
  /** The event that gave rise to it no longer counts (an earlier event arrived late): nothing more is sent. */
  void?: boolean;
}

export const recipientKey = (to: NoticeTarget): string =>
  to.kind === 'coordinator'
    ? 'coordinator'
    : to.kind === 'organiser'
      ? derivedId('org', to.meetingId)
      : derivedId('to', to.meetingId, to.inviteeId);

/** The email a mailer job sends: one invitation at one sequence, or one notice to one recipient. */
export type MailJob =
  | { caseId: string; meetingId: string; inviteeId: string; sequence: number }
  | { caseId: string; noticeId: string; recipient: string; sequence: 0 };

export const isNoticeJob = (j: MailJob): j is Extract<MailJob, { noticeId: string }> => 'noticeId' in j;

/** What an invitee is owed now: an invitation (or update) or a cancellation, at a sequence. */
export const owed = (
  meeting: Meeting,
  invitee: Invitee,
): { action: 'request' | 'cancel'; sequence: number } => ({
  action: meeting.status === 'cancelled' || invitee.removed || invitee.substitutedBy ? 'cancel' : 'request',
  sequence: meeting.sequence + invitee.offset,
});

/** Is the send of `sequence` finished (sent, cancelled, failed for good or withheld)? */
export const isDone = (delivery: Delivery | undefined, sequence: number): boolean =>
  delivery?.doneSequence !== undefined && delivery.doneSequence >= sequence;

const phoneStatus: Record<PhoneOutcome['value'], InvitationStatus> = {
  agreed: 'called',
  declined: 'declined',
  unreachable: 'unreachable',
};

/** The invitation view of every invitee of every meeting. */
export const invitationsOf = (
  protectedCase: boolean,
  meetings: Iterable<Meeting>,
  deliveries: ReadonlyMap<string, Delivery>,
): Invitation[] => {
  const out: Invitation[] = [];
  for (const m of meetings) {
    for (const i of m.invitees) {
      const { action, sequence } = owed(m, i);
      const delivery = deliveries.get(
        deliveryKey({ caseId: m.caseId, meetingId: m.meetingId, inviteeId: i.inviteeId }),
      );
      const channel = protectedCase || !i.email ? 'phone' : 'email';
      let status: InvitationStatus;
      if (channel === 'phone') {
        status =
          i.phoneOutcome && i.phoneOutcome.version > i.changedVersion
            ? phoneStatus[i.phoneOutcome.value]
            : 'to-call';
      } else if (isDone(delivery, sequence)) {
        status = delivery?.status === 'void' ? 'cancelled' : (delivery?.status ?? 'sent');
      } else status = delivery?.claimToken ? 'sending' : 'pending';
      out.push({
        caseId: m.caseId,
        meetingId: m.meetingId,
        inviteeId: i.inviteeId,
        principal: i.principal,
        organisationId: i.organisationId,
        organisationType: i.organisationType,
        channel,
        ...(channel === 'email' ? { unitName: i.unitName, email: i.email, locale: i.locale ?? 'sv' } : {}),
        ...(i.phone !== undefined ? { phone: i.phone } : {}),
        hasOngoingIntervention: i.hasOngoingIntervention,
        status,
        action,
        sequence,
        ...(delivery?.sentSequence !== undefined ? { sentSequence: delivery.sentSequence } : {}),
        ...(i.response ? { response: i.response.value } : {}),
        ...(delivery?.sesMessageId ? { sesMessageId: delivery.sesMessageId } : {}),
        ...(delivery?.failureReason ? { failureReason: delivery.failureReason } : {}),
      });
    }
  }
  return out;
};

/** The key of a delivery in the map a case's load returns. */
export const deliveryKey = (
  d: { caseId: string } & (
    { meetingId: string; inviteeId: string } | { noticeId: string; recipient: string }
  ),
): string =>
  'noticeId' in d ? `notice/${d.noticeId}/${d.recipient}` : `invitation/${d.meetingId}/${d.inviteeId}`;

/**
 * Every email still owed: invitations whose owed sequence is not done, and notice recipients not
 * yet told. A protected case owes none (the mailer would only withhold them).
 */
export const pendingMailJobs = (
  protectedCase: boolean,
  meetings: Iterable<Meeting>,
  notices: Iterable<Notice>,
  deliveries: ReadonlyMap<string, Delivery>,
): MailJob[] => {
  if (protectedCase) return [];
  const jobs: MailJob[] = [];
  for (const m of meetings) {
    for (const i of m.invitees) {
      if (!i.email) continue;
      const { sequence } = owed(m, i);
      const key = { caseId: m.caseId, meetingId: m.meetingId, inviteeId: i.inviteeId };
      if (!isDone(deliveries.get(deliveryKey(key)), sequence)) jobs.push({ ...key, sequence });
    }
  }
  for (const n of notices) {
    if (n.void) continue;
    for (const r of n.recipients) {
      const key = { caseId: n.caseId, noticeId: n.noticeId, recipient: r.key };
      if (!isDone(deliveries.get(deliveryKey(key)), 0)) jobs.push({ ...key, sequence: 0 });
    }
  }
  return jobs;
};

/**
 * Cancels every scheduled meeting from a day on (consent withdrawn, case closed): each invitee is
 * owed a cancellation, and a call agreed before it no longer holds. Earlier meetings are past.
 */
export const cancelMeetingsFrom = (
  meetings: ReadonlyMap<string, Meeting>,
  fromDay: string,
  version: Version,
): { meetings: Map<string, Meeting>; cancelled: number } => {
  const out = new Map(meetings);
  let cancelled = 0;
  for (const m of meetings.values()) {
    if (m.status !== 'scheduled' || m.startsAt.slice(0, 10) < fromDay) continue;
    cancelled++;
    out.set(m.meetingId, {
      ...m,
      status: 'cancelled',
      invitees: m.invitees.map((i) => (i.removed ? i : { ...i, changedVersion: version })),
    });
  }
  return { meetings: out, cancelled };
};

/** A notice as people read it: where it goes, and how far it got. */
export const noticeView = (
  protectedCase: boolean,
  notice: Notice,
  deliveries: ReadonlyMap<string, Delivery>,
): { channel: 'email' | 'system'; status: string } => {
  if (protectedCase || notice.recipients.length === 0)
    return { channel: 'system', status: notice.void ? 'void' : 'to-read' };
  if (notice.void) return { channel: 'email', status: 'void' };
  const statuses = notice.recipients.map((r) => {
    const d = deliveries.get(
      deliveryKey({ caseId: notice.caseId, noticeId: notice.noticeId, recipient: r.key }),
    );
    return isDone(d, 0) ? (d?.status ?? 'sent') : d?.claimToken ? 'sending' : 'pending';
  });
  const distinct = [...new Set(statuses)];
  return {
    channel: 'email',
    status: distinct.length === 1 ? (distinct[0] as string) : distinct.sort().join('/'),
  };
};

/**
 * What a calendar entry shows of a meeting, one list for both uses: the SEQUENCE goes up when it
 * changes (core/materialize.ts), and an email is unchanged when it is the same (letterDigest).
 */
export const shownDetails = (meeting: Meeting): unknown[] => [
  meeting.startsAt,
  meeting.durationMinutes,
  meeting.allDay ?? false,
  meeting.location ?? null,
  meeting.organiser.unitName ?? null,
  meeting.organiser.contactEmail ?? null,
  meeting.purpose ?? null,
  meeting.consentValidUntil ?? null,
];

/**
 * What an invitation email shows its recipient — time, length, place, organiser, the unit's name,
 * language, the consent note — as a digest: a later sequence that shows the same (a change undone
 * before it was sent) is not sent again.
 */
export const letterDigest = (
  meeting: Meeting,
  invitee: Invitee,
  action: 'request' | 'cancel',
  to: string,
): string =>
  hashOf(
    JSON.stringify([
      action,
      to.toLowerCase(),
      ...shownDetails(meeting),
      meeting.kind ?? 'sip',
      invitee.unitName ?? null,
      invitee.locale ?? 'sv',
    ]),
  );

/** The substitute of one invitee of one meeting: one id per original, whoever the substitute is. */
export const substituteId = (meetingId: string, inviteeId: string): string =>
  derivedId('sub', meetingId, inviteeId);

/**
 * Substitutes follow their unit's newest answer (seed 002: "Vid förhinder ska en ersättare
 * utses"; issue 13): while it is "substitute" with a name and an address, the substitute is an
 * invitee of their own (invitation, link and calendar) and the unit's own entry is cancelled;
 * when a newer answer replaces it, or the unit is no longer invited, the substitute's entry is
 * cancelled. Not on the protected path (no address is kept there). Called after every change to
 * a meeting's invitees, so the summons and the answers can come in any order.
 */
export const reconcileSubstitutes = (m: Meeting, protectedCase: boolean): Meeting => {
  const byId = new Map(m.invitees.map((i) => [i.inviteeId, i]));
  const originals: Invitee[] = [];
  const substitutes: Invitee[] = [];
  for (const x of m.invitees) {
    if (x.substituteFor) continue;
    const r = x.response;
    const wanted = !protectedCase && !x.removed && r?.value === 'substitute' ? r.substitute : undefined;
    const id = substituteId(m.meetingId, x.inviteeId);
    const before = byId.get(id);
    const { substitutedBy: _was, ...plain } = x;
    if (wanted && r) {
      originals.push({ ...plain, substitutedBy: id });
      substitutes.push({
        inviteeId: id,
        principal: x.principal,
        organisationId: x.organisationId,
        organisationType: x.organisationType,
        ...(x.unitName !== undefined ? { unitName: x.unitName } : {}),
        email: wanted.email,
        locale: x.locale ?? 'sv',
        hasOngoingIntervention: x.hasOngoingIntervention,
        changedVersion: r.version,
        substituteFor: x.inviteeId,
        ...(before?.response && !before.removed ? { response: before.response } : {}),
        ...(before?.receivedVersion && !before.removed ? { receivedVersion: before.receivedVersion } : {}),
        offset: before?.offset ?? 0,
      });
    } else {
      originals.push(plain);
      if (before) substitutes.push(before.removed ? before : { ...before, removed: true });
    }
  }
  return { ...m, invitees: [...originals, ...substitutes] };
};
