import { describe, expect, it } from 'vitest';
import type {
  CaseClosed,
  FollowupDue,
  InvitationResponded,
  PlanEstablished,
} from '../../events/contracts.ts';
import type { CaseRecord } from '../../functions/core/case.ts';
import type { ConsentRecord } from '../../functions/core/consent.ts';
import {
  checkCoordinator,
  consentDueMarkers,
  decideClose,
  decideConsentDue,
  decideFollowUp,
  decidePlan,
  decideResponse,
} from '../../functions/core/lifecycle.ts';
import type { Invitation, Meeting } from '../../functions/core/meeting.ts';
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
};
const invitation = (inviteeId: string, extra: Partial<Invitation> = {}): Invitation => ({
  caseId: c.caseId,
  meetingId: meeting.meetingId,
  inviteeId,
  principal: 'municipality',
  organisationId: `org-${inviteeId}`,
  organisationType: 'social-services',
  channel: 'email',
  email: `${inviteeId}@kommun.example.se`,
  unitName: inviteeId,
  locale: 'sv',
  status: 'sent',
  action: 'request',
  sequence: 0,
  sentSequence: 0,
  ...extra,
});
const example = <T>(file: string) => loadExample('normal', file) as unknown as T;
const plan = example<PlanEstablished>('06-plan-established.json');
const followUp = example<FollowupDue>('07-followup-due.json');
const closed = example<CaseClosed>('08-case-closed.json');
const response = (data: Partial<InvitationResponded['data']>) => {
  const e = example<InvitationResponded>('05-invitation-responded.json');
  return { ...e, data: { ...e.data, ...data } };
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
    const d = decidePlan(halland, c, new Map([[meeting.meetingId, meeting]]), plan);
    if (d.kind !== 'apply') throw new Error(d.kind);
    expect(d.case).toMatchObject({ status: 'plan-active', planId: 'plan-case-hl-1001-1' });
    expect(d.dueMarkers).toEqual([
      {
        caseId: c.caseId,
        kind: 'follow-up',
        ref: 'followup-case-hl-1001-1',
        date: '2027-03-03',
        dueOn: '2027-03-10',
      },
    ]);
    expect(d.meetings?.[0]?.status).toBe('held');
  });
  it('waits for the summons; rejects on a closed case', () => {
    expect(decidePlan(halland, { ...c, status: 'consented' }, new Map(), plan).kind).toBe('wait');
    expect(decidePlan(halland, { ...c, status: 'closed' }, new Map(), plan).kind).toBe('reject');
  });
});

