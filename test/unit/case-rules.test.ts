import { describe, expect, it } from 'vitest';
import type { CaseCreated } from '../../events/contracts.ts';
import {
  checkCounty,
  checkInitiatorMayInitiate,
  checkNeedDiscoveredNotInFuture,
  meetingDueBy,
} from '../../functions/core/case.ts';
import { countyById } from '../../lib/counties.ts';
import { freshCaseCreated } from '../support/fixtures.ts';
import { fold } from '../support/fold.ts';

const halland = countyById('halland');
const gavleborg = countyById('gavleborg');
const stockholm = countyById('stockholm');
const varmland = countyById('varmland');

const school = { principal: 'municipality', organisationType: 'school', unitId: 'unit-school-1' } as const;
const preschool = { ...school, organisationType: 'preschool' } as const;
const socialServices = { ...school, organisationType: 'social-services' } as const;

describe('who may initiate a SIP', () => {
  it('Gävleborg: a school may initiate (seeds 000, 003)', () => {
    expect(checkInitiatorMayInitiate(gavleborg, school)).toBeNull();
    expect(checkInitiatorMayInitiate(gavleborg, preschool)).toBeNull();
  });
  it('Halland: a school may initiate, school is part of the SIP work (seed 002)', () => {
    expect(checkInitiatorMayInitiate(halland, school)).toBeNull();
  });
  it('Stockholm/Haninge: a school may initiate during the trial (seed 001)', () => {
    expect(checkInitiatorMayInitiate(stockholm, school)).toBeNull();
  });
  it('Värmland: a school or preschool may not initiate; health care or social services do (seed 004)', () => {
    expect(checkInitiatorMayInitiate(varmland, school)).toMatch(
      /Värmland a school may not initiate a SIP \(seed 004\)/,
    );
    expect(checkInitiatorMayInitiate(varmland, preschool)).toMatch(/preschool may not initiate/);
    expect(checkInitiatorMayInitiate(varmland, socialServices)).toBeNull();
  });
});

describe('meeting deadline counted from the discovered need', () => {
  it('Halland: meeting within 30 days of the need being discovered (seed 002)', () => {
    expect(meetingDueBy(halland, '2026-11-18')).toBe('2026-12-18');
  });
  it('Gävleborg: meeting within three weeks (seed 000)', () => {
    expect(meetingDueBy(gavleborg, '2026-11-18')).toBe('2026-12-09');
  });
  it('Värmland: no fixed deadline, the individual’s need decides (seed 004)', () => {
    expect(meetingDueBy(varmland, '2026-11-18')).toBeNull();
  });
  it('counts across a month and a year boundary by calendar days', () => {
    expect(meetingDueBy(halland, '2026-12-15')).toBe('2027-01-14');
  });
});

describe('the event belongs to this stack’s county', () => {
  it('accepts its own county and names both counties otherwise', () => {
    expect(checkCounty(halland, 'halland')).toBeNull();
    expect(checkCounty(halland, 'varmland')).toBe(
      'the event is for county "varmland" but this stack serves "halland"; publish it to that county\'s queues',
    );
  });
});

describe('the need must already have been discovered (process step 1, domain.md)', () => {
  it('rejects a discovery date after the event, in Swedish time', () => {
    expect(checkNeedDiscoveredNotInFuture('2026-11-21', '2026-11-20T23:30:00Z')).toBeNull(); // 00:30 on the 21st in Stockholm
    expect(checkNeedDiscoveredNotInFuture('2026-11-22', '2026-11-20T23:30:00Z')).toMatch(
      /after the event time/,
    );
  });
});

describe('case.created', () => {
  it('Halland: a case starts awaiting consent with its meeting deadline (seed 002)', () => {
    const event = freshCaseCreated() as unknown as CaseCreated;
    const f = fold(halland, [event]);
    expect(f.outcome(event)?.kind).toBe('applied');
    expect(f.case).toMatchObject({
      caseId: event.subject,
      status: 'awaiting-consent',
      meetingDueBy: '2026-12-18',
      createdByEventId: event.id,
    });
  });
  it('Värmland: rejects a case a school initiated, with the reason (seed 004)', () => {
    const event = freshCaseCreated({ data: { county: 'varmland', initiator: school } });
    expect(fold(varmland, [event]).outcome(event)).toEqual({
      kind: 'rejected',
      reason:
        'in Värmland a school may not initiate a SIP (seed 004); health care or social services initiate',
    });
  });
  it('rejects an event for another county before any other rule', () => {
    const event = freshCaseCreated({ data: { county: 'gavleborg' } });
    expect(fold(halland, [event]).outcome(event)).toMatchObject({
      kind: 'rejected',
      reason: expect.stringMatching(/gavleborg/),
    });
  });
  it('a second case.created for the same case is a newer version of its details, whatever the order they arrive in', () => {
    const first = freshCaseCreated({ time: '2026-11-20T08:15:00+01:00' });
    const correction = {
      ...first,
      id: 'evt-correction',
      time: '2026-11-20T09:00:00+01:00',
      data: { ...first.data, needDiscoveredOn: '2026-11-19', ageGroup: 'young-adult' },
    };
    for (const order of [
      [first, correction],
      [correction, first],
    ]) {
      const f = fold(halland, order);
      expect(f.case).toMatchObject({
        ageGroup: 'young-adult',
        needDiscoveredOn: '2026-11-19',
        createdByEventId: first.id,
      });
    }
  });
  it('seed 004: protection set by any version of the case stays, even if a newer version does not say so', () => {
    const protectedFirst = freshCaseCreated({ data: { protectedIdentity: true } });
    const newer = {
      ...protectedFirst,
      id: 'evt-newer',
      time: '2026-11-21T08:00:00+01:00',
      data: { ...protectedFirst.data, protectedIdentity: false },
    };
    expect(fold(halland, [newer, protectedFirst]).case?.protectedIdentity).toBe(true);
  });
});
