/** se.sip.plan.established.v1 */
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

const code = (what: string) =>
  z
    .string()
    .check(
      z.regex(
        /^[A-Za-z0-9][A-Za-z0-9._:-]{0,39}$/,
        `${what} must be a code (letters, digits, . _ : -), not free text`,
      ),
      describe(
        `${what}: a code from the organisations' own catalogue, never free text (free text may identify or locate the person).`,
      ),
    );

export const planEstablishedData = z.strictObject({
  county: countyId,
  planId: opaqueId('The plan'),
  meetingId: opaqueId('The SIP meeting at which the plan was set'),
  overallResponsible: principal.check(
    describe('Which principal has the overall responsibility (law; seeds 000, 004).'),
  ),
  coordinator: z
    .strictObject({
      principal,
      organisationType,
      unitId: opaqueId('The coordinator’s unit'),
      email: z.optional(
        z
          .email('coordinator.email must be a valid email address')
          .check(describe('Where the coordinator is told (email path).')),
      ),
      phone: z.optional(
        z
          .string()
          .check(
            z.regex(/^\+?[0-9 ()-]{6,20}$/, 'phone must be a telephone number'),
            describe('The coordinator’s phone.'),
          ),
      ),
    })
    .check(
      describe(
        'The named coordinator (samordningsansvarig). Värmland: health care or social services (seed 004).',
      ),
    ),
  interventions: z
    .array(
      z.strictObject({
        code: code('The intervention'),
        responsible: z
          .enum(['region', 'municipality', 'other'])
          .check(describe('Who is responsible for it.')),
      }),
    )
    .check(
      z.minLength(1),
      z.maxLength(50),
      describe('The interventions and the principal responsible for each.'),
    ),
  othersInvolved: z.optional(
    z
      .array(organisationType)
      .check(z.maxLength(20), describe('What other actors contribute (e.g. social-insurance-agency).')),
  ),
  shortTermGoals: z
    .array(code('A short-term goal'))
    .check(z.minLength(1), z.maxLength(20), describe('Short-term goals, as codes.')),
  longTermGoal: code('The long-term goal'),
  participation: z
    .enum(['took-part', 'took-part-partly', 'represented', 'did-not-take-part'])
    .check(describe('How the person (or child) took part in the meeting.')),
  nextFollowUp: z
    .strictObject({ followUpId: opaqueId('The follow-up'), dueOn: localDate('When the plan is followed up') })
    .check(describe('A SIP is always followed up: the next follow-up (seed 002).')),
});

export const planEstablishedContract = contract(
  eventTypes.planEstablished,
  planEstablishedData,
  'The SIP meeting was held and the plan set.',
);
export type PlanEstablished = z.infer<typeof planEstablishedContract.schema>;
