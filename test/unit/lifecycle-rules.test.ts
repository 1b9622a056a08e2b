import { describe, expect, it } from 'vitest';
import type {
  CaseClosed,
  FollowupDue,
  InvitationResponded,
  PlanEstablished,
} from '../../events/contracts.ts';
import type { CaseRecord } from '../../functions/core/case.ts';
import type { ConsentRecord } from '../../functions/core/consent.ts';
import type { CaseState } from '../../functions/core/case-state.ts';
import {
  checkCoordinator,
  consentReminderNoticeId,
  decideClose,
  decideConsentDue,
  decideFollowUp,
  decideMeetingDue,
  decidePlan,
  decideResponse,
  dueMarkers,
} from '../../functions/core/lifecycle.ts';
import { invitationsOf, type Invitee, type Meeting } from '../../functions/core/meeting.ts';
import { isWorkingDay, workingDaysBefore } from '../../functions/core/holidays.ts';
import { countyById } from '../../lib/counties.ts';
import { loadExample } from '../support/fixtures.ts';
import { sampleCase } from '../support/records.ts';

const halland = countyById('halland');
const varmland = countyById('varmland');
const c: CaseRecord = sampleCase({
  caseId: 'case-hl-1001',
  status: 'summoned',
  version: 5,
  consentStatus: 'complete',
  activeConsentId: 'c-1',
});
const consent: ConsentRecord = {
  caseId: c.caseId,
  consentId: 'c-1',
  status: 'complete',
  parties: [],
  guardianCount: 2,
  covers: [],
  validFrom: '2026-11-21',
  validUntil: '2027-11-20',
};
const invitee = (inviteeId: string, extra: Partial<Invitee> = {}): Invitee => ({
  inviteeId,
  principal: 'municipality',
  organisationId: `org-${inviteeId}`,
  organisationType: 'social-services',
  email: `${inviteeId}@kommun.example.se`,
  unitName: inviteeId,
  locale: 'sv',
  hasOngoingIntervention: false,
  changedVersion: 'v0',
  offset: 0,
  ...extra,
});
const meeting: Meeting = {
  caseId: c.caseId,
  meetingId: 'meeting-case-hl-1001-1',
  status: 'scheduled',
  startsAt: '2026-12-09T09:00',
  durationMinutes: 90,
  location: { kind: 'in-person', place: 'Rum 1' },
  organiser: {
    principal: 'region',
    organisationType: 'psychiatry',
    unitName: 'BUP',
    contactEmail: 'bup@region.example.se',
  },
  sequence: 0,
  warnings: [],
  lastSummonsEventId: 'e4',
  detailsVersion: '2026-11-23T08:00:00.000000000Z e4',
  invitees: [invitee('inv-bup'), invitee('inv-soc')],
};
const stateOf = (
  kase: CaseState['case'],
  meetings: Meeting[] = [meeting],
  extra: Partial<CaseState> = {},
): CaseState => ({
  case: kase,
  consents: new Map([[consent.consentId, consent]]),
  meetings: new Map(meetings.map((m) => [m.meetingId, m])),
  plans: new Map(),
  notices: new Map(),
  ...extra,
});
const appliedState = (r: ReturnType<typeof decidePlan>) => {
  if (r.kind !== 'applied') throw new Error(`${r.kind}: ${r.reason}`);
  return r.state;
};
const example = <T>(file: string) => loadExample('normal', file) as unknown as T;
const plan = example<PlanEstablished>('06-plan-established.json');
const followUp = example<FollowupDue>('07-followup-due.json');
const closed = example<CaseClosed>('08-case-closed.json');
const response = (data: Partial<InvitationResponded['data']>, time?: string) => {
  const e = example<InvitationResponded>('05-invitation-responded.json');
  return {
    ...e,
    ...(time ? { time, id: `evt-${time}` } : {}),
    data: { ...e.data, meetingId: meeting.meetingId, ...data },
  };
};

