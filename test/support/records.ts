/** A stored case as the rules see it: the normal example's case, in any state the test needs. */
import type { CaseRecord } from '../../functions/core/case.ts';

export const sampleCase = (overrides: Partial<CaseRecord> = {}): CaseRecord => ({
  caseId: 'case-1',
  county: 'halland',
  status: 'awaiting-consent',
  version: 1,
  ageGroup: 'child',
  protectedIdentity: false,
  initiator: { principal: 'region', organisationType: 'psychiatry', unitId: 'unit-1' },
  needDiscoveredOn: '2026-11-18',
  meetingDueBy: '2026-12-18',
  createdAt: '2026-11-20T08:00:00+01:00',
  createdByEventId: 'e1',
  detailsVersion: '2026-11-20T07:00:00.000000000Z e1',
  ...overrides,
});
