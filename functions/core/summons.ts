/**
 * Rules checked before a summons is sent (domain.md, step 4; seeds 000–004), and the decision
 * what to store and send. Pure.
 */
import type { SummonsSent } from '../../events/contracts.ts';
import { type CaseRecord, inCounty } from './case.ts';
import { type CaseState, held, rejected, type Step, withCase } from './case-state.ts';
import type { ConsentRecord } from './consent.ts';
import type { County } from './county.ts';
import { isoWeekday, weekdayNames } from './dates.ts';
import { isSwedishPublicHoliday } from './holidays.ts';
import { type Invitee, type Meeting, reconcileSubstitutes } from './meeting.ts';
import { protectState, sanitizeSummonsData } from './protected.ts';
import { isNewer, versionOf } from './version.ts';

type SummonsInvitee = SummonsSent['data']['invitees'][number];

const SCHOOL_TYPES = new Set(['school', 'preschool']);

/** A SIP always has at least one participant from the region and one from the municipality (seeds 001, 002). */
export const checkBothPrincipals = (
  invitees: readonly Pick<SummonsInvitee, 'principal'>[],
): string | null => {
  const missing = (['region', 'municipality'] as const).filter(
    (p) => !invitees.some((i) => i.principal === p),
  );
  return missing.length === 0
    ? null
    : `a SIP needs at least one invitee from the region and one from the municipality; none from the ${missing.join(' or the ')} (seeds 001, 002)`;
};

/** Every invited organisation must be covered by a valid, complete consent on the meeting day. */
export const checkConsentCovers = (
  consent: ConsentRecord | undefined,
  invitees: readonly Pick<SummonsInvitee, 'organisationId' | 'principal'>[],
  meetingDate: string,
): string | null => {
  if (!consent || consent.status !== 'complete') return 'there is no complete consent for this case';
  if (meetingDate < consent.validFrom || meetingDate > consent.validUntil) {
    return `consent ${consent.consentId} is valid ${consent.validFrom} – ${consent.validUntil}, not on the meeting day ${meetingDate}`;
  }
  const uncovered = invitees.filter(
    (i) => !consent.covers.some((o) => o.organisationId === i.organisationId && o.principal === i.principal),
  );
  return uncovered.length === 0
    ? null
    : `the consent does not cover ${[...new Set(uncovered.map((i) => i.organisationId))].join(', ')}; consent is never general (seed 002)`;
};

/** The summons states purpose, long-term goal and questions (seed 002). */
export const checkSummonsContent = (
  d: Pick<SummonsSent['data'], 'purpose' | 'longTermGoal' | 'questions'>,
): string | null => {
  const missing = [
    d.purpose?.trim() ? null : 'purpose',
    d.longTermGoal?.trim() ? null : 'long-term goal',
    d.questions?.some((q) => q.trim()) ? null : 'questions',
  ].filter(Boolean);
  return missing.length === 0 ? null : `a summons must state its ${missing.join(', ')} (seed 002)`;
};

/** Schools may call a SIP in Gävleborg, Halland and Haninge, not in Värmland (seeds 000–004). */
export const checkOrganiserMaySummon = (county: County, organisationType: string): string | null =>
  SCHOOL_TYPES.has(organisationType) && !county.rules.schoolsMayInitiate
    ? `in ${county.displayName} a ${organisationType} may not summon to a SIP (seed ${county.rules.seed})`
    : null;

export interface TimeFinding {
  rule: 'meeting-deadline' | 'meeting-weekday' | 'meeting-length' | 'public-holiday';
  message: string;
}

/**
 * The county's time recommendations: Gävleborg — a Friday within three weeks (seed 000); Halland —
 * within 30 days of the need, at most two hours (seed 002). Meetings on a Swedish public holiday
 * are flagged everywhere.
 */