describe('the plan (domain.md step 5; seeds 000, 002, 004)', () => {
  it('Värmland: the coordinator must work in health care or social services (seed 004)', () => {
    expect(checkCoordinator(varmland, 'school')).toBe(
      'in Värmland the coordinator must work in health-care or psychiatry or social-services, not school (seed 004)',
    );
    expect(checkCoordinator(varmland, 'social-services')).toBeNull();
    expect(checkCoordinator(halland, 'school')).toBeNull();
  });
  it('Halland: a SIP is always followed up — the plan schedules its follow-up reminder (seed 002)', () => {
    const state = appliedState(
      decidePlan(halland, c, stateOf(c), { ...plan, data: { ...plan.data, meetingId: meeting.meetingId } }),
    );
    expect(state.case).toMatchObject({ status: 'plan-active', planId: 'plan-case-hl-1001-1' });
    expect(dueMarkers(halland, state).filter((m) => m.kind === 'follow-up')).toEqual([
      {
        caseId: c.caseId,
        kind: 'follow-up',
        ref: 'followup-case-hl-1001-1',
        date: '2027-03-03',
        dueOn: '2027-03-10',
      },
    ]);
    expect(state.meetings.get(meeting.meetingId)?.status).toBe('held');
  });
  it('a revised plan with a new follow-up replaces the old one’s reminder; an older plan arriving late changes nothing', () => {
    const first = appliedState(decidePlan(halland, c, stateOf(c), plan));
    const revised = {
      ...plan,
      id: 'evt-plan-2',
      time: '2026-12-20T10:00:00+01:00',
      data: {
        ...plan.data,
        planId: 'plan-2',
        nextFollowUp: { followUpId: 'followup-2', dueOn: '2027-02-01' },
      },
    };
    const after = appliedState(
      decidePlan(halland, first.case as NonNullable<CaseState['case']>, first, revised),
    );
    expect(
      dueMarkers(halland, after)
        .filter((m) => m.kind === 'follow-up')
        .map((m) => m.ref),
    ).toEqual(['followup-2']);
    const late = appliedState(decidePlan(halland, after.case as NonNullable<CaseState['case']>, after, plan));
    expect(late.case?.planId).toBe('plan-2');
    expect(
      dueMarkers(halland, late)
        .filter((m) => m.kind === 'follow-up')
        .map((m) => m.ref),
    ).toEqual(['followup-2']);
  });
  it('waits for the summons; rejects on a closed case', () => {
    expect(decidePlan(halland, { ...c, status: 'consented' }, stateOf(c, []), plan).kind).toBe('held');
    expect(decidePlan(halland, { ...c, status: 'closed' }, stateOf(c, []), plan).kind).toBe('rejected');
  });
});

