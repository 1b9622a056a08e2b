/**
 * Consent rules (domain.md, "Consent"; seeds 002 and 004). Pure: the handler loads the case and
 * its consents, these functions decide, the handler persists.
 */
import type { ConsentRegistered, ConsentWithdrawn } from '../../events/contracts.ts';
import type { CaseRecord, CaseStatus } from './case.ts';
import type { County } from './county.ts';
import { daysBetween, stockholmDate } from './dates.ts';

export type ConsentStatus = 'partial' | 'complete' | 'refused' | 'withdrawn' | 'expired';
export type ConsentRole = ConsentRegistered['data']['givenBy'][number]['role'];
export type ConsentMethod = ConsentRegistered['data']['method'];
export type CoveredOrganisation = ConsentRegistered['data']['covers'][number];

export interface ConsentParty {
  partyId: string;
  role: ConsentRole;
  decision: 'given' | 'refused';
  /** Oral consent is valid and recorded as oral (seed 002). */
  method: ConsentMethod;
  at: string;
  eventId: string;
}

export interface ConsentRecord {
  caseId: string;
  consentId: string;
  status: ConsentStatus;
  parties: ConsentParty[];
  guardianCount: number | null;
  /** What every party agreed to: the intersection of what each covered. */
  covers: CoveredOrganisation[];
  validFrom: string;
  /** The earliest end any party agreed to. */
  validUntil: string;
  withdrawnBy?: { partyId: string; role: ConsentRole; at: string };
}

export type StopReason = 'consent-refused' | 'consent-withdrawn';

export interface CaseChange {
  status: CaseStatus;
  consentStatus: ConsentStatus;
  activeConsentId: string;
  stopReason?: StopReason;
}

export type ConsentDecision =
  | { kind: 'apply'; consent: ConsentRecord; caseChange: CaseChange; summary: string }
  | { kind: 'reject'; reason: string };

const reject = (reason: string) => ({ kind: 'reject' as const, reason });

const sameOrganisation = (a: CoveredOrganisation, b: CoveredOrganisation) =>
  a.organisationId === b.organisationId && a.principal === b.principal;

/** Which roles may consent for this age group (seeds 002, 004; Föräldrabalken 6:11, 6:13). */
export const checkRoleAllowed = (ageGroup: CaseRecord['ageGroup'], role: ConsentRole): string | null => {
  if (ageGroup === 'child') {
    return role === 'person'
      ? 'a child consents as "mature-child" (when judged mature enough) or through guardians or a legal representative'
      : null;
  }
  return role === 'guardian' || role === 'mature-child'
    ? `an ${ageGroup === 'adult' ? 'adult' : 'young adult'} consents personally or through a legal representative, not as "${role}"`
    : null;
};

/** Consent is time-limited: at most the county's maximum (one year by default; seed 002). */
export const checkValidity = (
  county: County,
  validFrom: string,
  validUntil: string,
  eventTime: string,
): string | null => {
  const days = daysBetween(validFrom, validUntil) + 1;
  if (days > county.rules.maxConsentValidityDays) {
    return `consent would be valid for ${days} days; in ${county.displayName} consent is valid for at most ${county.rules.maxConsentValidityDays} days (seed ${county.rules.seed}); register it with a shorter validity`;
  }
  if (validUntil < stockholmDate(new Date(eventTime))) {
    return `consent already expired on ${validUntil}, before the event was published`;
  }
  return null;
};

/**
 * Is the consent complete? A mature child alone suffices, and then the SIP may go ahead even if
 * guardians object (seed 002); otherwise every guardian (both, if there are two), a legal
 * representative, or the person themself.
 */
export const isComplete = (
  ageGroup: CaseRecord['ageGroup'],
  parties: ConsentParty[],
  guardianCount: number | null,
): boolean => {
  const given = parties.filter((p) => p.decision === 'given');
  if (given.some((p) => p.role === 'legal-representative')) return true;
  if (ageGroup !== 'child') return given.some((p) => p.role === 'person');
  if (given.some((p) => p.role === 'mature-child')) return true;
  const guardians = new Set(given.filter((p) => p.role === 'guardian').map((p) => p.partyId));
  return guardianCount !== null && guardians.size >= guardianCount;
};

/** A refusal stops the SIP unless a mature child has consented alone (seed 002). */
const isRefused = (parties: ConsentParty[]): boolean =>
  parties.some((p) => p.decision === 'refused') &&
  !parties.some((p) => p.decision === 'given' && p.role === 'mature-child');

const guardiansText = (parties: ConsentParty[], guardianCount: number | null) => {
  const given = new Set(
    parties.filter((p) => p.decision === 'given' && p.role === 'guardian').map((p) => p.partyId),
  );
  return guardianCount ? `${given.size} of ${guardianCount} guardians` : '';
};

/** Events a case accepts consent in. A stopped case accepts only a mature child's own consent. */
const acceptsConsent = (c: CaseRecord, event: ConsentRegistered): string | null => {
  if (c.status === 'closed')
    return `case ${c.caseId} is closed; consent cannot be registered on a closed case`;
  if (c.status === 'stopped') {
    const matureChildGives =
      event.data.decision === 'given' &&
      c.stopReason === 'consent-refused' &&
      event.data.givenBy.some((p) => p.role === 'mature-child');
    return matureChildGives
      ? null
      : `case ${c.caseId} is stopped (${c.stopReason ?? 'unknown reason'}); start a new case to restart the SIP`;
  }
  return null;
};

