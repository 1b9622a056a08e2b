/** Small cases, meetings and invitees for the outbound rules (functions/core/outbound.ts). */
import type { CaseRecord } from '../../functions/core/case.ts';
import type { Invitee, Meeting } from '../../functions/core/meeting.ts';
import type { CaseSnapshot } from '../../functions/core/outbound.ts';

export const caseRecord = (over: Partial<CaseRecord> = {}): CaseRecord =>
  ({
    caseId: 'case-1',
    county: 'halland',
    status: 'summoned',
    protectedIdentity: false,
    version: 3,
    ...over,
  }) as CaseRecord;
export const invitee = (id: string, over: Partial<Invitee> = {}): Invitee =>
  ({
    inviteeId: id,
    principal: 'region',
    organisationId: `org-${id}`,
    organisationType: 'psychiatry',
    unitName: 'BUP Halmstad',
    email: `${id}@region.example.se`,
    phone: '035-123456',
    hasOngoingIntervention: true,
    changedVersion: 'v1',
    ...over,
  }) as Invitee;
export const meeting = (invitees: Invitee[], over: Partial<Meeting> = {}): Meeting =>
  ({
    caseId: 'case-1',
    meetingId: 'm-1',
    kind: 'sip',
    status: 'scheduled',
    startsAt: '2026-12-09T09:00',
    durationMinutes: 90,
    location: { kind: 'physical', place: 'Konferensrum Ätran' },
    organiser: {
      principal: 'region',
      organisationType: 'psychiatry',
      unitName: 'BUP',
      contactEmail: 'org@x.se',
    },
    content: { purpose: 'Samordna stödet', longTermGoal: 'Skolgång', questions: ['Vem gör vad?'] },
    sequence: 0,
    warnings: [],
    lastSummonsEventId: 'evt-1',
    invitees,
    ...over,
  }) as unknown as Meeting;
export const snap = (c: CaseRecord | undefined, meetings: Meeting[] = []): CaseSnapshot => ({
  case: c,
  meetings: new Map(meetings.map((m) => [m.meetingId, m])),
  notices: new Map(),
});