describe('responses (seeds 002, 004)', () => {
  it('Halland: a unit confirms attendance (seed 002)', () => {
    const state = appliedState(
      decideResponse(c, stateOf(c), response({ inviteeId: 'inv-soc', response: 'accepted' })),
    );
    expect(
      invitationsOf(false, state.meetings.values(), new Map()).find((i) => i.inviteeId === 'inv-soc')
        ?.response,
    ).toBe('accepted');
    expect(state.notices.size).toBe(0);
  });
  it('Värmland: a unit with ongoing interventions that declines without a substitute — the coordinator is told (seed 004)', () => {
    const obliged = { ...meeting, invitees: [invitee('inv-soc', { hasOngoingIntervention: true })] };
    const state = appliedState(
      decideResponse(c, stateOf(c, [obliged]), response({ inviteeId: 'inv-soc', response: 'declined' })),
    );
    expect([...state.notices.values()]).toMatchObject([
      {
        kind: 'obliged-unit-declined',
        recipients: [{ to: { kind: 'organiser', meetingId: meeting.meetingId } }],
      },
    ]);
  });
  it('Halland: if prevented, a substitute is sent — no notice (seed 002)', () => {
    const obliged = { ...meeting, invitees: [invitee('inv-soc', { hasOngoingIntervention: true })] };
    const state = appliedState(
      decideResponse(c, stateOf(c, [obliged]), response({ inviteeId: 'inv-soc', response: 'substitute' })),
    );
    expect(state.notices.size).toBe(0);
  });
  it('an invitee’s newest answer counts, whichever arrives last', () => {
    const early = response({ inviteeId: 'inv-soc', response: 'declined' }, '2026-11-24T09:00:00+01:00');
    const late = response({ inviteeId: 'inv-soc', response: 'accepted' }, '2026-11-25T09:00:00+01:00');
    const a = appliedState(decideResponse(c, appliedState(decideResponse(c, stateOf(c), early)), late));
    const b = appliedState(decideResponse(c, appliedState(decideResponse(c, stateOf(c), late)), early));
    for (const s of [a, b])
      expect(
        s.meetings.get(meeting.meetingId)?.invitees.find((i) => i.inviteeId === 'inv-soc')?.response?.value,
      ).toBe('accepted');
  });
  it('Haninge: a unit confirms receipt; an answer keeps it, and the first confirmation counts in any order (seed 001)', () => {
    const received = response({ inviteeId: 'inv-soc', response: 'received' }, '2026-11-24T09:00:00+01:00');
    const accepted = response(
      {
        inviteeId: 'inv-soc',
        response: 'accepted',
        attendee: { name: 'Anna Ek', role: 'socialsekreterare' },
      },
      '2026-11-25T09:00:00+01:00',
    );
    const soc = (s: CaseState) =>
      s.meetings.get(meeting.meetingId)?.invitees.find((i) => i.inviteeId === 'inv-soc');
    const a = appliedState(
      decideResponse(c, appliedState(decideResponse(c, stateOf(c), received)), accepted),
    );
    const b = appliedState(
      decideResponse(c, appliedState(decideResponse(c, stateOf(c), accepted)), received),
    );
    for (const s of [a, b]) {
      expect(soc(s)?.receivedVersion).toMatch(/^2026-11-24T08:00/);
      expect(soc(s)?.response).toMatchObject({
        value: 'accepted',
        attendee: { name: 'Anna Ek', role: 'socialsekreterare' },
      });
    }
  });
  it('Halland: a substitute gets an invitation of their own and the unit’s entry is cancelled; a newer answer undoes it, in any order (seed 002)', () => {
    const sub = response(
      {
        inviteeId: 'inv-soc',
        response: 'substitute',
        substitute: { name: 'Bo Ek', email: 'bo@kommun.example.se' },
      },
      '2026-11-24T09:00:00+01:00',
    );
    const back = response({ inviteeId: 'inv-soc', response: 'accepted' }, '2026-11-25T09:00:00+01:00');
    const invitations = (s: CaseState) =>
      invitationsOf(false, s.meetings.values(), new Map())
        .map(
          (i) =>
            `${i.inviteeId === 'inv-soc' || i.inviteeId === 'inv-bup' ? i.inviteeId : 'substitute'}:${i.email}:${i.action}`,
        )
        .sort();
    const substituted = appliedState(decideResponse(c, stateOf(c), sub));
    expect(invitations(substituted)).toEqual([
      'inv-bup:inv-bup@kommun.example.se:request',
      'inv-soc:inv-soc@kommun.example.se:cancel',
      'substitute:bo@kommun.example.se:request',
    ]);
    const a = appliedState(decideResponse(c, substituted, back));
    const b = appliedState(decideResponse(c, appliedState(decideResponse(c, stateOf(c), back)), sub));
    // Whichever arrives first, the newest answer counts: the unit attends, the substitute does not.
    for (const s of [a, b])
      expect(invitations(s).filter((x) => x.endsWith(':request'))).toEqual([
        'inv-bup:inv-bup@kommun.example.se:request',
        'inv-soc:inv-soc@kommun.example.se:request',
      ]);
    expect(invitations(a)).toContain('substitute:bo@kommun.example.se:cancel'); // they were invited
    // A substitute cannot name another.
    const subId =
      [...substituted.meetings.values()][0]?.invitees.find((i) => i.substituteFor)?.inviteeId ?? '';
    expect(decideResponse(c, substituted, response({ inviteeId: subId, response: 'substitute' })).kind).toBe(
      'rejected',
    );
  });
  it('Haninge: a unit asks for clarification; the organiser is emailed ids only and the message waits in the case (seed 001)', () => {
    const ask = response(
      { inviteeId: 'inv-soc', response: 'clarification', message: 'Vilka frågor gäller skolan?' },
      '2026-11-24T09:00:00+01:00',
    );
    const state = appliedState(decideResponse(c, stateOf(c), ask));
    expect(state.meetings.get(meeting.meetingId)?.clarifications).toMatchObject([
      { inviteeId: 'inv-soc', message: 'Vilka frågor gäller skolan?' },
    ]);
    const [notice] = [...state.notices.values()];
    expect(notice).toMatchObject({
      kind: 'clarification-requested',
      recipients: [{ to: { kind: 'organiser', meetingId: meeting.meetingId } }],
    });
    expect(JSON.stringify(notice?.params)).not.toContain('skolan');
    // The same question again (a redelivery) is kept once.
    expect(
      appliedState(decideResponse(c, state, ask)).meetings.get(meeting.meetingId)?.clarifications,
    ).toHaveLength(1);
  });
  it('Värmland: a protected case keeps no clarification message, attendee name or substitute address (seed 004)', () => {
    const p = { ...c, protectedIdentity: true };
    const ask = response({ inviteeId: 'inv-soc', response: 'clarification', message: 'Fråga' });
    const asked = appliedState(decideResponse(p, stateOf(p), ask));
    expect(JSON.stringify([...asked.meetings.values()])).not.toContain('Fråga');
    expect(asked.notices.size).toBe(0);
    const sub = response({
      inviteeId: 'inv-soc',
      response: 'substitute',
      substitute: { name: 'Bo Ek', email: 'bo@kommun.example.se' },
    });
    const state = appliedState(decideResponse(p, stateOf(p), sub));
    expect(JSON.stringify([...state.meetings.values()])).not.toMatch(/Bo Ek|bo@kommun/);
  });
  it('waits for an invitation it does not know yet; refuses one for a cancelled meeting', () => {
    expect(decideResponse(c, stateOf(c, []), response({ inviteeId: 'inv-soc' })).kind).toBe('held');
    expect(
      decideResponse(c, stateOf(c, [{ ...meeting, status: 'cancelled' }]), response({ inviteeId: 'inv-soc' }))
        .kind,
    ).toBe('rejected');
  });
});

