/**
 * Rules checked before a summons is sent (domain.md, step 4; seeds 000–004), and the decision
 * what to store and send. Pure.
 */
import { isPublicHoliday } from 'swedish-holidays';
import type { SummonsSent } from '../../events/contracts.ts';
import type { CaseRecord } from './case.ts';
import type { ConsentRecord } from './consent.ts';
import type { County } from './county.ts';
import { isoWeekday, weekdayNames } from './dates.ts';
import type { Invitation, Meeting } from './meeting.ts';

type Invitee = SummonsSent['data']['invitees'][number];

const SCHOOL_TYPES = new Set(['school', 'preschool']);

/** A SIP always has at least one participant from the region and one from the municipality (seeds 001, 002). */
export const checkBothPrincipals = (invitees: readonly Pick<Invitee, 'principal'>[]): string | null => {
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
  invitees: readonly Pick<Invitee, 'organisationId' | 'principal'>[],
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
  const [y, m, d] = date.split('-').map(Number);
  if (isPublicHoliday(new Date(y ?? 0, (m ?? 1) - 1, d ?? 1, 12))) {
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

export type SummonsDecision =
  | { kind: 'reject'; reason: string }
  | { kind: 'wait'; reason: string }
  | {
      kind: 'apply';
      case: CaseRecord;
      meeting: Meeting;
      invitations: Invitation[];
      warnings: string[];
      summary: string;
    };

const sameMeeting = (m: Meeting, d: SummonsSent['data'], storesLocation: boolean) =>
  m.startsAt === d.startsAt &&
  m.durationMinutes === d.durationMinutes &&
  (!storesLocation || JSON.stringify(m.location) === JSON.stringify(d.location));

const sameInvitee = (i: Invitation, n: Invitee, protectedCase: boolean) =>
  protectedCase
    ? i.phone === n.phone
    : i.email === n.email && i.unitName === n.unitName && (i.locale ?? 'sv') === (n.locale ?? 'sv');

/**
 * One invitation per invitee. A changed summons for the same meeting raises the meeting's
 * sequence and re-sends to every invitee (an update with the same UID); a removed invitee gets a
 * cancellation. On the protected path there is no email: each invitee becomes a phone task and
 * only allow-listed fields are kept (no place, no unit name, no free text).
 */
export const decideSummons = (
  county: County,
  c: CaseRecord,
  consent: ConsentRecord | undefined,
  existing: { meeting?: Meeting; invitations: Invitation[] },
  event: SummonsSent,
): SummonsDecision => {
  const d = event.data;
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
  if (existing.meeting?.status === 'cancelled') {
    return { kind: 'reject', reason: `meeting ${d.meetingId} was cancelled; summon to a new meetingId` };
  }
  const protectedCase = c.protectedIdentity || d.protectedIdentity;
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

  const previous = existing.meeting;
  const unchanged =
    previous &&
    sameMeeting(previous, d, !protectedCase) &&
    existing.invitations.length === d.invitees.length &&
    d.invitees.every((n) => {
      const i = existing.invitations.find((x) => x.inviteeId === n.inviteeId);
      return i !== undefined && sameInvitee(i, n, protectedCase);
    });
  const sequence = previous ? (unchanged ? previous.sequence : previous.sequence + 1) : 0;

  const meeting: Meeting = {
    caseId: c.caseId,
    meetingId: d.meetingId,
    status: 'scheduled',
    startsAt: d.startsAt,
    durationMinutes: d.durationMinutes,
    ...(protectedCase || !d.location ? {} : { location: d.location }),
    organiser: protectedCase
      ? { principal: d.organiser.principal, organisationType: d.organiser.organisationType }
      : {
          principal: d.organiser.principal,
          organisationType: d.organiser.organisationType,
          unitName: d.organiser.unitName,
          contactEmail: d.organiser.contactEmail,
        },
    ...(!protectedCase && county.rules.emailShowsPurpose ? { purpose: d.purpose } : {}),
    sequence,
    warnings,
    lastSummonsEventId: event.id,
  };

  const invitations: Invitation[] = unchanged
    ? []
    : d.invitees.map((n) => {
        const common = {
          caseId: c.caseId,
          meetingId: d.meetingId,
          inviteeId: n.inviteeId,
          principal: n.principal,
          organisationId: n.organisationId,
          organisationType: n.organisationType,
          hasOngoingIntervention: n.hasOngoingIntervention ?? false,
          action: 'request' as const,
          sequence,
        };
        const before = existing.invitations.find((x) => x.inviteeId === n.inviteeId);
        if (protectedCase) {
          return { ...common, channel: 'phone' as const, phone: n.phone, status: 'to-call' as const };
        }
        return {
          ...common,
          channel: 'email' as const,
          unitName: n.unitName,
          email: n.email,
          ...(n.phone !== undefined ? { phone: n.phone } : {}),
          locale: n.locale ?? 'sv',
          status: 'pending' as const,
          ...(before?.sentSequence !== undefined ? { sentSequence: before.sentSequence } : {}),
        };
      });
  // Invitees dropped from a changed summons are told the meeting is off for them.
  const removed = unchanged
    ? []
    : existing.invitations
        .filter((i) => !d.invitees.some((n) => n.inviteeId === i.inviteeId) && i.action !== 'cancel')
        .map((i): Invitation =>
          i.channel === 'phone'
            ? { ...i, status: 'to-call', action: 'cancel', sequence }
            : i.sentSequence === undefined
              ? { ...i, status: 'cancelled', action: 'cancel', sequence }
              : { ...i, status: 'pending', action: 'cancel', sequence },
        );

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

  const how = protectedCase
    ? `${invitations.length} phone task(s), no email (protected identity)`
    : `${invitations.length} invitation(s)`;
  const summary = unchanged
    ? `summons for ${d.meetingId} repeated unchanged`
    : `${previous ? 'meeting rescheduled' : 'summons'} for ${d.meetingId} (sequence ${sequence}): ${how}${removed.length ? `, ${removed.length} cancelled` : ''}${warnings.length ? `; ${warnings.length} warning(s)` : ''}`;
  return {
    kind: 'apply',
    case: {
      ...c,
      status: c.status === 'consented' ? 'summoned' : c.status,
      protectedIdentity: protectedCase,
    },
    meeting,
    invitations: [...invitations, ...removed],
    warnings,
    summary,
  };
};
