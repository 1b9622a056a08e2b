import { describe, expect, it } from 'vitest';
import type { SummonsSent } from '../../events/contracts.ts';
import type { CaseRecord } from '../../functions/core/case.ts';
import type { ConsentRecord } from '../../functions/core/consent.ts';
import { composeInvitation, formatWhen } from '../../functions/core/email.ts';
import {
  checkBothPrincipals,
  checkConsentCovers,
  checkMeetingTime,
  checkOrganiserMaySummon,
  checkSummonsContent,
  decideSummons,
} from '../../functions/core/summons.ts';
import { materialize } from '../../functions/core/materialize.ts';
import { invitationsOf, type Meeting } from '../../functions/core/meeting.ts';
import { countyById } from '../../lib/counties.ts';
import { freshSummons } from '../support/fixtures.ts';
import { sampleCase } from '../support/records.ts';

const halland = countyById('halland');
const gavleborg = countyById('gavleborg');
const varmland = countyById('varmland');

const consent: ConsentRecord = {
  caseId: 'case-1',
  consentId: 'c-1',
  status: 'complete',
  parties: [],
  guardianCount: 2,
  covers: [
    { organisationId: 'org-region-bup', principal: 'region' },
    { organisationId: 'org-kommun-soc', principal: 'municipality' },
    { organisationId: 'org-kommun-skola', principal: 'municipality' },
  ],
  validFrom: '2026-11-21',
  validUntil: '2027-11-20',
};
const consented: CaseRecord = sampleCase({
  status: 'consented',
  version: 3,
  consentStatus: 'complete',
  activeConsentId: 'c-1',
});
const summons = (data: Record<string, unknown> = {}, time = '2026-11-23T09:00:00+01:00') =>
  freshSummons('case-1', { data, time }) as unknown as SummonsSent;
const invitees = summons().data.invitees;

describe('summons rules', () => {
  it('Haninge, Halland: at least one invitee from the region and one from the municipality, or it is not a SIP (seeds 001, 002)', () => {
    expect(checkBothPrincipals(invitees)).toBeNull();
    expect(checkBothPrincipals(invitees.filter((i) => i.principal !== 'region'))).toMatch(
      /none from the region \(seeds 001, 002\)/,
    );
  });
  it('Halland: every invited organisation is covered by a valid, complete consent, naming those not covered (seed 002)', () => {
    expect(checkConsentCovers(consent, invitees, '2026-12-09')).toBeNull();
    const fk = { organisationId: 'org-forsakringskassan', principal: 'other' as const };
    expect(checkConsentCovers(consent, [...invitees, fk], '2026-12-09')).toBe(
      'the consent does not cover org-forsakringskassan; consent is never general (seed 002)',
    );
    expect(checkConsentCovers({ ...consent, status: 'partial' }, invitees, '2026-12-09')).toMatch(
      /no complete consent/,
    );
    expect(checkConsentCovers(consent, invitees, '2027-12-01')).toMatch(/not on the meeting day 2027-12-01/);
  });
  it('Halland: the summons states purpose, long-term goal and questions (seed 002)', () => {
    expect(checkSummonsContent(summons().data)).toBeNull();
    expect(checkSummonsContent({ purpose: ' ', longTermGoal: 'x', questions: [' '] })).toBe(
      'a summons must state its purpose, questions (seed 002)',
    );
  });
  it('Värmland: a school may not summon; Halland: it may (seeds 002, 004)', () => {
    expect(checkOrganiserMaySummon(varmland, 'school')).toMatch(/Värmland a school may not summon/);
    expect(checkOrganiserMaySummon(halland, 'school')).toBeNull();
  });
  it('Gävleborg: a Friday, within three weeks (seed 000)', () => {
    const c = { meetingDueBy: '2026-12-09' };
    expect(checkMeetingTime(gavleborg, c, '2026-12-04T09:00', 90)).toEqual([]); // a Friday, in time
    const late = checkMeetingTime(gavleborg, c, '2026-12-16T09:00', 90).map((f) => f.rule);
    expect(late).toEqual(['meeting-deadline', 'meeting-weekday']); // a Wednesday, too late
  });
  it('Halland: within 30 days of the need, at most two hours (seed 002)', () => {
    expect(checkMeetingTime(halland, consented, '2026-12-09T09:00', 120)).toEqual([]);
    const findings = checkMeetingTime(halland, consented, '2026-12-21T09:00', 150);
    expect(findings.map((f) => f.rule)).toEqual(['meeting-deadline', 'meeting-length']);
    expect(findings[1]?.message).toBe(
      'Halland recommends at most 120 minutes (with a pause); this meeting is 150 (seed 002)',
    );
  });
  it('a meeting on a Swedish public holiday is a warning (Christmas Day, Epiphany)', () => {
    expect(
      checkMeetingTime(halland, { meetingDueBy: null }, '2026-12-25T09:00', 60).map((f) => f.rule),
    ).toContain('public-holiday');
    expect(
      checkMeetingTime(halland, { meetingDueBy: null }, '2027-01-06T09:00', 60).map((f) => f.rule),
    ).toContain('public-holiday');
  });
});

