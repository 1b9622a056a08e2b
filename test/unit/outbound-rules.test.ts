/** What upstream hears of a change (issue 14): functions/core/outbound.ts. */
import { describe, expect, it } from 'vitest';
import {
  emailStatusChange,
  outboundChanges,
  outboundEvents,
  outboundTypes,
} from '../../functions/core/outbound.ts';
import type { Notice } from '../../functions/core/meeting.ts';
import { caseRecord, invitee, meeting, snap } from '../support/outbound.ts';

const kinds = (changes: ReturnType<typeof outboundChanges>) =>
  changes.map((c) =>
    `${c.type.replace(/^se\.sip\.|\.v1$/g, '')} ${String(c.data.status ?? c.data.kind ?? '')}`.trim(),
  );

describe('outbound changes', () => {
  it('a new case, a status change and its reason codes (consent withdrawn, seed 002) are each one event', () => {
    expect(
      kinds(outboundChanges('halland', snap(undefined), snap(caseRecord({ status: 'awaiting-consent' })))),
    ).toEqual(['case.status-changed awaiting-consent']);
    const [stopped] = outboundChanges(
      'halland',
      snap(caseRecord()),
      snap(caseRecord({ status: 'stopped', stopReason: 'consent-withdrawn' })),
    );
    expect(stopped?.data).toEqual({
      county: 'halland',
      caseId: 'case-1',
      status: 'stopped',
      previousStatus: 'summoned',
      protectedIdentity: false,
      reasons: ['consent-withdrawn'],
    });
    expect(outboundChanges('halland', snap(caseRecord()), snap(caseRecord()))).toEqual([]);
  });

  it('invitations: invited, answered, invited again after a reschedule (new SEQUENCE), cancelled when removed', () => {
    const a = invitee('inv-a');
    const before = meeting([a]);
    expect(kinds(outboundChanges('halland', snap(caseRecord()), snap(caseRecord(), [before])))).toEqual([
      'invitation.status-changed invited',
    ]);
    const answered = meeting([{ ...a, response: { value: 'accepted', version: 'v2', eventId: 'e2' } }]);
    expect(
      kinds(outboundChanges('halland', snap(caseRecord(), [before]), snap(caseRecord(), [answered]))),
    ).toEqual(['invitation.status-changed accepted']);
    const moved = meeting([a], { sequence: 1, startsAt: '2026-12-10T09:00' });
    const [again] = outboundChanges('halland', snap(caseRecord(), [before]), snap(caseRecord(), [moved]));
    expect(again?.data).toMatchObject({ status: 'invited', previousStatus: 'invited', meetingSequence: 1 });
    const removed = meeting([{ ...a, removed: true }], { sequence: 1 });
    expect(
      kinds(outboundChanges('halland', snap(caseRecord(), [before]), snap(caseRecord(), [removed]))),
    ).toEqual(['invitation.status-changed cancelled']);
  });

  it('a protected case (seed 004): every invitee a phone task, created once and updated with its outcome; no invitation events', () => {
    const prot = caseRecord({ protectedIdentity: true });
    const a = invitee('inv-a', { email: undefined, unitName: undefined });
    const m = meeting([a], { location: undefined, content: undefined });
    const created = outboundChanges('halland', snap(caseRecord(), []), snap(prot, [m]));
    expect(kinds(created)).toEqual(['case.status-changed summoned', 'phone-task.created to-call']);
    const called = meeting([{ ...a, phoneOutcome: { value: 'agreed', version: 'v1', eventId: 'p1' } }], {
      location: undefined,
      content: undefined,
    });
    expect(kinds(outboundChanges('halland', snap(prot, [m]), snap(prot, [called])))).toEqual([
      'phone-task.updated agreed',
    ]);
  });

  it('a protected case never yields an invitation event, even for an invitee that still had an address', () => {
    const m = meeting([invitee('inv-a')]);
    const changes = outboundChanges(
      'halland',
      snap(undefined),
      snap(caseRecord({ protectedIdentity: true }), [m]),
    );
    expect(kinds(changes)).toEqual(['case.status-changed summoned', 'phone-task.created to-call']);
  });

  it('a case that becomes protected turns its invitations into phone tasks at once', () => {
    const a = invitee('inv-a');
    const m = meeting([a]);
    const changes = outboundChanges(
      'halland',
      snap(caseRecord(), [m]),
      snap(caseRecord({ protectedIdentity: true }), [m]),
    );
    expect(kinds(changes)).toEqual(['case.status-changed summoned', 'phone-task.created to-call']);
    expect(changes[0]?.data.reasons).toEqual(['protected-identity']);
  });

  it('carries no place, no name, no free text and no email address, for any case', () => {
    const a = invitee('inv-a', {
      response: {
        value: 'substitute',
        version: 'v2',
        eventId: 'e2',
        substitute: { name: 'Eva Ek', email: 'eva@x.se' },
      },
    });
    const m = meeting([a], {
      clarifications: [
        { inviteeId: 'inv-a', message: 'Vad menas med fråga 2?', version: 'v3', eventId: 'e3' },
      ],
    });
    for (const c of [caseRecord(), caseRecord({ protectedIdentity: true })]) {
      const text = JSON.stringify(
        outboundEvents(
          'halland',
          'case-1',
          0,
          outboundChanges('halland', snap(undefined), snap(c, [m])),
          't',
        ),
      );
      expect(text).not.toMatch(/@|Ätran|Eva|fråga|BUP Halmstad|Samordna|Skolgång|Vem gör/);
    }
  });

  it('a held meeting’s family survey (seeds 000 step 8, 001) is told once, for a protected case too: ids and the last day only', () => {
    const notice = (over: Partial<Notice> = {}): Notice => ({
      caseId: 'case-1',
      noticeId: 'family.1',
      kind: 'family-survey',
      params: { meetingId: 'm-1' },
      recipients: [],
      version: 'v5',
      ...over,
    });
    const held = meeting([invitee('inv-a')], { status: 'held' });
    for (const c of [
      caseRecord({ status: 'plan-active' }),
      caseRecord({ status: 'plan-active', protectedIdentity: true }),
    ]) {
      const before = snap(c, [held]);
      const after = { ...before, notices: new Map([['family.1', notice()]]) };
      const changes = outboundChanges('halland', before, after);
      expect(changes).toEqual([
        {
          type: outboundTypes.familySurveyReady,
          data: { county: 'halland', caseId: 'case-1', meetingId: 'm-1', validUntil: '2027-01-08' },
        },
      ]);
      // Told once: the notice is there before the next commit.
      expect(outboundChanges('halland', after, after)).toEqual([]);
      // A void notice (the meeting was cancelled after all) is not told.
      expect(
        outboundChanges('halland', before, {
          ...before,
          notices: new Map([['family.1', notice({ void: true })]]),
        }),
      ).toEqual([]);
    }
  });

  it('what became of an invitation’s email is told with the email it was and the SEQUENCE it carried, nothing else', () => {
    const ref = { caseId: 'case-1', meetingId: 'm-1', inviteeId: 'inv-a' };
    expect(emailStatusChange('halland', ref, 'bounced', { meetingSequence: 2, action: 'request' })).toEqual({
      type: outboundTypes.invitationStatusChanged,
      data: { county: 'halland', ...ref, status: 'bounced', email: 'invitation', meetingSequence: 2 },
    });
    expect(
      emailStatusChange('halland', ref, 'sent', { meetingSequence: 3, action: 'cancel' }).data.email,
    ).toBe('cancellation');
  });

  it('numbers a commit’s events on from the case’s last sequence, with ids derived from county, case and number', () => {
    const events = outboundEvents(
      'halland',
      'case-1',
      41,
      outboundChanges('halland', snap(undefined), snap(caseRecord(), [meeting([invitee('inv-a')])])),
      '2026-12-01T10:00:00.000Z',
    );
    expect(events.map((e) => e.sequence)).toEqual(['000000000042', '000000000043']);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
    expect(events[0]?.id).toMatch(/^out\.[0-9a-f]{32}$/);
  });
});
