import nodeIcal from 'node-ical';
import { inject } from 'vitest';
import { type StoredEmail, sesEmails } from '../../local/inspect.ts';

/** Emails the SES emulator holds for a case (the case reference is in every subject). */
export const emailsFor = async (caseId: string): Promise<StoredEmail[]> =>
  (await sesEmails(inject('endpoints').ses)).filter((e) => e.subject.includes(`${caseId})`));

export interface CalendarPart {
  method: string;
  uid: string;
  sequence: number;
  start: Date;
  tz: string;
  attendees: string[];
}

/** Parses an email's calendar part with a real iCalendar parser. */
export const calendarOf = (email: StoredEmail): CalendarPart => {
  const part = email.attachments?.find((a) => /calendar|ics/.test(a.contentType));
  if (!part) throw new Error(`email "${email.subject}" has no calendar part`);
  const text = Buffer.from(part.content, 'base64').toString('utf8');
  const source = text.startsWith('BEGIN:VCALENDAR') ? text : part.content;
  const parsed = nodeIcal.sync.parseICS(source);
  const method = /^METHOD:(\w+)/m.exec(source)?.[1] ?? '';
  const event = Object.values(parsed).find((c) => c?.type === 'VEVENT') as unknown as {
    uid: string;
    sequence: string | number;
    start: Date & { tz?: string };
    attendee?: unknown;
  };
  const attendees = [event.attendee ?? []]
    .flat()
    .map((a) => String((a as { val?: string }).val ?? a).replace(/^mailto:/i, ''));
  return {
    method,
    uid: event.uid,
    sequence: Number(event.sequence),
    start: event.start,
    tz: event.start.tz ?? '',
    attendees,
  };
};