export const checkMeetingTime = (
  county: County,
  c: Pick<CaseRecord, 'meetingDueBy'>,
  startsAt: string,
  durationMinutes: number,
): TimeFinding[] => {
  const date = startsAt.slice(0, 10);
  const findings: TimeFinding[] = [];
  const r = county.rules;
  if (c.meetingDueBy && date > c.meetingDueBy) {
    findings.push({
      rule: 'meeting-deadline',
      message: `${county.displayName} recommends the meeting within ${r.meetingDeadlineDays} days of the need (by ${c.meetingDueBy}); it is on ${date} (seed ${r.seed})`,
    });
  }
  const weekday = isoWeekday(date);
  if (!r.meetingWeekdays.includes(weekday)) {
    findings.push({
      rule: 'meeting-weekday',
      message: `${county.displayName} holds SIP meetings on ${r.meetingWeekdays.map((d) => weekdayNames.en[d]).join(', ')}; ${date} is a ${weekdayNames.en[weekday]} (seed ${r.seed})`,
    });
  }
  if (durationMinutes > r.maxMeetingMinutes) {
    findings.push({
      rule: 'meeting-length',
      message: `${county.displayName} recommends at most ${r.maxMeetingMinutes} minutes (with a pause); this meeting is ${durationMinutes} (seed ${r.seed})`,
    });
  }
  if (isSwedishPublicHoliday(date)) {
    findings.push({ rule: 'public-holiday', message: `${date} is a Swedish public holiday` });
  }
  return findings;
};

/** The email path needs a place or link, the organiser's name and contact, and each invitee's name and email. */
export const checkEmailDetails = (d: SummonsSent['data']): string | null => {
  if (!d.location)
    return 'a summons states where the meeting is held, or the digital meeting link (seed 002)';
  if (!d.organiser.unitName || !d.organiser.contactEmail) {
    return 'the organiser needs a unitName and a contactEmail, so invitees know who invites and where to confirm';
  }
  const incomplete = d.invitees.filter((i) => !i.email || !i.unitName).map((i) => i.inviteeId);
  return incomplete.length === 0
    ? null
    : `invitees ${incomplete.join(', ')} need an email address and a unitName`;
};

/** Every decision fits one DynamoDB transaction with room to spare (docs/semantics.md, "Limits"). */
export const MAX_MEETINGS_PER_CASE = 40;

export type SummonsDecision =
  | { kind: 'reject'; reason: string }
  | { kind: 'wait'; reason: string }
  | {
      kind: 'apply';
      case: CaseRecord;
      meeting: Meeting;
      warnings: string[];
      summary: string;
      /** An older version of the meeting's details arrived after a newer one: nothing changes. */
      superseded?: boolean;
    };

const sameLocation = (a: Meeting['location'], b: Meeting['location']) =>
  JSON.stringify(a) === JSON.stringify(b);

/**
 * One invitee per invited unit, in the meeting item. A newer summons for the same meeting replaces
 * its details and its list of invitees (those dropped are owed a cancellation); an older one
 * changes nothing (docs/semantics.md). On the protected path each invitee is a phone task and only
 * allow-listed fields are kept (no place, no unit name, no free text, no address).
 */
