/**
 * Consent rules (domain.md, "Consent"; seeds 002 and 004). Pure: the handler loads the case and
 * its consents, these functions decide, the handler persists.
 */
import type { ConsentRegistered, ConsentWithdrawn } from '../../events/contracts.ts';
import { type CaseRecord, type CaseStatus, inCounty, progressStatus } from './case.ts';
import { type CaseState, held, rejected, type Step, withCase } from './case-state.ts';
import type { County } from './county.ts';
import { daysBetween, stockholmDate } from './dates.ts';
import { cancelMeetingsFrom } from './meeting.ts';
import { isNewer, type Version, versionOf } from './version.ts';

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
  /** The version of this party's decision: a party's newest decision is the one that counts. */
  version: Version;
  /** What this party's registration named (a consent covers only what every party named). */
  covers: CoveredOrganisation[];
  validFrom: string;
  validUntil: string;
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
  withdrawnVersion?: Version;
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
  parties: Pick<ConsentParty, 'partyId' | 'role' | 'decision'>[],
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

/**
 * Where a case accepts consent. A closed case accepts none; a case stopped because consent was
 * withdrawn restarts only as a new case. A case stopped by a refusal accepts more registrations:
 * a party's newer decision replaces its refusal (a guardian who changes their mind), and a mature
 * child may consent alone (seed 002).
 */
const acceptsConsent = (c: CaseRecord): string | null => {
  if (c.status === 'closed')
    return `case ${c.caseId} is closed; consent cannot be registered on a closed case`;
  if (c.status === 'stopped' && c.stopReason !== 'consent-refused') {
    return `case ${c.caseId} is stopped (${c.stopReason ?? 'unknown reason'}); start a new case to restart the SIP`;
  }
  return null;
};

type VersionedEvent<D> = { id: string; time: string; data: D };

/**
 * Which consent the case relies on, and its status: of the complete consents the one valid
 * longest (a renewal in progress does not displace a complete one); without a complete one, the
 * consent decided most recently. Order-free: a function of the consents alone.
 */
export const activeConsent = (consents: Iterable<ConsentRecord>): ConsentRecord | undefined => {
  const all = [...consents];
  const complete = all
    .filter((c) => c.status === 'complete')
    .sort((a, b) =>
      a.validUntil === b.validUntil
        ? a.consentId < b.consentId
          ? -1
          : 1
        : a.validUntil < b.validUntil
          ? -1
          : 1,
    );
  if (complete.length > 0) return complete.at(-1);
  const latest = (c: ConsentRecord) =>
    [c.withdrawnVersion ?? '', ...c.parties.map((p) => p.version)].sort().at(-1) ?? '';
  return all.sort((a, b) => (latest(a) < latest(b) ? -1 : latest(a) > latest(b) ? 1 : 0)).at(-1);
};

/** The case's consent fields and status once its consents are what they are now. */
export const caseAfterConsent = (state: CaseState, c: CaseRecord): CaseChange => {
  const active = activeConsent(state.consents.values());
  const change: CaseChange = {
    status: c.status,
    consentStatus: active?.status ?? 'partial',
    activeConsentId: active?.consentId ?? c.activeConsentId ?? '',
    ...(c.stopReason ? { stopReason: c.stopReason } : {}),
  };
  if (c.status === 'closed' || c.stopReason === 'consent-withdrawn') return change;
  if (active?.status === 'refused') return { ...change, status: 'stopped', stopReason: 'consent-refused' };
  if (c.status === 'stopped' && active?.status === 'complete') {
    // The refusal no longer counts (the party's newer decision, or a mature child's consent).
    const { stopReason: _s, ...rest } = change;
    return { ...rest, status: progressStatus({ ...state, case: { ...c, consentStatus: 'complete' } }) };
  }
  if (c.status === 'awaiting-consent' && active?.status === 'complete')
    return { ...change, status: 'consented' };
  return change;
};

