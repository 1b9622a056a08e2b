/**
 * The rest of the case's life (domain.md steps 5–7; seeds 000, 002, 004): the plan, responses to
 * invitations, follow-ups and their reminders, consent expiry, closing. Pure.
 */
import type {
  CaseClosed,
  FollowupDue,
  InvitationResponded,
  PlanEstablished,
} from '../../events/contracts.ts';
import type { CaseRecord } from './case.ts';
import type { ConsentRecord } from './consent.ts';
import type { CaseItems } from './case-items.ts';
import type { County } from './county.ts';
import { addDays, stockholmDate } from './dates.ts';
import { cancelMeetings, type Invitation, type Meeting, type Notice } from './meeting.ts';

/** An entry of the sparse `due` index: what falls due on which day. */
export interface DueMarker {
  caseId: string;
  kind: 'follow-up' | 'consent-reminder' | 'consent-expiry';
  ref: string;
  /** The day to act on (the sweep's day). */
  date: string;
  /** For a follow-up: the day it is due (reminders go out `reminderLeadDays.followUp` before). */
  dueOn?: string;
}

export interface PlanRecord {
  caseId: string;
  planId: string;
  meetingId: string;
  overallResponsible: string;
  coordinator: NonNullable<CaseRecord['coordinator']>;
  interventions: { code: string; responsible: string }[];
  othersInvolved: string[];
  shortTermGoals: string[];
  longTermGoal: string;
  participation: string;
  nextFollowUp: { followUpId: string; dueOn: string };
}

export interface LifecycleChange extends CaseItems {
  case: CaseRecord;
  warnings?: string[];
  summary: string;
}

export type LifecycleDecision =
  | ({ kind: 'apply' } & LifecycleChange)
  | { kind: 'reject'; reason: string }
  | { kind: 'wait'; reason: string };

const reject = (reason: string) => ({ kind: 'reject' as const, reason });

/** Värmland: the coordinator works in health care or social services (seed 004). */
export const checkCoordinator = (county: County, organisationType: string): string | null => {
  const allowed = county.rules.coordinatorOrganisationTypes;
  return allowed.length === 0 || allowed.includes(organisationType)
    ? null
    : `in ${county.displayName} the coordinator must work in ${allowed.join(' or ')}, not ${organisationType} (seed ${county.rules.seed})`;
};

/** Consent reminders: a configurable number of days before it lapses, and the day after it has. */
export const consentDueMarkers = (county: County, consent: ConsentRecord): DueMarker[] => [
  {
    caseId: consent.caseId,
    kind: 'consent-reminder',
    ref: consent.consentId,
    date: addDays(consent.validUntil, -county.rules.reminderLeadDays.consentExpiry),
  },
  {
    caseId: consent.caseId,
    kind: 'consent-expiry',
    ref: consent.consentId,
    date: addDays(consent.validUntil, 1),
  },
];