export const decideConsentRegistered = (
  county: County,
  c: CaseRecord,
  existing: ConsentRecord | undefined,
  event: ConsentRegistered,
): ConsentDecision => {
  const d = event.data;
  const problem =
    acceptsConsent(c, event) ??
    d.givenBy.map((p) => checkRoleAllowed(c.ageGroup, p.role)).find((r) => r !== null) ??
    checkValidity(county, d.validFrom, d.validUntil, event.time);
  if (problem) return reject(problem);

  if (existing?.status === 'withdrawn') {
    return reject(`consent ${d.consentId} was withdrawn; register a new consent with a new consentId`);
  }
  if (
    existing &&
    existing.guardianCount !== null &&
    d.guardianCount !== undefined &&
    existing.guardianCount !== d.guardianCount
  ) {
    return reject(
      `guardianCount ${d.guardianCount} differs from the ${existing.guardianCount} registered earlier for consent ${d.consentId}`,
    );
  }
  const guardianCount = existing?.guardianCount ?? d.guardianCount ?? null;

  const newParties: ConsentParty[] = d.givenBy.map((p) => ({
    partyId: p.partyId,
    role: p.role,
    decision: d.decision,
    method: d.method,
    at: event.time,
    eventId: event.id,
  }));
  // A party's later registration replaces its earlier one (e.g. a guardian who first refused).
  const parties = [
    ...(existing?.parties ?? []).filter((p) => !newParties.some((n) => n.partyId === p.partyId)),
    ...newParties,
  ];
  const guardianIds = new Set(parties.filter((p) => p.role === 'guardian').map((p) => p.partyId));
  if (guardianCount !== null && guardianIds.size > guardianCount) {
    return reject(
      `consent ${d.consentId} names ${guardianIds.size} guardians but the child has ${guardianCount}`,
    );
  }

  const covers = existing
    ? existing.covers.filter((o) => d.covers.some((n) => sameOrganisation(o, n)))
    : d.covers;
  if (covers.length === 0) {
    return reject(
      `consent ${d.consentId}: this registration covers none of the organisations registered earlier, so nothing could be shared`,
    );
  }
  const consent: ConsentRecord = {
    caseId: c.caseId,
    consentId: d.consentId,
    status: 'partial',
    parties,
    guardianCount,
    covers,
    validFrom: existing && existing.validFrom > d.validFrom ? existing.validFrom : d.validFrom,
    validUntil: existing && existing.validUntil < d.validUntil ? existing.validUntil : d.validUntil,
  };
  consent.status = isRefused(parties)
    ? 'refused'
    : isComplete(c.ageGroup, parties, guardianCount)
      ? 'complete'
      : 'partial';

  const caseChange: CaseChange = {
    status: c.status,
    consentStatus: consent.status,
    activeConsentId: consent.consentId,
  };
  if (consent.status === 'refused') {
    caseChange.status = 'stopped';
    caseChange.stopReason = 'consent-refused';
  } else if (consent.status === 'complete' && (c.status === 'awaiting-consent' || c.status === 'stopped')) {
    caseChange.status = 'consented';
  } else if (
    consent.status === 'partial' &&
    c.consentStatus === 'complete' &&
    c.activeConsentId !== consent.consentId
  ) {
    // A renewal in progress does not displace the consent that is already complete.
    caseChange.consentStatus = 'complete';
    caseChange.activeConsentId = c.activeConsentId ?? consent.consentId;
  }

  const who = d.givenBy.map((p) => p.role).join(' + ');
  const progress =
    consent.status === 'partial' ? ` (${guardiansText(parties, guardianCount) || 'incomplete'})` : '';
  return {
    kind: 'apply',
    consent,
    caseChange,
    summary: `consent ${d.decision} by ${who} (${d.method}); consent ${consent.status}${progress}; case ${caseChange.status}`,
  };
};

/** Withdrawal is possible at any time by whoever gave it (seed 002). */
export const decideConsentWithdrawn = (
  c: CaseRecord,
  consent: ConsentRecord,
  event: ConsentWithdrawn,
): ConsentDecision => {
  if (c.status === 'closed')
    return reject(`case ${c.caseId} is closed; there is no consent left to withdraw`);
  if (consent.status === 'withdrawn') return reject(`consent ${consent.consentId} is already withdrawn`);
  const by = event.data.withdrawnBy;
  const party = consent.parties.find((p) => p.partyId === by.partyId && p.decision === 'given');
  if (!party)
    return reject(`party ${by.partyId} did not give consent ${consent.consentId}, so cannot withdraw it`);
  const withdrawn: ConsentRecord = {
    ...consent,
    status: 'withdrawn',
    withdrawnBy: { partyId: by.partyId, role: party.role, at: event.time },
  };
  // Withdrawing a consent the case no longer relies on (an older one) changes only that consent.
  if (c.activeConsentId !== consent.consentId) {
    return {
      kind: 'apply',
      consent: withdrawn,
      caseChange: {
        status: c.status,
        consentStatus: c.consentStatus ?? 'withdrawn',
        activeConsentId: c.activeConsentId ?? consent.consentId,
      },
      summary: `earlier consent ${consent.consentId} withdrawn by ${party.role}; case unchanged`,
    };
  }
  return {
    kind: 'apply',
    consent: withdrawn,
    caseChange: {
      status: 'stopped',
      consentStatus: 'withdrawn',
      activeConsentId: consent.consentId,
      stopReason: 'consent-withdrawn',
    },
    summary: `consent withdrawn by ${party.role}; case stopped`,
  };
};