const decided = (d: ReturnType<typeof decideSummons>) => {
  if (d.kind !== 'apply') throw new Error(d.kind === 'reject' || d.kind === 'wait' ? d.reason : 'superseded');
  return d;
};
/** What the store keeps after a decision (sequence counters), given what it kept before. */
const stored = (meeting: Meeting, before?: Meeting) =>
  materialize(
    {
      meetings: new Map(before ? [[before.meetingId, before]] : []),
      consents: new Map(),
      plans: new Map(),
      notices: new Map(),
      due: [],
    },
    {
      case: consented,
      meetings: new Map([[meeting.meetingId, meeting]]),
      consents: new Map(),
      plans: new Map(),
      notices: new Map(),
    },
    [],
  ).meetings[0] ?? (before as Meeting);
const view = (m: Meeting, protectedCase = false) => invitationsOf(protectedCase, [m], new Map());

describe('decideSummons', () => {
  it('Halland: a broken recommendation is sent with a recorded warning (seed 002)', () => {
    const d = decideSummons(halland, consented, consent, undefined, summons({ durationMinutes: 150 }));
    expect(d).toMatchObject({ kind: 'apply', warnings: [expect.stringMatching(/at most 120 minutes/)] });
  });
  it('a county that marks a rule strict rejects instead', () => {
    const strict = { ...halland, rules: { ...halland.rules, strictRules: ['meeting-length' as const] } };
    expect(
      decideSummons(strict, consented, consent, undefined, summons({ durationMinutes: 150 })),
    ).toMatchObject({
      kind: 'reject',
      reason: expect.stringMatching(/Halland enforces this strictly$/),
    });
  });
  it('waits while consent is incomplete; rejects on a stopped case', () => {
    expect(
      decideSummons(halland, { ...consented, status: 'awaiting-consent' }, consent, undefined, summons())
        .kind,
    ).toBe('wait');
    expect(
      decideSummons(
        halland,
        { ...consented, status: 'stopped', stopReason: 'consent-withdrawn' },
        consent,
        undefined,
        summons(),
      ),
    ).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/stopped \(consent-withdrawn\)/) });
  });
  it('one email invitation per invitee at sequence 0; an unchanged repeat changes nothing; a reschedule raises the sequence for all', () => {
    const first = stored(decided(decideSummons(halland, consented, consent, undefined, summons())).meeting);
    expect(view(first).map((i) => [i.inviteeId, i.status, i.sequence, i.channel])).toEqual([
      ['inv-bup', 'pending', 0, 'email'],
      ['inv-soc', 'pending', 0, 'email'],
      ['inv-skola', 'pending', 0, 'email'],
    ]);
    const summoned = { ...consented, status: 'summoned' as const };
    const repeat = summons({}, '2026-11-23T10:00:00+01:00');
    const same = decided(decideSummons(halland, summoned, consent, first, repeat));
    expect(same.summary).toMatch(/repeated unchanged/);
    expect(stored(same.meeting, first).sequence).toBe(0);
    const moved = decided(
      decideSummons(
        halland,
        summoned,
        consent,
        first,
        summons({ startsAt: '2026-12-10T13:00' }, '2026-11-23T11:00:00+01:00'),
      ),
    );
    const after = stored(moved.meeting, first);
    expect(after.sequence).toBe(1);
    expect(view(after).every((i) => i.sequence === 1 && i.action === 'request')).toBe(true);
  });
  it('an older version of the summons that arrives after a newer one changes nothing (docs/semantics.md)', () => {
    const newer = stored(
      decided(
        decideSummons(
          halland,
          consented,
          consent,
          undefined,
          summons({ startsAt: '2026-12-10T13:00' }, '2026-11-23T11:00:00+01:00'),
        ),
      ).meeting,
    );
    const older = decideSummons(
      halland,
      { ...consented, status: 'summoned' },
      consent,
      newer,
      summons({}, '2026-11-23T09:00:00+01:00'),
    );
    expect(older).toMatchObject({ kind: 'apply', superseded: true });
    expect(stored(decided(older).meeting, newer)).toEqual(newer);
  });
  it('an invitee dropped from a newer summons is owed a cancellation (a higher SEQUENCE); the others are not re-sent', () => {
    const first = stored(decided(decideSummons(halland, consented, consent, undefined, summons())).meeting);
    const fewer = summons({ invitees: summons().data.invitees.slice(0, 2) }, '2026-11-23T10:00:00+01:00');
    const after = stored(
      decided(decideSummons(halland, { ...consented, status: 'summoned' }, consent, first, fewer)).meeting,
      first,
    );
    expect(view(after).map((i) => [i.inviteeId, i.action, i.sequence])).toEqual([
      ['inv-bup', 'request', 0],
      ['inv-soc', 'request', 0],
      ['inv-skola', 'cancel', 1],
    ]);
    // The same summons again, with a new event id: nothing more (it re-emailed everyone before).
    const again = summons({ invitees: summons().data.invitees.slice(0, 2) }, '2026-11-23T11:00:00+01:00');
    const same = stored(
      decided(decideSummons(halland, { ...consented, status: 'summoned' }, consent, after, again)).meeting,
      after,
    );
    expect(view(same)).toEqual(view(after));
  });
  it('an answer and a confirmed receipt survive a repeat of the summons (seed 001)', () => {
    const first = decided(decideSummons(halland, consented, consent, undefined, summons())).meeting;
    const answered: Meeting = {
      ...first,
      invitees: first.invitees.map((i) =>
        i.inviteeId === 'inv-soc'
          ? { ...i, response: { value: 'accepted', version: 'v', eventId: 'e5' }, receivedVersion: 'v' }
          : i,
      ),
    };
    const repeat = decided(
      decideSummons(
        halland,
        { ...consented, status: 'summoned' },
        consent,
        answered,
        summons({}, '2026-11-24T09:00:00+01:00'),
      ),
    );
    expect(repeat.meeting.invitees.find((i) => i.inviteeId === 'inv-soc')?.response?.value).toBe('accepted');
    expect(repeat.meeting.invitees.find((i) => i.inviteeId === 'inv-soc')?.receivedVersion).toBe('v');
  });
  it('Värmland: protected identity — phone tasks, no email, no place, no unit names (seed 004)', () => {
    const d = decided(
      decideSummons(halland, { ...consented, protectedIdentity: true }, consent, undefined, summons()),
    );
    expect(
      view(d.meeting, true).every(
        (i) => i.channel === 'phone' && i.status === 'to-call' && !i.email && !i.unitName,
      ),
    ).toBe(true);
    expect(d.meeting.location).toBeUndefined();
    expect(JSON.stringify(d)).not.toMatch(/Konferensrum|BUP Halland|Samordna stödet|example\.(se|org)/);
  });
});