describe('follow-up (domain.md step 6; seed 002)', () => {
  const active = {
    ...c,
    status: 'plan-active' as const,
    coordinator: {
      principal: 'municipality',
      organisationType: 'social-services',
      unitId: 'u',
      email: 'samordnare@kommun.example.se',
    },
  };
  const held = { ...meeting, status: 'held' as const };
  it('Halland: reminds every participant and the coordinator once, with a calendar entry (seed 002)', () => {
    const state = appliedState(decideFollowUp(active, stateOf(active, [held]), followUp));
    const reminder = state.meetings.get('followup-case-hl-1001-1');
    expect(reminder?.invitees.map((i) => i.inviteeId)).toEqual(['inv-bup', 'inv-soc', 'coordinator']);
    expect(reminder?.warnings).toEqual([]);
    const again = decideFollowUp(active, state, { ...followUp, id: 'sweep.followup.x' });
    expect(again).toMatchObject({
      kind: 'applied',
      summary: expect.stringMatching(/already reminded; nobody is reminded twice/),
    });
  });
  it('Halland: consent is at most a year — a follow-up after it lapses says so and records a warning (seed 002)', () => {
    const short = { ...consent, validUntil: '2027-03-05' };
    const state = appliedState(
      decideFollowUp(
        active,
        stateOf(active, [held], { consents: new Map([[consent.consentId, short]]) }),
        followUp,
      ),
    );
    expect(state.meetings.get('followup-case-hl-1001-1')).toMatchObject({
      warnings: [
        'consent is valid until 2027-03-05, before the follow-up on 2027-03-10; a new consent is needed',
      ],
      consentValidUntil: '2027-03-05',
    });
  });
  it('seed 002: with no consent in force on the day of the reminder, only the coordinator is reminded (nothing may be shared)', () => {
    const expired = { ...consent, validUntil: '2027-02-01', status: 'expired' as const };
    const state = appliedState(
      decideFollowUp(
        active,
        stateOf(active, [held], { consents: new Map([[consent.consentId, expired]]) }),
        followUp,
      ),
    );
    const reminder = state.meetings.get('followup-case-hl-1001-1');
    expect(reminder?.invitees.map((i) => i.inviteeId)).toEqual(['coordinator']);
    expect(reminder?.warnings[0]).toMatch(/only the coordinator is reminded/);
  });
  it('a newer follow-up without a time (the sweep’s) never replaces a time given before', () => {
    const timed = {
      ...followUp,
      data: { ...followUp.data, startsAt: '2027-03-10T13:00', durationMinutes: 60 },
    };
    const state = appliedState(decideFollowUp(active, stateOf(active, [held]), timed));
    const sweep = {
      ...followUp,
      id: 'sweep.followup.y',
      time: '2027-03-03T06:00:00+01:00',
      data: { ...followUp.data, startsAt: undefined, durationMinutes: undefined },
    };
    const after = appliedState(decideFollowUp(active, state, sweep));
    expect(after.meetings.get('followup-case-hl-1001-1')).toMatchObject({
      startsAt: '2027-03-10T13:00',
      durationMinutes: 60,
    });
  });
  it('never reminds a closed case', () => {
    expect(decideFollowUp({ ...active, status: 'closed' }, stateOf(active, [held]), followUp).kind).toBe(
      'rejected',
    );
  });
});