/** Step 5: the meeting was held and the plan set. A SIP is always followed up (seed 002). */
export const decidePlan = (
  county: County,
  c: CaseRecord,
  meetings: Map<string, Meeting>,
  event: PlanEstablished,
): LifecycleDecision => {
  if (c.status === 'closed' || c.status === 'stopped')
    return reject(`case ${c.caseId} is ${c.status}; no plan can be set`);
  if (c.status === 'awaiting-consent' || c.status === 'consented') {
    return {
      kind: 'wait',
      reason: `case ${c.caseId} has not been summoned yet; a plan follows a SIP meeting`,
    };
  }
  const d = event.data;
  const problem = checkCoordinator(county, d.coordinator.organisationType);
  if (problem) return reject(problem);
  if (!c.protectedIdentity && !d.coordinator.email) {
    return reject(
      'the coordinator needs an email address, so follow-up reminders and notices can reach them',
    );
  }
  const coordinator = c.protectedIdentity
    ? {
        principal: d.coordinator.principal,
        organisationType: d.coordinator.organisationType,
        unitId: d.coordinator.unitId,
        ...(d.coordinator.phone ? { phone: d.coordinator.phone } : {}),
      }
    : d.coordinator;
  const plan: PlanRecord = {
    caseId: c.caseId,
    planId: d.planId,
    meetingId: d.meetingId,
    overallResponsible: d.overallResponsible,
    coordinator,
    interventions: d.interventions,
    othersInvolved: d.othersInvolved ?? [],
    shortTermGoals: d.shortTermGoals,
    longTermGoal: d.longTermGoal,
    participation: d.participation,
    nextFollowUp: d.nextFollowUp,
  };
  return {
    kind: 'apply',
    case: { ...c, status: 'plan-active', planId: d.planId, coordinator },
    plans: [plan],
    // The meeting took place: closing the case later must not "cancel" it.
    meetings: [...meetings.values()]
      .filter((m) => m.meetingId === d.meetingId)
      .map((m) => ({ ...m, status: 'held' as const })),
    dueMarkers: [
      {
        caseId: c.caseId,
        kind: 'follow-up',
        ref: d.nextFollowUp.followUpId,
        date: addDays(d.nextFollowUp.dueOn, -county.rules.reminderLeadDays.followUp),
        dueOn: d.nextFollowUp.dueOn,
      },
    ],
    summary: `plan ${d.planId} set: ${d.interventions.length} intervention(s), overall responsibility ${d.overallResponsible}, coordinator ${coordinator.organisationType}; follow-up ${d.nextFollowUp.followUpId} on ${d.nextFollowUp.dueOn}`,
  };
};

/**
 * An invited unit answers (seeds 002, 004): confirms, declines or names a substitute. A unit with
 * ongoing interventions is obliged to attend; when it declines without a substitute the coordinator
 * is told.
 */
export const decideResponse = (
  c: CaseRecord,
  meetings: Map<string, Meeting>,
  invitations: Invitation[],
  event: InvitationResponded,
): LifecycleDecision => {
  const { meetingId, inviteeId, response } = event.data;
  if (c.status === 'closed') return reject(`case ${c.caseId} is closed`);
  const invitation = invitations.find((i) => i.meetingId === meetingId && i.inviteeId === inviteeId);
  if (!invitation)
    return { kind: 'wait', reason: `no invitation for ${inviteeId} to meeting ${meetingId} yet` };
  if (invitation.action === 'cancel' || meetings.get(meetingId)?.status === 'cancelled') {
    return reject(`meeting ${meetingId} is cancelled; there is nothing to answer`);
  }
  const meeting = meetings.get(meetingId);
  const notices: Notice[] = [];
  if (response === 'declined' && invitation.hasOngoingIntervention) {
    const email = c.coordinator?.email ?? meeting?.organiser.contactEmail;
    notices.push({
      caseId: c.caseId,
      noticeId: `declined.${meetingId}.${inviteeId}`,
      kind: 'obliged-unit-declined',
      channel: c.protectedIdentity || !email ? 'system' : 'email',
      ...(c.protectedIdentity || !email ? {} : { email }),
      status: c.protectedIdentity || !email ? 'to-read' : 'pending',
      sequence: 0,
      params: {
        meetingId,
        inviteeId,
        organisationId: invitation.organisationId,
        organisationType: invitation.organisationType,
      },
    });
  }
  return {
    kind: 'apply',
    case: c,
    invitations: [{ ...invitation, status: response === 'substitute' ? 'substitute' : response }],
    notices,
    summary: `${inviteeId} ${response} meeting ${meetingId}${notices.length ? '; obliged to attend: the coordinator is told' : ''}`,
  };
};

/**
 * A follow-up is due: remind the coordinator and every participant, once per follow-up, with a
 * calendar entry (phone tasks on the protected path), and warn when consent lapses before it.
 */