describe('the invitation email', () => {
  const d = decided(decideSummons(halland, consented, consent, undefined, summons()));
  const letters = view(d.meeting);
  it('says who invites, when, how long, where, the case reference and how to confirm — in Swedish by default', () => {
    const words = composeInvitation(d.meeting, letters[0]!, 'Halland');
    expect(words.subject).toBe(
      'Kallelse till SIP-möte onsdag 9 december 2026 kl. 09:00–10:30 (ärende case-1)',
    );
    expect(words.text).toContain('BUP Halland kallar BUP Halland');
    expect(words.text).toContain('Längd: 90 minuter');
    expect(words.text).toContain('Var: Konferensrum Ätran, Regionens hus');
    expect(words.text).toMatch(/Bekräfta .* skicka en ersättare/);
    expect(words.html).toContain('<html lang="sv">');
  });
  it('in English where the invitee’s locale says so', () => {
    expect(composeInvitation(d.meeting, letters[2]!, 'Halland').subject).toBe(
      'Invitation to a SIP meeting Wednesday 9 December 2026, 09:00–10:30 (case case-1)',
    );
  });
  it('says "changed" only to a recipient who had the invitation before, never in a first invitation', () => {
    const later = { ...letters[0]!, sequence: 3 };
    expect(composeInvitation(d.meeting, later, 'Halland').subject).toMatch(/^Kallelse till SIP-möte/);
    expect(composeInvitation(d.meeting, { ...later, update: true }, 'Halland').subject).toMatch(
      /^Ändrad tid\/plats: /,
    );
  });
  it('carries no personal data and shows the purpose only where the county allows it', () => {
    const words = composeInvitation(d.meeting, letters[0]!, 'Halland');
    expect(`${words.text}${words.html}`).not.toContain('Samordna stödet');
    const open = { ...halland, rules: { ...halland.rules, emailShowsPurpose: true } };
    const shown = decided(decideSummons(open, consented, consent, undefined, summons()));
    expect(composeInvitation(shown.meeting, view(shown.meeting)[0]!, 'Halland').text).toContain(
      'Syfte: Samordna stödet',
    );
  });
  it('formats Stockholm wall-clock time', () => {
    expect(formatWhen('2027-03-28T09:30', 60, 'sv')).toBe('söndag 28 mars 2027 kl. 09:30–10:30');
  });
});