describe('consent expiry (seed 002: at most one year)', () => {
  it('reminds the coordinator the configured days before, and marks it expired the day after', () => {
    const withCoordinator = {
      ...c,
      activeConsentId: consent.consentId,
      coordinator: {
        principal: 'municipality',
        organisationType: 'social-services',
        unitId: 'u',
        email: 's@kommun.example.se',
      },
    };
    const state = stateOf(withCoordinator, [{ ...meeting, status: 'held' }]);
    expect(dueMarkers(halland, state).map((m) => [m.kind, m.date])).toEqual([
      ['consent-reminder', '2027-10-21'],
      ['consent-expiry', '2027-11-21'],
    ]);
    const sweep = (kind: 'consent-reminder' | 'consent-expiry', day: string) => ({
      id: `sweep.${kind}`,
      time: `${day}T06:00:00+01:00`,
      data: { county: 'halland', kind, consentId: consent.consentId },
    });
    const reminded = appliedState(
      decideConsentDue(withCoordinator, state, sweep('consent-reminder', '2027-10-21')),
    );
    expect(reminded.notices.get(consentReminderNoticeId(consent.consentId))).toMatchObject({
      kind: 'consent-expiring',
      recipients: [{ key: 'coordinator' }],
      params: { validUntil: '2027-11-20' },
    });
    expect(dueMarkers(halland, reminded).map((m) => m.kind)).toEqual(['consent-expiry']);
    const expired = appliedState(
      decideConsentDue(withCoordinator, reminded, sweep('consent-expiry', '2027-11-21')),
    );
    expect(expired.case).toMatchObject({ consentStatus: 'expired' });
    expect(expired.consents.get(consent.consentId)?.status).toBe('expired');
    expect(dueMarkers(halland, expired)).toEqual([]);
  });
});