describe('responses (seeds 002, 004)', () => {
  const meetings = new Map([[meeting.meetingId, meeting]]);
  it('Halland: a unit confirms attendance (seed 002)', () => {
    const d = decideResponse(c, meetings, [invitation('inv-soc')], response({ response: 'accepted' }));
    expect(d).toMatchObject({ kind: 'apply', invitations: [{ status: 'accepted' }], notices: [] });
  });
  it('Värmland: a unit with ongoing interventions that declines without a substitute — the coordinator is told (seed 004)', () => {
    const d = decideResponse(
      c,
      meetings,
      [invitation('inv-soc', { hasOngoingIntervention: true })],
      response({ response: 'declined' }),
    );
    expect(d).toMatchObject({
      kind: 'apply',
      notices: [
        {
          kind: 'obliged-unit-declined',
          channel: 'email',
          email: 'bup@region.example.se',
          status: 'pending',
        },
      ],
    });
  });
  it('Halland: if prevented, a substitute is sent — no notice (seed 002)', () => {
    const d = decideResponse(
      c,
      meetings,
      [invitation('inv-soc', { hasOngoingIntervention: true })],
      response({ response: 'substitute' }),
    );
    expect(d).toMatchObject({ kind: 'apply', invitations: [{ status: 'substitute' }], notices: [] });
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
  const loaded = {
    meetings: new Map([[meeting.meetingId, { ...meeting, status: 'held' as const }]]),
    invitations: [invitation('inv-bup'), invitation('inv-soc')],
    consents: new Map([[consent.consentId, consent]]),
  };
  it('Halland: reminds every participant and the coordinator once, with a calendar entry (seed 002)', () => {
    const d = decideFollowUp(active, loaded, [], followUp);
    if (d.kind !== 'apply') throw new Error(d.kind);
    expect(d.invitations?.map((i) => [i.inviteeId, i.meetingId, i.status])).toEqual([
      ['inv-bup', 'followup-case-hl-1001-1', 'pending'],
      ['inv-soc', 'followup-case-hl-1001-1', 'pending'],
      ['coordinator', 'followup-case-hl-1001-1', 'pending'],
    ]);
    expect(d.warnings).toEqual([]);
    const again = decideFollowUp(
      active,
      {
        ...loaded,
        meetings: new Map([...loaded.meetings, ['followup-case-hl-1001-1', d.meetings?.[0] as Meeting]]),
      },
      [],
      followUp,
    );
    expect(again).toMatchObject({
      kind: 'apply',
      summary: expect.stringMatching(/already reminded; nobody is reminded twice/),
    });
    expect((again as { invitations?: unknown[] }).invitations).toBeUndefined();
  });
  it('Halland: consent is at most a year — a follow-up after it lapses says so and records a warning (seed 002)', () => {
    const short = { ...consent, validUntil: '2027-03-01' };
    const d = decideFollowUp(
      active,
      { ...loaded, consents: new Map([[consent.consentId, short]]) },
      [],
      followUp,
    );
    expect(d).toMatchObject({
      kind: 'apply',
      warnings: [
        'consent is valid until 2027-03-01, before the follow-up on 2027-03-10; a new consent is needed',
      ],
      meetings: [{ consentValidUntil: '2027-03-01' }],
    });
  });
  it('never reminds a closed case', () => {
    expect(decideFollowUp({ ...active, status: 'closed' }, loaded, [], followUp).kind).toBe('reject');
  });
});

describe('consent expiry (seed 002: at most one year)', () => {
  it('reminds the coordinator the configured days before, and marks it expired the day after', () => {
    const markers = consentDueMarkers(halland, consent);
    expect(markers.map((m) => [m.kind, m.date])).toEqual([
      ['consent-reminder', '2027-10-21'],
      ['consent-expiry', '2027-11-21'],
    ]);
    const withCoordinator = {
      ...c,
      coordinator: {
        principal: 'municipality',
        organisationType: 'social-services',
        unitId: 'u',
        email: 's@kommun.example.se',
      },
    };
    expect(decideConsentDue(withCoordinator, consent, markers[0]!)).toMatchObject({
      kind: 'apply',
      notices: [{ kind: 'consent-expiring', channel: 'email', params: { validUntil: '2027-11-20' } }],
    });
    expect(decideConsentDue(withCoordinator, consent, markers[1]!)).toMatchObject({
      kind: 'apply',
      case: { consentStatus: 'expired' },
      consents: [{ status: 'expired' }],
    });
  });
});

describe('closing (domain.md step 7; seed 002)', () => {
  it('Halland: closed with a reason; everyone involved is told; future meetings cancelled, reminders removed (seed 002)', () => {
    const future = {
      ...meeting,
      meetingId: 'followup-1',
      kind: 'follow-up' as const,
      startsAt: '2027-09-01T09:00',
    };
    const loaded = {
      meetings: new Map<string, Meeting>([
        [meeting.meetingId, { ...meeting, status: 'held' as const }],
        [future.meetingId, future],
      ]),
      invitations: [
        invitation('inv-bup'),
        invitation('inv-soc'),
        invitation('inv-bup', { meetingId: 'followup-1' }),
      ],
    };
    const due = [{ caseId: c.caseId, kind: 'follow-up' as const, ref: 'followup-2', date: '2027-08-25' }];
    const d = decideClose(c, loaded, due, closed);
    if (d.kind !== 'apply') throw new Error(d.kind);
    expect(d.case).toMatchObject({ status: 'closed', closeReason: 'need-met' });
    expect(d.meetings?.map((m) => [m.meetingId, m.status])).toEqual([['followup-1', 'cancelled']]);
    expect(d.invitations?.map((i) => [i.inviteeId, i.action, i.status])).toEqual([
      ['inv-bup', 'cancel', 'pending'],
    ]);
    expect(d.notices?.map((n) => n.email)).toEqual([
      'inv-bup@kommun.example.se',
      'inv-soc@kommun.example.se',
    ]);
    expect(d.removeDue).toEqual(due);
    expect(decideClose({ ...c, status: 'closed' }, loaded, [], closed).kind).toBe('reject');
  });
  it('Värmland: a protected case is told by phone — no email notices (seed 004)', () => {
    const d = decideClose(
      { ...c, protectedIdentity: true },
      { meetings: new Map(), invitations: [] },
      [],
      closed,
    );
    expect(d).toMatchObject({ kind: 'apply', notices: [{ channel: 'system', status: 'to-read' }] });
  });
});
