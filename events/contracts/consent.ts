/** se.sip.consent.registered.v1 and se.sip.consent.withdrawn.v1 */
import * as z from 'zod/mini';
import { contract, countyId, describe, eventTypes, localDate, opaqueId } from './common.ts';

const consentParty = z.strictObject({
  partyId: opaqueId('The consenting party'),
  role: z
    .enum(['person', 'guardian', 'legal-representative', 'mature-child'])
    .check(
      describe(
        'Who consents: the person, a guardian (vårdnadshavare), a legal representative (god man/förvaltare) or a child judged mature enough to consent alone.',
      ),
    ),
});

const coveredOrganisation = z.strictObject({
  organisationId: opaqueId('The organisation'),
  principal: z
    .enum(['region', 'municipality', 'other'])
    .check(describe('The organisation’s principal; "other" for e.g. Försäkringskassan.')),
});

export const consentRegisteredData = z
  .strictObject({
    county: countyId,
    consentId: opaqueId('The consent'),
    decision: z
      .enum(['given', 'refused'])
      .check(
        describe('Whether consent was given or refused. A refusal is recorded and the SIP does not start.'),
      ),
    givenBy: z.array(consentParty).check(z.minLength(1), describe('The parties this event registers.')),
    guardianCount: z.optional(
      z
        .int()
        .check(
          z.minimum(1),
          z.maximum(2),
          describe('For a child: how many guardians the child has; two means both must consent.'),
        ),
    ),
    method: z
      .enum(['written', 'oral', 'other'])
      .check(describe('How consent was given; oral consent is valid and recorded as oral.')),
    covers: z
      .array(coveredOrganisation)
      .check(
        z.minLength(1),
        describe('The organisations that may share information. Consent is never general.'),
      ),
    validFrom: localDate('First day the consent is valid'),
    validUntil: localDate(
      'Last day the consent is valid; at most the county’s maximum (one year by default) after validFrom',
    ),
  })
  .check(
    z.refine((d) => d.validUntil >= d.validFrom, {
      message: 'validUntil must not be before validFrom',
      path: ['validUntil'],
    }),
    z.refine((d) => !d.givenBy.some((p) => p.role === 'guardian') || d.guardianCount !== undefined, {
      message: 'guardianCount is required when a guardian consents',
      path: ['guardianCount'],
    }),
  );

export const consentWithdrawnData = z.strictObject({
  county: countyId,
  consentId: opaqueId('The consent being withdrawn'),
  withdrawnBy: z
    .strictObject({
      partyId: opaqueId('The withdrawing party (must be one who gave the consent)'),
      role: consentParty.shape.role,
    })
    .check(describe('Who withdraws: consent can be withdrawn at any time by whoever gave it.')),
});

export const consentRegisteredContract = contract(
  eventTypes.consentRegistered,
  consentRegisteredData,
  'One or more parties gave or refused consent for the case.',
);
export type ConsentRegistered = z.infer<typeof consentRegisteredContract.schema>;

export const consentWithdrawnContract = contract(
  eventTypes.consentWithdrawn,
  consentWithdrawnData,
  'A party withdrew the consent it gave; the case stops at once.',
);
export type ConsentWithdrawn = z.infer<typeof consentWithdrawnContract.schema>;