describe('a substitute proposed through a forwarded invitation (issue 13; seed 002: a substitute is named)', () => {
  const proposed = (extra: Partial<InvitationResponded['data']> = {}, time = '2026-11-25T09:00:00+01:00') =>
    response(
      {
        inviteeId: 'inv-soc',
        response: 'substitute-proposed',
        substitute: { name: 'Kim Lärare', email: 'kim@skola.example.org' },
        ...extra,
      },
      time,
    );
  it('Halland: kept for the organiser, who is told with ids only; not the unit’s answer, no invitation for them (seed 002)', () => {
    const state = appliedState(decideResponse(c, stateOf(c), proposed()));
    const soc = state.meetings.get(meeting.meetingId)?.invitees.find((i) => i.inviteeId === 'inv-soc');
    expect(soc?.proposal).toMatchObject({ name: 'Kim Lärare', email: 'kim@skola.example.org' });
    expect(soc?.response).toBeUndefined();
    expect(invitationsOf(false, state.meetings.values(), new Map()).map((i) => i.email)).not.toContain(
      'kim@skola.example.org',
    );
    const [notice] = [...state.notices.values()];
    expect(notice).toMatchObject({
      kind: 'substitute-proposed',
      recipients: [{ to: { kind: 'organiser' } }],
    });
    expect(JSON.stringify(notice)).not.toMatch(/Kim|@/);
    // An older proposal arriving late does not replace the newer one.
    const older = proposed(
      { substitute: { name: 'Bo', email: 'bo@skola.example.org' } },
      '2026-11-24T09:00:00+01:00',
    );
    expect(
      appliedState(decideResponse(c, state, older))
        .meetings.get(meeting.meetingId)
        ?.invitees.find((i) => i.inviteeId === 'inv-soc')?.proposal?.name,
    ).toBe('Kim Lärare');
  });
  it('Värmland: a protected case keeps no proposal (seed 004)', () => {
    const p = { ...c, protectedIdentity: true };
    const state = appliedState(decideResponse(p, stateOf(p), proposed()));
    expect(JSON.stringify([...state.meetings.values()])).not.toMatch(/Kim|skola/);
    expect(state.notices.size).toBe(0);
  });
});