export const decideFollowUp = (
  c: CaseRecord,
  loaded: { meetings: Map<string, Meeting>; invitations: Invitation[]; consents: Map<string, ConsentRecord> },
  due: DueMarker[],
  event: FollowupDue,
): LifecycleDecision => {
  const { followUpId, dueOn } = event.data;
  if (c.status === 'closed' || c.status === 'stopped')
    return reject(`case ${c.caseId} is ${c.status}; no follow-up reminders`);
  if (c.status !== 'plan-active')
    return { kind: 'wait', reason: `case ${c.caseId} has no plan yet; a follow-up follows the plan` };
  const removeDue = due.filter((m) => m.kind === 'follow-up' && m.ref === followUpId);
  if (loaded.meetings.has(followUpId)) {
    return {
      kind: 'apply',
      case: c,
      removeDue,
      summary: `follow-up ${followUpId} already reminded; nobody is reminded twice`,
    };
  }
  const consent = c.activeConsentId ? loaded.consents.get(c.activeConsentId) : undefined;
  const consentLapses = !consent || consent.status !== 'complete' || consent.validUntil < dueOn;
  const warnings = consentLapses
    ? [
        `consent ${consent ? `is valid until ${consent.validUntil}` : 'is missing'}, before the follow-up on ${dueOn}; a new consent is needed`,
      ]
    : [];
  const sip = [...loaded.meetings.values()]
    .filter((m) => (m.kind ?? 'sip') === 'sip' && m.status !== 'cancelled')
    .at(-1);
  const participants = loaded.invitations.filter(
    (i) =>
      i.meetingId === sip?.meetingId &&
      i.action !== 'cancel' &&
      i.status !== 'failed' &&
      i.status !== 'cancelled',
  );
  const meeting: Meeting = {
    caseId: c.caseId,
    meetingId: followUpId,
    kind: 'follow-up',
    status: 'scheduled',
    startsAt: event.data.startsAt ?? `${dueOn}T00:00`,
    ...(event.data.startsAt ? {} : { allDay: true }),
    durationMinutes: event.data.durationMinutes ?? (event.data.startsAt ? 60 : 1440),
    // The coordinator calls the follow-up (seed 002) and receives the answers.
    organiser: {
      principal: c.coordinator?.principal ?? sip?.organiser.principal ?? 'region',
      organisationType: c.coordinator?.organisationType ?? sip?.organiser.organisationType ?? 'other',
      ...(c.protectedIdentity
        ? {}
        : {
            unitName: sip?.organiser.unitName,
            contactEmail: c.coordinator?.email ?? sip?.organiser.contactEmail,
          }),
    },
    ...(sip?.location && !c.protectedIdentity ? { location: sip.location } : {}),
    ...(consentLapses && consent ? { consentValidUntil: consent.validUntil } : {}),
    sequence: 0,
    warnings,
    lastSummonsEventId: event.id,
  };
  const invitations: Invitation[] = participants.map((p) => ({
    ...p,
    meetingId: followUpId,
    action: 'request',
    sequence: 0,
    status: p.channel === 'phone' ? 'to-call' : 'pending',
    sentSequence: undefined,
    sesMessageId: undefined,
    claimedAt: undefined,
  }));
  const coordinator = c.coordinator;
  if (
    coordinator &&
    !participants.some(
      (p) =>
        p.organisationType === coordinator.organisationType &&
        p.principal === coordinator.principal &&
        p.email === coordinator.email,
    )
  ) {
    invitations.push({
      caseId: c.caseId,
      meetingId: followUpId,
      inviteeId: 'coordinator',
      principal: coordinator.principal,
      organisationId: coordinator.unitId,
      organisationType: coordinator.organisationType,
      ...(c.protectedIdentity || !coordinator.email
        ? {
            channel: 'phone' as const,
            ...(coordinator.phone ? { phone: coordinator.phone } : {}),
            status: 'to-call' as const,
          }
        : {
            channel: 'email' as const,
            email: coordinator.email,
            unitName: sip?.organiser.unitName,
            locale: 'sv' as const,
            status: 'pending' as const,
          }),
      action: 'request',
      sequence: 0,
    });
  }
  return {
    kind: 'apply',
    case: c,
    meetings: [meeting],
    invitations,
    removeDue,
    warnings,
    summary: `follow-up ${followUpId} on ${dueOn}: ${invitations.length} reminder(s)${warnings.length ? '; consent lapses before it' : ''}`,
  };
};