export const decideSummons = (
  county: County,
  c: CaseRecord,
  consent: ConsentRecord | undefined,
  existing: Meeting | undefined,
  event: { id: string; time: string; data: SummonsSent['data'] },
  meetingCount = 0,
): SummonsDecision => {
  const version = versionOf(event);
  const incoming = event.data;
  if (c.status === 'closed')
    return { kind: 'reject', reason: `case ${c.caseId} is closed; no summons can be sent` };
  if (c.status === 'stopped') {
    return {
      kind: 'reject',
      reason: `case ${c.caseId} is stopped (${c.stopReason ?? 'unknown reason'}); no summons can be sent`,
    };
  }
  if (c.status === 'awaiting-consent') {
    return {
      kind: 'wait',
      reason: `consent for case ${c.caseId} is not complete yet; nothing is summoned without consent`,
    };
  }
  if (existing?.kind === 'follow-up')
    return { kind: 'reject', reason: `${incoming.meetingId} is a follow-up of the plan, not a SIP meeting` };
  if (existing?.status === 'cancelled') {
    return {
      kind: 'reject',
      reason: `meeting ${incoming.meetingId} was cancelled; summon to a new meetingId`,
    };
  }
  if (existing?.status === 'held') {
    return {
      kind: 'reject',
      reason: `meeting ${incoming.meetingId} was held (the plan says so); summon to a new meetingId`,
    };
  }
  const protectedCase = c.protectedIdentity || incoming.protectedIdentity;
  const d = protectedCase ? sanitizeSummonsData(incoming).event : incoming;
  const caseAfter: CaseRecord = {
    ...c,
    status: c.status === 'consented' ? 'summoned' : c.status,
    protectedIdentity: protectedCase,
  };
  if (existing && !isNewer(version, existing.detailsVersion)) {
    return {
      kind: 'apply',
      case: { ...c, protectedIdentity: protectedCase },
      meeting: existing,
      warnings: [],
      superseded: true,
      summary: `an older version of the summons for ${d.meetingId}; the newer one counts, nothing changed`,
    };
  }
  const problem =
    checkBothPrincipals(d.invitees) ??
    checkConsentCovers(consent, d.invitees, d.startsAt.slice(0, 10)) ??
    // On the protected path the coordinator states purpose, goal and questions in each call.
    (protectedCase ? null : (checkSummonsContent(d) ?? checkEmailDetails(d))) ??
    checkOrganiserMaySummon(county, d.organiser.organisationType);
  if (problem) return { kind: 'reject', reason: problem };

  const findings = checkMeetingTime(county, c, d.startsAt, d.durationMinutes);
  const strict = findings.find((f) => (county.rules.strictRules as string[]).includes(f.rule));
  if (strict)
    return { kind: 'reject', reason: `${strict.message}; ${county.displayName} enforces this strictly` };
  const warnings = findings.map((f) => f.message);
  if (!existing && meetingCount >= MAX_MEETINGS_PER_CASE) {
    return {
      kind: 'reject',
      reason: `case ${c.caseId} already has ${MAX_MEETINGS_PER_CASE} meetings; close it and start a new case`,
    };
  }
  const missingContact = d.invitees
    .filter((n) => (protectedCase ? !n.phone : !n.email))
    .map((n) => n.inviteeId);
  if (missingContact.length > 0) {
    return {
      kind: 'reject',
      reason: protectedCase
        ? `protected identity: invitees are called, not emailed; ${missingContact.join(', ')} need a phone number (seed 004)`
        : `invitees ${missingContact.join(', ')} have no email address`,
    };
  }

  const location = protectedCase || !d.location ? undefined : d.location;
  const detailsChanged =
    !existing ||
    existing.startsAt !== d.startsAt ||
    existing.durationMinutes !== d.durationMinutes ||
    !sameLocation(existing.location, location);
  const existingById = new Map((existing?.invitees ?? []).map((i) => [i.inviteeId, i]));
  const invitees: Invitee[] = d.invitees.map((n) => {
    const before = existingById.get(n.inviteeId);
    const next: Invitee = {
      inviteeId: n.inviteeId,
      principal: n.principal,
      organisationId: n.organisationId,
      organisationType: n.organisationType,
      ...(protectedCase ? {} : { unitName: n.unitName, email: n.email, locale: n.locale ?? ('sv' as const) }),
      ...(n.phone !== undefined ? { phone: n.phone } : {}),
      hasOngoingIntervention: n.hasOngoingIntervention ?? false,
      changedVersion: version,
      ...(before?.response ? { response: before.response } : {}),
      ...(before?.receivedVersion ? { receivedVersion: before.receivedVersion } : {}),
      ...(before?.phoneOutcome ? { phoneOutcome: before.phoneOutcome } : {}),
      offset: before?.offset ?? 0,
    };
    const same =
      before &&
      !before.removed &&
      !detailsChanged &&
      before.email === next.email &&
      before.unitName === next.unitName &&
      before.locale === next.locale &&
      before.phone === next.phone;
    return same ? { ...next, changedVersion: before.changedVersion } : next;
  });
  // Invitees dropped from a newer summons are told the meeting is off for them.
  const named = new Set(d.invitees.map((n) => n.inviteeId));
  const dropped = (existing?.invitees ?? [])
    .filter((i) => !named.has(i.inviteeId))
    .map((i): Invitee => (i.removed ? i : { ...i, removed: true, changedVersion: version }));

  const meeting: Meeting = reconcileSubstitutes(
    {
      caseId: c.caseId,
      meetingId: d.meetingId,
      kind: 'sip',
      status: 'scheduled',
      startsAt: d.startsAt,
      durationMinutes: d.durationMinutes,
      ...(location ? { location } : {}),
      organiser: protectedCase
        ? { principal: d.organiser.principal, organisationType: d.organiser.organisationType }
        : {
            principal: d.organiser.principal,
            organisationType: d.organiser.organisationType,
            unitName: d.organiser.unitName,
            contactEmail: d.organiser.contactEmail,
          },
      ...(!protectedCase && county.rules.emailShowsPurpose && d.purpose ? { purpose: d.purpose } : {}),
      ...(!protectedCase && d.purpose && d.longTermGoal && d.questions
        ? { content: { purpose: d.purpose, longTermGoal: d.longTermGoal, questions: d.questions } }
        : {}),
      ...(existing?.clarifications?.length ? { clarifications: existing.clarifications } : {}),
      sequence: existing?.sequence ?? 0,
      warnings,
      lastSummonsEventId: event.id,
      detailsVersion: version,
      invitees: [...invitees, ...dropped],
    },
    protectedCase,
  );
  const newlyDropped = dropped.filter((i) => i.changedVersion === version).length;
  const how = protectedCase
    ? `${invitees.length} phone task(s), no email (protected identity)`
    : `${invitees.length} invitation(s)`;
  const unchanged =
    existing && !detailsChanged && newlyDropped === 0 && invitees.every((i) => i.changedVersion !== version);
  const summary = unchanged
    ? `summons for ${d.meetingId} repeated unchanged`
    : `${existing ? 'meeting changed' : 'summons'} for ${d.meetingId}: ${how}${newlyDropped ? `, ${newlyDropped} no longer invited` : ''}${warnings.length ? `; ${warnings.length} warning(s)` : ''}`;
  return { kind: 'apply', case: caseAfter, meeting, warnings, summary };
};

