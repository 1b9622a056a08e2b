/** se.sip.case.created.v1 */
import * as z from 'zod/mini';
import {
  contract,
  countyId,
  describe,
  eventTypes,
  localDate,
  opaqueId,
  organisationType,
  principal,
} from './common.ts';

export const caseCreatedData = z.strictObject({
  county: countyId,
  initiator: z
    .strictObject({
      principal,
      organisationType,
      unitId: opaqueId('The initiating unit'),
    })
    .check(describe('The organisation that discovered the need and starts the SIP process.')),
  ageGroup: z
    .enum(['child', 'young-adult', 'adult'])
    .check(
      describe(
        'The person’s age group: "child" (0–17), "young-adult" (18–24) or "adult" (25+). No birth date is sent.',
      ),
    ),
  protectedIdentity: z
    .boolean()
    .check(
      describe('True when the person has protected personal data; the case then takes the phone-only path.'),
    ),
  needDiscoveredOn: localDate(
    'The day the need for coordination was discovered; county deadlines count from it',
  ),
});

export const caseCreatedContract = contract(
  eventTypes.caseCreated,
  caseCreatedData,
  'A SIP case was started: a need for coordination was discovered.',
);
export type CaseCreated = z.infer<typeof caseCreatedContract.schema>;
