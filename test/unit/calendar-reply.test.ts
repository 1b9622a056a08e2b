import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInboundMail } from '../../functions/adapters/inbound-mail.ts';
import {
  type CalendarReply,
  decideReply,
  readCalendarReply,
  uidCandidates,
} from '../../functions/core/calendar-reply.ts';
import type { Invitee, Meeting } from '../../functions/core/meeting.ts';
import { examplesDir } from '../support/fixtures.ts';

const invitee = (extra: Partial<Invitee> = {}): Invitee => ({
  inviteeId: 'inv-soc',
  principal: 'municipality',
  organisationId: 'org-soc',
  organisationType: 'social-services',
  email: 'Socialtjanst@kommun.example.se',
  unitName: 'Socialtjänsten',
  hasOngoingIntervention: true,
  changedVersion: 'v0',
  offset: 0,
  ...extra,
});
const meeting = (extra: Partial<Meeting> = {}): Meeting => ({
  caseId: 'case-hl-1001',
  meetingId: 'meeting-case-hl-1001-1',
  status: 'scheduled',
  startsAt: '2026-12-09T09:00',
  durationMinutes: 90,
  organiser: { principal: 'region', organisationType: 'psychiatry' },
  sequence: 0,
  warnings: [],
  lastSummonsEventId: 'e4',
  detailsVersion: 'v4',
  invitees: [invitee()],
  ...extra,
});
const reply = (partstat: string, extra: Partial<CalendarReply> = {}): CalendarReply => ({
  uid: 'case-hl-1001.meeting-case-hl-1001-1.inv-soc@halland.sip',
  sequence: 0,
  attendees: [{ email: 'socialtjanst@kommun.example.se', partstat, delegatedTo: [], delegatedFrom: [] }],
  ...extra,
});
const fixture = async (name: string) => {
  const parsed = await parseInboundMail(readFileSync(join(examplesDir, 'calendar-replies', name)));
  const read = readCalendarReply(parsed.calendar ?? '');
  if (!read.ok) throw new Error(read.reason);
  return read.reply;
};