/** se.sip.summons.sent.v1 in the fold. */
export const applySummons: Step<SummonsSent['data']> = (county, state, event) =>
  withCase(state, event, (c) =>
    inCounty(county, event.data.county, () => {
      const consent = c.activeConsentId ? state.consents.get(c.activeConsentId) : undefined;
      const decision = decideSummons(
        county,
        c,
        consent,
        state.meetings.get(event.data.meetingId),
        event,
        state.meetings.size,
      );
      if (decision.kind === 'wait') {
        // A flagged summons protects the case at its place, also while it waits (seed 004).
        if (event.data.protectedIdentity && !c.protectedIdentity)
          return {
            kind: 'held',
            reason: decision.reason,
            state: protectState({ ...state, case: { ...c, protectedIdentity: true } }),
          };
        return held(decision.reason);
      }
      if (decision.kind === 'reject') {
        // A summons flagged protected protects the case even when it is refused (seed 004).
        if (event.data.protectedIdentity && !c.protectedIdentity)
          return {
            kind: 'applied',
            state: protectState({ ...state, case: { ...c, protectedIdentity: true } }),
            summary: `summons refused (${decision.reason}); the case is protected from now on`,
          };
        return rejected(decision.reason);
      }
      const meetings = new Map(state.meetings);
      meetings.set(decision.meeting.meetingId, decision.meeting);
      const next: CaseState = { ...state, case: decision.case, meetings };
      return {
        kind: 'applied',
        state: decision.case.protectedIdentity && !c.protectedIdentity ? protectState(next) : next,
        summary: decision.summary,
        warnings: decision.warnings,
      };
    }),
  );
