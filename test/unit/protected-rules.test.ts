import { describe, expect, it } from 'vitest';
import type { SummonsSent } from '../../events/contracts.ts';
import { invitationsOf, type Meeting } from '../../functions/core/meeting.ts';
import { protectState, sanitizeSummons } from '../../functions/core/protected.ts';
import { countyById } from '../../lib/counties.ts';
import { freshCaseCreated, freshConsent, freshSummons, loadExample } from '../support/fixtures.ts';
import { fold } from '../support/fold.ts';
import { newMarkers, plantInSummons } from '../support/markers.ts';
import { sampleCase } from '../support/records.ts';

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
  it('Värmland: a case flagged later keeps no place, names or addresses, and its invitations become phone tasks (seed 004)', () => {
    const meeting: Meeting = {
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
      detailsVersion: 'v',
      invitees: [
        {
          inviteeId: 'i',
          principal: 'region',
          organisationId: 'o',
          organisationType: 'school',
          unitName: 'Skolan i Kungsbacka',
          email: 'skola@example.se',
          phone: '+46 1',
          locale: 'sv',
          hasOngoingIntervention: false,
          changedVersion: 'v',
          offset: 0,
        },
      ],
    };
    const coordinator = {
      principal: 'region',
      organisationType: 'psychiatry',
      unitId: 'u',
      email: 'samordnare@example.se',
    };
    const state = protectState({
      case: { ...sampleCase({ status: 'summoned' }), coordinator },
      consents: new Map(),
      meetings: new Map([['m', meeting]]),
      plans: new Map([
        [
          'p',
          {
            caseId: 'c',
            planId: 'p',
            meetingId: 'm',
            overallResponsible: 'region',
            coordinator,
            interventions: [],
            othersInvolved: [],
            shortTermGoals: [],
            longTermGoal: 'G',
            participation: 'took-part',
            nextFollowUp: { followUpId: 'f', dueOn: '2027-01-01' },
            version: 'v',
          },
        ],
      ]),
      notices: new Map(),
    });
    const text = JSON.stringify([state.case, [...state.meetings.values()], [...state.plans.values()]]);
    expect(text).not.toMatch(/Rum 1|Kungsbacka|@example|"purpose"/);
    expect(invitationsOf(true, state.meetings.values(), new Map())).toMatchObject([
      { channel: 'phone', status: 'to-call', phone: '+46 1' },
    ]);
  });

  it('Halland: a flagged summons that waits for consent protects the case at its own place, so a close after it is told by phone (seed 004)', () => {
    const c = freshCaseCreated();
    const consentA = freshConsent(c.subject); // one guardian of two: the summons waits
    const summons = freshSummons(c.subject, {
      time: '2026-11-22T09:00:00+01:00',
      data: { protectedIdentity: true },
    });
    const close = {
      ...loadExample('normal', '08-case-closed.json'),
      id: 'evt-close',
      subject: c.subject,
      time: '2026-11-22T10:00:00+01:00',
    };
    const result = fold(countyById('halland'), [c, consentA, summons, close]);
    expect(result.case?.protectedIdentity).toBe(true);
    expect(result.outcome(summons)).toMatchObject({ kind: 'rejected' }); // the case closed while it waited
    expect([...result.notices.values()].map((n) => n.params)).toEqual([
      expect.objectContaining({ tell: 'every participant, by phone' }),
    ]);
  });
});