/** The sweep's consent reminder, and the day after expiry the consent is marked expired. */
export const decideConsentDue = (
  c: CaseRecord,
  consent: ConsentRecord | undefined,
  marker: DueMarker,
): LifecycleDecision => {
  if (!consent) return reject(`consent ${marker.ref} is unknown`);
  if (c.status === 'closed')
    return { kind: 'apply', case: c, removeDue: [marker], summary: 'case closed; no consent reminder' };
  const email = c.coordinator?.email;
  const channel = c.protectedIdentity || !email ? ('system' as const) : ('email' as const);
  if (marker.kind === 'consent-reminder') {
    if (consent.status !== 'complete')
      return {
        kind: 'apply',
        case: c,
        removeDue: [marker],
        summary: 'consent no longer active; no reminder',
      };
    return {
      kind: 'apply',
      case: c,
      notices: [
        {
          caseId: c.caseId,
          noticeId: `consent-expiring.${consent.consentId}`,
          kind: 'consent-expiring',
          channel,
          ...(channel === 'email' ? { email } : {}),
          status: channel === 'email' ? 'pending' : 'to-read',
          sequence: 0,
          params: { consentId: consent.consentId, validUntil: consent.validUntil },
        },
      ],
      removeDue: [marker],
      summary: `consent ${consent.consentId} expires on ${consent.validUntil}; the coordinator is reminded`,
    };
  }
  const expired: ConsentRecord = {
    ...consent,
    status: consent.status === 'complete' ? 'expired' : consent.status,
  };
  const active = c.activeConsentId === consent.consentId && consent.status === 'complete';
  return {
    kind: 'apply',
    case: active ? { ...c, consentStatus: 'expired' } : c,
    consents: [expired],
    removeDue: [marker],
    summary: `consent ${consent.consentId} expired after ${consent.validUntil}${active ? '; a new consent is needed before anything more is shared' : ''}`,
  };
};

/**
 * Step 7: closed with one of seed 002's reasons. Everyone involved is told; scheduled meetings are
 * cancelled and pending reminders removed.
 */
export const decideClose = (
  c: CaseRecord,
  loaded: { meetings: Map<string, Meeting>; invitations: Invitation[] },
  due: DueMarker[],
  event: CaseClosed,
): LifecycleDecision => {
  if (c.status === 'closed')
    return reject(`case ${c.caseId} is already closed (${c.closeReason ?? 'unknown reason'})`);
  const cancelled = cancelMeetings(
    loaded.meetings.values(),
    loaded.invitations,
    stockholmDate(new Date(event.time)),
  );
  const told = new Map<string, Invitation>();
  for (const i of loaded.invitations)
    if (i.channel === 'email' && i.email && i.status !== 'failed') told.set(i.email, i);
  const notices: Notice[] = [...told.values()].map((i) => ({
    caseId: c.caseId,
    noticeId: `closed.${i.inviteeId}.${i.email?.replace(/[^A-Za-z0-9]/g, '') ?? ''}`.slice(0, 64),
    kind: 'case-closed',
    channel: c.protectedIdentity ? 'system' : 'email',
    ...(c.protectedIdentity ? {} : { email: i.email, locale: i.locale }),
    status: c.protectedIdentity ? 'to-read' : 'pending',
    sequence: 0,
    params: { reason: event.data.reason },
  }));
  if (c.protectedIdentity || notices.length === 0) {
    notices.push({
      caseId: c.caseId,
      noticeId: 'closed.coordinator',
      kind: 'case-closed',
      channel: 'system',
      status: 'to-read',
      sequence: 0,
      params: {
        reason: event.data.reason,
        tell: c.protectedIdentity ? 'every participant, by phone' : 'every participant',
      },
    });
  }
  return {
    kind: 'apply',
    case: { ...c, status: 'closed', closeReason: event.data.reason },
    meetings: cancelled.meetings,
    invitations: cancelled.invitations,
    notices,
    removeDue: due,
    summary: `case closed (${event.data.reason}); ${notices.length} notice(s), ${cancelled.meetings.length} meeting(s) cancelled, ${due.length} reminder(s) removed`,
  };
};
