/**
 * Our iCalendar objects read strictly, as calendar clients do (RFC 5545 values, RFC 5546 iTIP):
 * test/support/icalendar-check.ts. ical.js alone would let a malformed DTSTAMP through.
 */
import { describe, expect, it } from 'vitest';
import { buildCalendar } from '../../functions/adapters/invitation-mail.ts';
import type { Letter } from '../../functions/core/email.ts';
import type { Meeting } from '../../functions/core/meeting.ts';
import { checkCalendar } from '../support/icalendar-check.ts';

const system = { name: 'SIP Halland', address: 'sip-kalender@halland.example.se' };
const now = new Date('2026-12-01T08:56:10.123Z');
const meeting: Meeting = {
  caseId: 'case-hl-1001',
  meetingId: 'meeting-1',
  status: 'scheduled',
  startsAt: '2026-12-09T09:00',
  durationMinutes: 90,
  location: { kind: 'in-person', place: 'Konferensrum Ätran, Regionens hus' },
  organiser: {
    principal: 'region',
    organisationType: 'psychiatry',
    unitName: 'BUP Halland',
    contactEmail: 'sip-bup@region.example.se',
  },
  sequence: 0,
  warnings: [],
  lastSummonsEventId: 'e4',
  detailsVersion: 'v',
  invitees: [],
};
const invitation: Letter = {
  caseId: 'case-hl-1001',
  meetingId: 'meeting-1',
  inviteeId: 'inv-soc',
  unitName: 'Socialtjänsten',
  email: 'socialtjanst@kommun.example.se',
  locale: 'sv',
  action: 'request',
  sequence: 0,
};

describe('calendar invitations read strictly (RFC 5545, RFC 5546)', () => {
  it('a REQUEST: DTSTAMP is a UTC DATE-TIME (it was written …ZZ), DTSTART local to Europe/Stockholm; ORGANIZER is the county’s reply address with the organiser’s name (issue 13)', () => {
    const { problems, event } = checkCalendar(buildCalendar(meeting, invitation, 'halland', now, system));
    expect(problems).toEqual([]);
    expect(event).toMatchObject({
      method: 'REQUEST',
      sequence: 0,
      dtstart: '20261209T090000',
      dtstartTzid: 'Europe/Stockholm',
      organizer: 'sip-kalender@halland.example.se',
      attendees: ['socialtjanst@kommun.example.se'],
    });
    expect(buildCalendar(meeting, invitation, 'halland', now, system)).toMatch(
      /ORGANIZER;CN="?BUP[^:]*:mailto:sip-kalender@halland\.example\.se/,
    );
    expect(buildCalendar(meeting, invitation, 'halland', now, system)).toContain(
      'DTSTAMP:20261201T085610Z\r\n',
    );
  });
  it('a CANCEL: STATUS:CANCELLED, a SEQUENCE, the same UID', () => {
    const request = checkCalendar(buildCalendar(meeting, invitation, 'halland', now, system)).event;
    const { problems, event } = checkCalendar(
      buildCalendar(
        { ...meeting, status: 'cancelled', sequence: 1 },
        { ...invitation, action: 'cancel', sequence: 1 },
        'halland',
        now,
        system,
      ),
    );
    expect(problems).toEqual([]);
    expect(event).toMatchObject({ method: 'CANCEL', sequence: 1, status: 'CANCELLED', uid: request?.uid });
  });
  it('the coordinator’s own follow-up reminder: ORGANIZER is the county’s reply address, not the coordinator (Outlook drops ORGANIZER = ATTENDEE)', () => {
    const coordinator = { ...invitation, inviteeId: 'coordinator', email: 'sip-bup@region.example.se' };
    const followUp: Meeting = {
      ...meeting,
      kind: 'follow-up',
      allDay: true,
      startsAt: '2027-03-10T00:00',
      durationMinutes: 1440,
    };
    const { problems, event } = checkCalendar(buildCalendar(followUp, coordinator, 'halland', now, system));
    expect(problems).toEqual([]);
    expect(event).toMatchObject({
      organizer: 'sip-kalender@halland.example.se',
      attendees: ['sip-bup@region.example.se'],
      dtstart: '20270310',
    });
  });
});