export const decideConsentRegistered = (
  county: County,
  c: CaseRecord,
  existing: ConsentRecord | undefined,
  event: VersionedEvent<ConsentRegistered['data']>,
  /** The case's other consents (which one the case relies on depends on all of them). */
  others: ReadonlyMap<string, ConsentRecord> = new Map(),
): ConsentDecision => {
  const d = event.data;
  const version = versionOf(event);
  const problem =
    acceptsConsent(c) ??
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

  // A party's newest decision counts (docs/semantics.md): an older one arriving late changes nothing.
  const newParties: ConsentParty[] = d.givenBy
    .filter((p) => isNewer(version, existing?.parties.find((x) => x.partyId === p.partyId)?.version))
    .map((p) => ({
      partyId: p.partyId,
      role: p.role,
      decision: d.decision,
      method: d.method,
      at: event.time,
      eventId: event.id,
      version,
      covers: d.covers,
      validFrom: d.validFrom,
      validUntil: d.validUntil,
    }));
  const parties = [
    ...(existing?.parties ?? []).filter((p) => !newParties.some((n) => n.partyId === p.partyId)),
    ...newParties,
  ].sort((a, b) => (a.partyId < b.partyId ? -1 : 1));
  const guardianIds = new Set(parties.filter((p) => p.role === 'guardian').map((p) => p.partyId));
  if (guardianCount !== null && guardianIds.size > guardianCount) {
    return reject(
      `consent ${d.consentId} names ${guardianIds.size} guardians but the child has ${guardianCount}`,
    );
  }

  // What every party that gave consent named, for as long as every one of them agreed to.
  const givers = parties.filter((p) => p.decision === 'given');
  const basis = givers.length > 0 ? givers : parties;
  const covers = (basis[0]?.covers ?? []).filter((o) =>
    basis.every((p) => p.covers.some((n) => sameOrganisation(o, n))),
  );
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
    validFrom:
      basis
        .map((p) => p.validFrom)
        .sort()
        .at(-1) ?? d.validFrom,
    validUntil: basis.map((p) => p.validUntil).sort()[0] ?? d.validUntil,
  };
  consent.status = isRefused(parties)
    ? 'refused'
    : isComplete(c.ageGroup, parties, guardianCount)
      ? 'complete'
      : 'partial';

  const consents = new Map(others);
  consents.set(consent.consentId, consent);
  const caseChange = caseAfterConsent(
    { consents, meetings: new Map(), plans: new Map(), notices: new Map(), case: c },
    c,
  );

  const who = d.givenBy.map((p) => p.role).join(' + ');
  const progress =
    consent.status === 'partial' ? ` (${guardiansText(parties, guardianCount) || 'incomplete'})` : '';
  const superseded =
    newParties.length < d.givenBy.length ? '; a newer decision of the same party counts' : '';
  return {
    kind: 'apply',
    consent,
    caseChange,
    summary: `consent ${d.decision} by ${who} (${d.method}); consent ${consent.status}${progress}; case ${caseChange.status}${superseded}`,
  };
};

/** Withdrawal is possible at any time by whoever gave it (seed 002). */
export const decideConsentWithdrawn = (
  c: CaseRecord,
  consent: ConsentRecord,
  event: VersionedEvent<ConsentWithdrawn['data']>,
  others: ReadonlyMap<string, ConsentRecord> = new Map(),
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
    withdrawnVersion: versionOf(event),
  };
  const before = new Map(others);
  before.set(consent.consentId, consent);
  const reliedOn = activeConsent(before.values())?.consentId === consent.consentId;
  const consents = new Map(others);
  consents.set(consent.consentId, withdrawn);
  // Withdrawing a consent the case does not rely on (an older one, or a renewal) changes only that consent.
  if (!reliedOn) {
    const after = caseAfterConsent(
      { consents, meetings: new Map(), plans: new Map(), notices: new Map(), case: c },
      c,
    );
    return {
      kind: 'apply',
      consent: withdrawn,
      caseChange: after,
      summary: `consent ${consent.consentId} withdrawn by ${party.role}; the case relies on another consent and goes on`,
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

/** se.sip.consent.registered.v1 in the fold. */
export const applyConsentRegistered: Step<ConsentRegistered['data']> = (county, state, event) =>
  withCase(state, event, (c) =>
    inCounty(county, event.data.county, () => {
      const decision = decideConsentRegistered(
        county,
        c,
        state.consents.get(event.data.consentId),
        event,
        state.consents,
      );
      if (decision.kind === 'reject') return rejected(decision.reason);
      const consents = new Map(state.consents);
      consents.set(decision.consent.consentId, decision.consent);
      return {
        kind: 'applied',
        state: { ...state, consents, case: applyChange(c, decision.caseChange) },
        summary: decision.summary,
      };
    }),
  );

/** se.sip.consent.withdrawn.v1 in the fold: without consent nothing may be shared, so the meetings are cancelled. */
export const applyConsentWithdrawn: Step<ConsentWithdrawn['data']> = (county, state, event) =>
  withCase(state, event, (c) =>
    inCounty(county, event.data.county, () => {
      const consent = state.consents.get(event.data.consentId);
      if (!consent) return held(`consent ${event.data.consentId} has not been registered yet`);
      const by = event.data.withdrawnBy.partyId;
      if (consent.status !== 'withdrawn' && !consent.parties.some((p) => p.partyId === by))
        return held(`party ${by}'s registration of consent ${consent.consentId} has not arrived yet`);
      const decision = decideConsentWithdrawn(c, consent, event, state.consents);
      if (decision.kind === 'reject') return rejected(decision.reason);
      const consents = new Map(state.consents);
      consents.set(decision.consent.consentId, decision.consent);
      const stops = decision.caseChange.status === 'stopped' && c.status !== 'stopped';
      const cancelled = stops
        ? cancelMeetingsFrom(state.meetings, stockholmDate(new Date(event.time)), event.version)
        : { meetings: state.meetings, cancelled: 0 };
      return {
        kind: 'applied',
        state: {
          ...state,
          consents,
          meetings: cancelled.meetings,
          case: applyChange(c, decision.caseChange),
        },
        summary: `${decision.summary}${cancelled.cancelled ? `; ${cancelled.cancelled} meeting(s) cancelled` : ''}`,
      };
    }),
  );

const applyChange = (c: CaseRecord, change: CaseChange): CaseRecord => {
  const { stopReason: _s, ...rest } = c;
  return {
    ...rest,
    status: change.status,
    consentStatus: change.consentStatus,
    activeConsentId: change.activeConsentId,
    ...(change.status === 'stopped' && change.stopReason ? { stopReason: change.stopReason } : {}),
  };
};