describe('units that have not confirmed (issue 13; seeds 001, 004 ask every unit to confirm receipt)', () => {
  const due = (startsAt: string, day: string) => ({
    id: 'sweep.unconfirmed.x',
    time: `${day}T06:00:00+01:00`,
    data: { county: 'halland', meetingId: meeting.meetingId, startsAt },
  });
  it('working days: weekends, red days and the three eves the Annual Leave Act counts as Sundays are skipped', () => {
    expect(workingDaysBefore('2026-12-09', 2)).toBe('2026-12-07'); // Wed → Mon
    expect(workingDaysBefore('2026-12-07', 2)).toBe('2026-12-03'); // Mon → Thu
    expect(workingDaysBefore('2026-12-28', 2)).toBe('2026-12-22'); // 24–27 Dec are not working days
    expect(workingDaysBefore('2027-01-07', 2)).toBe('2027-01-04'); // 6 Jan (Epiphany), 1 Jan
    expect(workingDaysBefore('2026-06-22', 1)).toBe('2026-06-18'); // Midsummer Eve (Fri 19 Jun)
    expect(isWorkingDay('2026-12-24')).toBe(false);
    expect(isWorkingDay('2026-12-23')).toBe(true);
  });
  it('Haninge: two working days before the meeting the organiser hears which units have not confirmed, ids and types only, once (seed 001)', () => {
    const some = {
      ...meeting,
      invitees: [
        invitee('inv-bup', { receivedVersion: '2026-11-24T08:00:00.000000000Z r1' }),
        invitee('inv-soc'),
      ],
    };
    const state = stateOf(c, [some]);
    expect(dueMarkers(halland, state).filter((m) => m.kind === 'unconfirmed')).toEqual([
      {
        caseId: c.caseId,
        kind: 'unconfirmed',
        ref: meeting.meetingId,
        date: '2026-12-07',
        startsAt: meeting.startsAt,
      },
    ]);
    const after = appliedState(decideMeetingDue(c, state, due(meeting.startsAt, '2026-12-07')));
    const [notice] = [...after.notices.values()];
    expect(notice).toMatchObject({
      kind: 'unconfirmed-invitations',
      params: { meetingId: meeting.meetingId, units: 'inv-soc (social-services)' },
      recipients: [{ to: { kind: 'organiser', meetingId: meeting.meetingId } }],
    });
    expect(JSON.stringify(notice)).not.toContain('@');
    // Once the plan says the meeting was held, a reminder not sent by then is withdrawn.
    const heldState = appliedState(
      decidePlan(halland, c, after, { ...plan, data: { ...plan.data, meetingId: meeting.meetingId } }),
    );
    expect([...heldState.notices.values()].map((n) => n.kind)).not.toContain('unconfirmed-invitations');
    // Once per meeting time: no marker after the notice; a new time makes a new one.
    expect(dueMarkers(halland, after).filter((m) => m.kind === 'unconfirmed')).toEqual([]);
    const moved = stateOf(c, [{ ...some, startsAt: '2026-12-16T09:00' }], { notices: after.notices });
    expect(
      dueMarkers(halland, moved)
        .filter((m) => m.kind === 'unconfirmed')
        .map((m) => m.date),
    ).toEqual(['2026-12-14']);
  });
  it('Värmland: nothing when every unit confirmed, the meeting moved or was cancelled, or the case is protected (seed 004)', () => {
    const confirmed = invitee('inv-soc', { receivedVersion: '2026-11-24T08:00:00.000000000Z r1' });
    const all = stateOf(c, [{ ...meeting, invitees: [confirmed] }]);
    expect(dueMarkers(halland, all).filter((m) => m.kind === 'unconfirmed')).toEqual([]);
    expect(appliedState(decideMeetingDue(c, all, due(meeting.startsAt, '2026-12-07'))).notices.size).toBe(0);
    const state = stateOf(c);
    expect(appliedState(decideMeetingDue(c, state, due('2026-12-01T09:00', '2026-11-27'))).notices.size).toBe(
      0,
    );
    const cancelled = stateOf(c, [{ ...meeting, status: 'cancelled' }]);
    expect(dueMarkers(halland, cancelled).filter((m) => m.kind === 'unconfirmed')).toEqual([]);
    const p = { ...c, protectedIdentity: true };
    expect(dueMarkers(varmland, stateOf(p)).filter((m) => m.kind === 'unconfirmed')).toEqual([]);
    // Summoned after the reminder day: no reminder for that time.
    const late = stateOf(c, [{ ...meeting, detailsVersion: '2026-12-08T08:00:00.000000000Z e9' }]);
    expect(dueMarkers(halland, late).filter((m) => m.kind === 'unconfirmed')).toEqual([]);
  });
});

describe('closing (domain.md step 7; seed 002)', () => {
  it('Halland: closed with a reason; everyone involved is told once; future meetings cancelled, nothing more falls due (seed 002)', () => {
    const future: Meeting = {
      ...meeting,
      meetingId: 'followup-1',
      kind: 'follow-up',
      startsAt: '2027-09-01T09:00',
      invitees: [invitee('inv-bup')],
    };
    const state = stateOf(c, [{ ...meeting, status: 'held' }, future]);
    const after = appliedState(decideClose(c, state, closed));
    expect(after.case).toMatchObject({ status: 'closed', closeReason: 'need-met' });
    expect([...after.meetings.values()].map((m) => [m.meetingId, m.status])).toEqual([
      [meeting.meetingId, 'held'],
      ['followup-1', 'cancelled'],
    ]);
    expect(after.notices.get('closed')?.recipients.map((r) => r.to)).toEqual([
      { kind: 'invitee', meetingId: 'followup-1', inviteeId: 'inv-bup' },
      { kind: 'invitee', meetingId: meeting.meetingId, inviteeId: 'inv-soc' },
    ]);
    expect(dueMarkers(halland, after)).toEqual([]);
    expect(decideClose({ ...c, status: 'closed' }, state, closed).kind).toBe('rejected');
  });
  it('Värmland: a protected case is told by phone — no email notices (seed 004)', () => {
    const after = appliedState(decideClose({ ...c, protectedIdentity: true }, stateOf(c, []), closed));
    expect(after.notices.get('closed')).toMatchObject({
      recipients: [],
      params: { tell: 'every participant, by phone' },
    });
  });
});
