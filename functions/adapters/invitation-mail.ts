/**
 * Builds the raw MIME message of an invitation: text + accessible HTML + an iCalendar part
 * (method REQUEST or CANCEL) with a stable UID per invitation and DTSTART in Europe/Stockholm.
 * MIME by ./mime.ts, iCalendar by ical-generator.
 */
import ical, {
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from 'ical-generator';
import { addMinutesLocal } from '../core/dates.ts';
import { composeInvitation, composeNotice, type Letter } from '../core/email.ts';
import type { Meeting, Notice } from '../core/meeting.ts';
import { buildMime, type Mailbox } from './mime.ts';

const TZ = 'Europe/Stockholm';

/** Stable per invitation across updates and cancellation: calendars match on it. */
export const invitationUid = (i: Pick<Letter, 'caseId' | 'meetingId' | 'inviteeId'>, countyId: string) =>
  `${i.caseId}.${i.meetingId}.${i.inviteeId}@${countyId}.sip`;

/**
 * Europe/Stockholm's rules (CET/CEST, EU summer time since 1996) as one VTIMEZONE. It is the block
 * timezones-ical-library generates (a unit test keeps them equal); the library itself carries
 * every zone of the world (29 KB), so only its output for our one zone ships.
 */
export const STOCKHOLM_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Stockholm',
  'X-LIC-LOCATION:Europe/Stockholm',
  'BEGIN:DAYLIGHT',
  'TZNAME:CEST',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZNAME:CET',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');
const vtimezone = () => STOCKHOLM_VTIMEZONE;

/** `20261201T085610Z`: an RFC 5545 DATE-TIME in UTC (the Z comes from toISOString). */
export const utcStamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

export const buildCalendar = (
  meeting: Meeting,
  invitation: Letter,
  countyId: string,
  now: Date,
  /** The ORGANIZER's address: the county's calendar reply address, so replies come back to the system. */
  replyAddress: Mailbox,
): string => {
  const words = composeInvitation(meeting, invitation, countyId);
  const cancel = invitation.action === 'cancel';
  const cal = ical({
    prodId: {
      company: 'sip-coordination',
      product: 'sip',
      language: invitation.locale === 'en' ? 'EN' : 'SV',
    },
    method: cancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  cal.timezone({ name: TZ, generator: vtimezone });
  cal.createEvent({
    id: invitationUid(invitation, countyId),
    sequence: invitation.sequence,
    ...(meeting.allDay
      ? { start: meeting.startsAt.slice(0, 10), allDay: true }
      : {
          start: `${meeting.startsAt.slice(0, 16)}:00`,
          end: `${addMinutesLocal(meeting.startsAt, meeting.durationMinutes)}:00`,
        }),
    timezone: TZ,
    stamp: now,
    status: cancel ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    summary: words.calendarSummary,
    description: words.calendarDescription,
    location:
      meeting.location?.kind === 'digital'
        ? meeting.location.joinUrl
        : (meeting.location?.place ?? undefined),
    url: meeting.location?.kind === 'digital' ? meeting.location.joinUrl : undefined,
    // The county's calendar reply address, with the organiser's name (issue 13): Accept, Decline,
    // Tentative and Delegate come back to the system (functions/inbound-mail/), while Reply-To
    // keeps ordinary replies going to the organiser. It also never equals the ATTENDEE (the
    // coordinator's own reminder), which would make Outlook drop the invitation.
    organizer: {
      name: meeting.organiser.unitName ?? replyAddress.name ?? 'SIP',
      email: replyAddress.address,
    },
    attendees: [
      {
        email: invitation.email ?? '',
        name: invitation.unitName,
        rsvp: !cancel,
        role: ICalAttendeeRole.REQ,
        status: ICalAttendeeStatus.NEEDSACTION,
      },
    ],
  });
  // ical-generator writes DTSTAMP in the event's zone without "Z"; RFC 5545 requires UTC. It also
  // leaves the last content line without its CRLF, which RFC 5545 §3.1 requires of every line.
  const text = cal.toString().replace(/^DTSTAMP:.*$/m, `DTSTAMP:${utcStamp(now)}`);
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
};

export interface MailAddresses {
  /** Parsed once, at the mailer's cold start (handler.ts). */
  from: Mailbox;
  replyTo: Mailbox;
  /** The invitations' ORGANIZER: where calendars send their replies (SES receiving). */
  calendarReply: Mailbox;
  countyId: string;
  countyName: string;
}

export const buildInvitationMessage = async (
  meeting: Meeting,
  invitation: Letter,
  addresses: MailAddresses,
  now: Date,
): Promise<Uint8Array> => {
  const words = composeInvitation(meeting, invitation, addresses.countyName);
  return buildMime({
    from: addresses.from,
    to: { address: invitation.email ?? '' },
    replyTo: meeting.organiser.contactEmail ? { address: meeting.organiser.contactEmail } : addresses.replyTo,
    subject: words.subject,
    text: words.text,
    html: words.html,
    calendar: {
      method: invitation.action === 'cancel' ? 'CANCEL' : 'REQUEST',
      filename: 'invitation.ics',
      content: buildCalendar(meeting, invitation, addresses.countyId, now, addresses.calendarReply),
    },
    date: now,
  });
};

/** A notice email: plain text and HTML, no calendar. */
export const buildNoticeMessage = async (
  notice: Pick<Notice, 'kind' | 'params' | 'caseId'>,
  to: { address: string; locale: 'sv' | 'en' },
  addresses: MailAddresses,
  now: Date,
): Promise<Uint8Array> => {
  const words = composeNotice(notice, to.locale, addresses.countyName);
  return buildMime({
    from: addresses.from,
    to: { address: to.address },
    replyTo: addresses.replyTo,
    subject: words.subject,
    text: words.text,
    html: words.html,
    date: now,
  });
};
