import { describe, expect, it } from 'vitest';
import type { SummonsSent } from '../../events/contracts.ts';
import { sanitizeSummons, scrubMeeting, toPhoneTask } from '../../functions/core/protected.ts';
import { freshSummons, loadExample } from '../support/fixtures.ts';
import { newMarkers, plantInSummons } from '../support/markers.ts';

describe('protected identity: only an allow-list is kept (seed 004)', () => {
  it('Värmland: a protected summons keeps no place, no names, no free text, and reports what it dropped (seed 004)', () => {
    const { all, mark } = newMarkers();
    const event = plantInSummons(
      freshSummons('case-1', { data: { protectedIdentity: true } }),
      mark,
    ) as unknown as SummonsSent;
    const { event: clean, dropped } = sanitizeSummons(event);
    expect(dropped).toEqual([
      'location.place',
      'purpose',
      'longTermGoal',
      'questions',
      'organiser.unitName',
      'organiser.contactEmail',
      'invitees[].unitName',
      'invitees[].email',
    ]);
    const text = JSON.stringify(clean);
    for (const m of all) expect(text.toLowerCase()).not.toContain(m.toLowerCase());
    expect(clean.data.invitees.map((i) => i.phone)).toEqual([
      '+46 35 000 00 01',
      '+46 35 000 00 02',
      '+46 35 000 00 03',
    ]);
  });
  it('Värmland: a clean protected summons is no deviation (seed 004)', () => {
    const example = loadExample('protected', '04-summons-sent.json') as unknown as SummonsSent;
    expect(sanitizeSummons(example).dropped).toEqual([]);
  });
  it('Värmland: a case flagged later keeps no place or names, and its invitations become phone tasks (seed 004)', () => {
    const meeting = scrubMeeting({
      caseId: 'c',
      meetingId: 'm',
      status: 'scheduled',
      startsAt: '2026-12-09T09:00',
      durationMinutes: 60,
      location: { kind: 'in-person', place: 'Rum 1' },
      organiser: {
        principal: 'region',
        organisationType: 'psychiatry',
        unitName: 'BUP Kungsbacka',
        contactEmail: 'a@example.se',
      },
      purpose: 'p',
      sequence: 0,
      warnings: [],
      lastSummonsEventId: 'e',
    });
    expect(JSON.stringify(meeting)).not.toMatch(/Rum 1|Kungsbacka|a@example|"purpose"/);
    const task = toPhoneTask({
      caseId: 'c',
      meetingId: 'm',
      inviteeId: 'i',
      principal: 'region',
      organisationId: 'o',
      organisationType: 'school',
      channel: 'email',
      unitName: 'Skolan i Kungsbacka',
      email: 'skola@example.se',
      phone: '+46 1',
      locale: 'sv',
      status: 'sent',
      action: 'request',
      sequence: 0,
      sentSequence: 0,
    });
    expect(task).toMatchObject({ channel: 'phone', status: 'to-call', phone: '+46 1' });
    expect(JSON.stringify(task)).not.toMatch(/Kungsbacka|skola@/);
  });
});