describe('calendar replies (RFC 5546 iTIP REPLY; issue 13; seeds 001, 004: units confirm)', () => {
  it('reads the Outlook, Google, Apple and RFC 5546 fixtures', async () => {
    expect((await fixture('outlook-accepted.eml')).attendees[0]).toMatchObject({ partstat: 'ACCEPTED' });
    expect((await fixture('google-declined.eml')).attendees[0]).toMatchObject({ partstat: 'DECLINED' });
    expect((await fixture('apple-tentative.eml')).attendees[0]).toMatchObject({
      partstat: 'TENTATIVE',
      name: 'Socialtjänsten',
    });
    expect((await fixture('rfc5546-delegated.eml')).attendees[0]).toMatchObject({
      partstat: 'DELEGATED',
      delegatedTo: ['anna.ek@kommun.example.se'],
    });
  });
  it('ACCEPTED, DECLINED, TENTATIVE (receipt) and DELEGATED (a substitute) become answers; the address is matched without case', () => {
    const m = meeting();
    const i = invitee();
    expect(decideReply(reply('ACCEPTED'), m, i, false)).toMatchObject({
      kind: 'answer',
      data: { response: 'accepted' },
    });
    expect(decideReply(reply('DECLINED'), m, i, false)).toMatchObject({
      kind: 'answer',
      data: { response: 'declined' },
    });
    expect(decideReply(reply('TENTATIVE'), m, i, false)).toMatchObject({
      kind: 'answer',
      data: { response: 'received' },
    });
    const delegated = reply('DELEGATED', {
      attendees: [
        {
          email: 'socialtjanst@kommun.example.se',
          partstat: 'DELEGATED',
          delegatedTo: ['anna.ek@kommun.example.se'],
          delegatedFrom: [],
        },
        {
          email: 'anna.ek@kommun.example.se',
          name: 'Anna Ek',
          partstat: 'NEEDS-ACTION',
          delegatedTo: [],
          delegatedFrom: ['socialtjanst@kommun.example.se'],
        },
      ],
    });
    expect(decideReply(delegated, m, i, false)).toMatchObject({
      kind: 'answer',
      data: { response: 'substitute', substitute: { name: 'Anna Ek', email: 'anna.ek@kommun.example.se' } },
    });
    expect(decideReply(reply('NEEDS-ACTION'), m, i, false).kind).toBe('reject');
  });
  it('SEQUENCE: older is recorded and ignored, newer is refused; a cancelled invitation and a protected case take no reply', () => {
    const moved = meeting({ sequence: 2 });
    expect(decideReply(reply('ACCEPTED', { sequence: 1 }), moved, invitee(), false)).toMatchObject({
      kind: 'stale',
    });
    expect(decideReply(reply('ACCEPTED', { sequence: 2 }), moved, invitee(), false).kind).toBe('answer');
    expect(decideReply(reply('ACCEPTED', { sequence: 3 }), moved, invitee(), false).kind).toBe('reject');
    expect(decideReply(reply('ACCEPTED'), meeting({ status: 'cancelled' }), invitee(), false).kind).toBe(
      'reject',
    );
    expect(decideReply(reply('ACCEPTED'), meeting(), invitee(), true)).toMatchObject({ kind: 'reject' });
  });
  it('a forwarded invitation (another address accepts) is a proposal, not an answer', () => {
    const other = reply('ACCEPTED', {
      attendees: [
        {
          email: 'kim@skola.example.org',
          name: 'Kim',
          partstat: 'ACCEPTED',
          delegatedTo: [],
          delegatedFrom: [],
        },
      ],
    });
    expect(decideReply(other, meeting(), invitee(), false)).toEqual({
      kind: 'proposal',
      substitute: { name: 'Kim', email: 'kim@skola.example.org' },
    });
  });
  it('refuses what is not a reply of ours: another METHOD, several events, no UID, another county, garbage', () => {
    const ics = (lines: string[]) =>
      ['BEGIN:VCALENDAR', 'VERSION:2.0', ...lines, 'END:VCALENDAR'].join('\r\n');
    const ev = [
      'BEGIN:VEVENT',
      'UID:a.b.c@halland.sip',
      'ATTENDEE;PARTSTAT=ACCEPTED:mailto:x@y.se',
      'END:VEVENT',
    ];
    expect(readCalendarReply(ics(['METHOD:REQUEST', ...ev]))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/METHOD is REQUEST/),
    });
    // A METHOD that is not iTIP's is the sender's text: never quoted in a stored reason.
    const odd = readCalendarReply(ics(['METHOD:Anna Andersson anna@example.se Storgatan 1', ...ev]));
    expect(odd).toMatchObject({
      ok: false,
      reason: 'not a calendar reply: METHOD is not an iTIP method, not REPLY',
    });
    expect(readCalendarReply(ics(['METHOD:REPLY', ...ev, ...ev]))).toMatchObject({ ok: false });
    expect(readCalendarReply(ics(['METHOD:REPLY', 'BEGIN:VEVENT', 'END:VEVENT']))).toMatchObject({
      ok: false,
      reason: 'the reply has no UID',
    });
    expect(readCalendarReply('not a calendar')).toMatchObject({ ok: false });
    expect(readCalendarReply(ics(['METHOD:REPLY', ...ev]))).toMatchObject({ ok: true });
    expect(uidCandidates('a.b.c@varmland.sip', 'halland')).toEqual({
      reason: 'the UID is not one of this county’s (halland)',
    });
    expect(uidCandidates('x@google.com', 'halland')).toHaveProperty('reason');
  });
  it('ids with dots: every split of the UID is a candidate', () => {
    expect(uidCandidates('c.1.m.i@halland.sip', 'halland')).toEqual(
      expect.arrayContaining([
        { caseId: 'c.1', meetingId: 'm', inviteeId: 'i' },
        { caseId: 'c', meetingId: '1.m', inviteeId: 'i' },
        { caseId: 'c', meetingId: '1', inviteeId: 'm.i' },
      ]),
    );
  });
});
