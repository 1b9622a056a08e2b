/**
 * The rest of the case's life (domain.md steps 5–7; seeds 000, 002, 004): the plan, answers to
 * invitations, follow-ups and their reminders, consent reminders and expiry, closing, protection.
 * Each rule is a step of the fold (./fold.ts). Pure.
 */
import type {
  CaseClosed,
  CaseProtectionChanged,
  FollowupDue,
  InvitationResponded,
  PhoneTaskCompleted,
  PlanEstablished,
} from '../../events/contracts.ts';
import { eventTypes } from '../../events/contracts/types.ts';
import { type CaseRecord, inCounty } from './case.ts';
import { type CaseState, held, rejected, type Step, type StepResult, withCase } from './case-state.ts';
import { activeConsent, caseAfterConsent, type ConsentRecord } from './consent.ts';
import type { County } from './county.ts';
import { addDays, stockholmDate } from './dates.ts';
import { workingDaysBefore } from './holidays.ts';
import { evaluationRecipients } from './evaluation.ts';
import { derivedId } from './ids.ts';
import {
  cancelMeetingsFrom,
  type Clarification,
  type Invitee,
  type Meeting,
  reconcileSubstitutes,
  type Notice,
  type NoticeRecipient,
  type NoticeTarget,
  recipientKey,
} from './meeting.ts';
import { protectState, sanitizePlanData } from './protected.ts';
import { MAX_MEETINGS_PER_CASE } from './summons.ts';
import { instantOf, isNewer, type Version, versionOf } from './version.ts';

/** An entry of the sparse `due` index: what falls due on which day. */
export interface DueMarker {
  caseId: string;
  kind: 'follow-up' | 'consent-reminder' | 'consent-expiry' | 'unconfirmed';
  ref: string;
  /** The day to act on (the sweep's day). */
  date: string;
  /** For a follow-up: the day it is due (reminders go out `reminderLeadDays.followUp` before). */
  dueOn?: string;
  /** For unconfirmed invitations: the meeting's time (a new time, a new reminder). */
  startsAt?: string;
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
  /** The plan.established this plan item shows; the newest plan of the case is the one in force. */
  version: Version;
}

/** Every decision fits one DynamoDB transaction (docs/semantics.md, "Limits"). */
export const MAX_PLANS_PER_CASE = 20;

type Versioned<D> = { id: string; time: string; data: D };

const applied = (state: CaseState, summary: string, warnings?: string[]): StepResult => ({
  kind: 'applied',
  state,
  summary,
  ...(warnings?.length ? { warnings } : {}),
});

/** Värmland: the coordinator works in health care or social services (seed 004). */
export const checkCoordinator = (county: County, organisationType: string): string | null => {
  const allowed = county.rules.coordinatorOrganisationTypes;
  return allowed.length === 0 || allowed.includes(organisationType)
    ? null
    : `in ${county.displayName} the coordinator must work in ${allowed.join(' or ')}, not ${organisationType} (seed ${county.rules.seed})`;
};

export const consentReminderNoticeId = (consentId: string) => derivedId('consent-expiring', consentId);
export const unconfirmedNoticeId = (meetingId: string, startsAt: string) =>
  derivedId('unconfirmed', meetingId, startsAt);

/** How many working days before a meeting the organiser hears which units have not confirmed. */
export const UNCONFIRMED_LEAD_WORKING_DAYS = 2;

/** Invited units that have not confirmed receipt (no answer of any kind) and still count. */
export const unconfirmedInvitees = (meeting: Meeting): Invitee[] =>
  meeting.invitees.filter((i) => !i.removed && !i.substitutedBy && i.receivedVersion === undefined);

/**
 * What falls due, derived from the state (never kept by hand, so a revised plan or a closed case
 * leaves no stale marker): the plan in force's next follow-up until it is reminded, and for every
 * complete consent a reminder before it lapses (until sent) and its expiry the day after.
 */
export const dueMarkers = (county: County, state: CaseState): DueMarker[] => {
  const c = state.case;
  if (!c || c.status === 'closed' || c.status === 'stopped') return [];
  const out: DueMarker[] = [];
  const plan = c.planId ? state.plans.get(c.planId) : undefined;
  if (plan && !state.meetings.has(plan.nextFollowUp.followUpId)) {
    out.push({
      caseId: c.caseId,
      kind: 'follow-up',
      ref: plan.nextFollowUp.followUpId,
      date: addDays(plan.nextFollowUp.dueOn, -county.rules.reminderLeadDays.followUp),
      dueOn: plan.nextFollowUp.dueOn,
    });
  }
  // The invitation page's loop (issue 13): two working days before a SIP meeting, the organiser
  // hears which units have not confirmed. Not on the protected path (no page, no email there), not
  // for a meeting summoned after that day, once per meeting time.
  if (!c.protectedIdentity)
    for (const meeting of state.meetings.values()) {
      // Every fold step asks for the markers: the cheap checks first, the calendar arithmetic last.
      if (meeting.kind === 'follow-up' || meeting.status !== 'scheduled') continue;
      if (unconfirmedInvitees(meeting).length === 0) continue;
      if (state.notices.has(unconfirmedNoticeId(meeting.meetingId, meeting.startsAt))) continue;
      const date = workingDaysBefore(meeting.startsAt.slice(0, 10), UNCONFIRMED_LEAD_WORKING_DAYS);
      if (date < stockholmDate(instantOf(meeting.detailsVersion))) continue;
      out.push({
        caseId: c.caseId,
        kind: 'unconfirmed',
        ref: meeting.meetingId,
        date,
        startsAt: meeting.startsAt,
      });
    }
  for (const consent of state.consents.values()) {
    if (consent.status !== 'complete') continue;
    if (!state.notices.has(consentReminderNoticeId(consent.consentId)))
      out.push({
        caseId: c.caseId,
        kind: 'consent-reminder',
        ref: consent.consentId,
        date: addDays(consent.validUntil, -county.rules.reminderLeadDays.consentExpiry),
      });
    out.push({
      caseId: c.caseId,
      kind: 'consent-expiry',
      ref: consent.consentId,
      date: addDays(consent.validUntil, 1),
    });
  }
  return out;
};

/** Where a notice to the coordinator goes: the coordinator's address, else the organiser's, else their own system. */
const coordinatorTarget = (c: CaseRecord, meeting?: Meeting): NoticeTarget | undefined =>
  c.coordinator?.email
    ? { kind: 'coordinator' }
    : meeting?.organiser.contactEmail
      ? { kind: 'organiser', meetingId: meeting.meetingId }
      : undefined;

const recipients = (c: CaseRecord, targets: (NoticeTarget | undefined)[]): NoticeRecipient[] =>
  c.protectedIdentity
    ? [] // the protected path: shown in the coordinator's own system, never emailed
    : targets.filter((t): t is NoticeTarget => t !== undefined).map((to) => ({ key: recipientKey(to), to }));

/** The notices with one more, to the meeting's organiser (else the coordinator): ids, codes and dates only. */
const withNotice = (
  state: CaseState,
  c: CaseRecord,
  meeting: Meeting,
  noticeId: string,
  kind: Notice['kind'],
  params: Record<string, string>,
  version: Version,
): Map<string, Notice> => {
  const notices = new Map(state.notices);
  notices.set(noticeId, {
    caseId: c.caseId,
    noticeId,
    kind,
    params,
    recipients: recipients(c, [
      meeting.organiser.contactEmail
        ? { kind: 'organiser', meetingId: meeting.meetingId }
        : coordinatorTarget(c, meeting),
    ]),
    version,
  });
  return notices;
};

/** The organiser told about one invitee's answer: ids and the unit's type only, one notice per event. */
const withInviteeNotice = (
  state: CaseState,
  c: CaseRecord,
  meeting: Meeting,
  invitee: Invitee,
  kind: 'clarification-requested' | 'substitute-proposed',
  idPrefix: string,
  event: { id: string },
  version: Version,
): Map<string, Notice> =>
  withNotice(
    state,
    c,
    meeting,
    derivedId(idPrefix, meeting.meetingId, invitee.inviteeId, event.id),
    kind,
    {
      meetingId: meeting.meetingId,
      inviteeId: invitee.inviteeId,
      organisationType: invitee.organisationType,
    },
    version,
  );

/** Step 5: the meeting was held and the plan set. A SIP is always followed up (seed 002). */
export const decidePlan = (
  county: County,
  c: CaseRecord,
  state: CaseState,
  event: Versioned<PlanEstablished['data']>,
): StepResult => {
  if (c.status === 'closed' || c.status === 'stopped')
    return rejected(`case ${c.caseId} is ${c.status}; no plan can be set`);
  if (c.status === 'awaiting-consent' || c.status === 'consented')
    return held(`case ${c.caseId} has not been summoned yet; a plan follows a SIP meeting`);
  const d = c.protectedIdentity ? sanitizePlanData(event.data).event : event.data;
  const problem = checkCoordinator(county, d.coordinator.organisationType);
  if (problem) return rejected(problem);
  if (!c.protectedIdentity && !d.coordinator.email)
    return rejected(
      'the coordinator needs an email address, so follow-up reminders and notices can reach them',
    );
  if (!state.plans.has(d.planId) && state.plans.size >= MAX_PLANS_PER_CASE)
    return rejected(
      `case ${c.caseId} already has ${MAX_PLANS_PER_CASE} plans; close it and start a new case`,
    );
  const version = versionOf(event);
  const before = state.plans.get(d.planId);
  if (before && !isNewer(version, before.version))
    return applied(state, `an older version of plan ${d.planId}; nothing changed`);
  const plan: PlanRecord = {
    caseId: c.caseId,
    planId: d.planId,
    meetingId: d.meetingId,
    overallResponsible: d.overallResponsible,
    coordinator: d.coordinator,
    interventions: d.interventions,
    othersInvolved: d.othersInvolved ?? [],
    shortTermGoals: d.shortTermGoals,
    longTermGoal: d.longTermGoal,
    participation: d.participation,
    nextFollowUp: d.nextFollowUp,
    version,
  };
  const plans = new Map(state.plans);
  plans.set(plan.planId, plan);
  // The meeting took place: closing the case later must not "cancel" it.
  const meetings = new Map(state.meetings);
  const meeting = meetings.get(d.meetingId);
  if (meeting?.status === 'scheduled') meetings.set(meeting.meetingId, { ...meeting, status: 'held' });
  // A reminder of units that had not confirmed it is moot once it was held: one not sent by then
  // (the sweep missed its day) is withdrawn, not sent after the meeting.
  const notices = new Map(state.notices);
  for (const [id, n] of notices)
    if (n.kind === 'unconfirmed-invitations' && n.params.meetingId === d.meetingId) notices.delete(id);
  // The meeting is evaluated (issue 15, seeds 000, 001): each unit that took part gets its link,
  // the organiser the family survey to hand out. Once per meeting; a protected case emails
  // neither (no recipients: the coordinator's own system shows them).
  const evaluated =
    meeting && (meeting.kind ?? 'sip') === 'sip' && meeting.status !== 'cancelled' ? meeting : undefined;
  const evaluationId = derivedId('eval', d.meetingId);
  if (evaluated && !notices.has(evaluationId)) {
    notices.set(evaluationId, {
      caseId: c.caseId,
      noticeId: evaluationId,
      kind: 'meeting-evaluation',
      params: { meetingId: d.meetingId },
      recipients: recipients(
        c,
        evaluationRecipients(evaluated).map((i) => ({
          kind: 'invitee',
          meetingId: evaluated.meetingId,
          inviteeId: i.inviteeId,
        })),
      ),
      version,
    });
    const familyId = derivedId('family', d.meetingId);
    notices.set(familyId, {
      caseId: c.caseId,
      noticeId: familyId,
      kind: 'family-survey',
      params: { meetingId: d.meetingId },
      recipients: recipients(c, [
        evaluated.organiser.contactEmail
          ? { kind: 'organiser', meetingId: evaluated.meetingId }
          : coordinatorTarget(c, evaluated),
      ]),
      version,
    });
  }
  // The newest plan is the one in force; an older one arriving late is kept, and changes nothing else.
  const inForce = isNewer(version, c.planVersion);
  const nextCase: CaseRecord = inForce
    ? {
        ...c,
        status: 'plan-active',
        planId: plan.planId,
        planVersion: version,
        coordinator: plan.coordinator,
      }
    : c;
  return applied(
    { ...state, case: nextCase, plans, meetings, notices },
    inForce
      ? `plan ${d.planId} set: ${d.interventions.length} intervention(s), overall responsibility ${d.overallResponsible}, coordinator ${d.coordinator.organisationType}; follow-up ${d.nextFollowUp.followUpId} on ${d.nextFollowUp.dueOn}`
      : `plan ${d.planId} is older than the plan in force (${c.planId ?? ''}); kept, nothing else changed`,
  );
};

export const applyPlan: Step<PlanEstablished['data']> = (county, state, event) =>
  withCase(state, event, (c) =>
    inCounty(county, event.data.county, () => decidePlan(county, c, state, event)),
  );

/** Finds an invitee, or says why the answer must wait or cannot be taken. */
const answerable = (
  c: CaseRecord,
  state: CaseState,
  meetingId: string,
  inviteeId: string,
): { meeting: Meeting; invitee: Invitee } | StepResult => {
  if (c.status === 'closed') return rejected(`case ${c.caseId} is closed`);
  const meeting = state.meetings.get(meetingId);
  const invitee = meeting?.invitees.find((i) => i.inviteeId === inviteeId);
  if (!meeting || !invitee) return held(`no invitation for ${inviteeId} to meeting ${meetingId} yet`);
  if (meeting.status === 'cancelled' || invitee.removed)
    return rejected(`meeting ${meetingId} is cancelled for ${inviteeId}; there is nothing to answer`);
  return { meeting, invitee };
};

/** Any answer confirms that the invitation arrived; the first confirmation counts, in any order. */
const firstReceipt = (invitee: Invitee, version: Version): Version =>
  invitee.receivedVersion && !isNewer(invitee.receivedVersion, version) ? invitee.receivedVersion : version;

/** The meeting with one invitee changed; a substitute follows its unit's newest answer. */
const withInvitee = (state: CaseState, meeting: Meeting, invitee: Invitee): Map<string, Meeting> => {
  const meetings = new Map(state.meetings);
  meetings.set(
    meeting.meetingId,
    reconcileSubstitutes(
      {
        ...meeting,
        invitees: meeting.invitees.map((i) => (i.inviteeId === invitee.inviteeId ? invitee : i)),
      },
      state.case?.protectedIdentity ?? false,
    ),
  );
  return meetings;
};

/**
 * An invited unit answers (seeds 002, 004): confirms, declines or names a substitute; its newest
 * answer counts. A unit with ongoing interventions is obliged to attend; when it declines the
 * coordinator is told.
 */
export const decideResponse = (
  c: CaseRecord,
  state: CaseState,
  event: Versioned<InvitationResponded['data']>,
): StepResult => {
  const { meetingId, inviteeId, response } = event.data;
  const found = answerable(c, state, meetingId, inviteeId);
  if ('kind' in found) return found;
  const { meeting, invitee } = found;
  const version = versionOf(event);
  const receivedVersion = firstReceipt(invitee, version);
  if (response === 'received')
    return applied(
      { ...state, meetings: withInvitee(state, meeting, { ...invitee, receivedVersion }) },
      `${inviteeId} confirmed receipt of the invitation to meeting ${meetingId}`,
    );
  if (response === 'clarification') return decideClarification(c, state, meeting, invitee, event);
  if (response === 'substitute-proposed') return decideProposal(c, state, meeting, invitee, event);
  if (response === 'substitute' && invitee.substituteFor)
    return rejected(
      `${inviteeId} is the substitute of ${invitee.substituteFor}; only the unit itself can name another`,
    );
  if (invitee.response && !isNewer(version, invitee.response.version))
    return applied(
      { ...state, meetings: withInvitee(state, meeting, { ...invitee, receivedVersion }) },
      `an older answer of ${inviteeId}; the newer one counts, nothing changed`,
    );
  const notices = new Map(state.notices);
  const obliged = response === 'declined' && invitee.hasOngoingIntervention;
  if (obliged) {
    const noticeId = derivedId('declined', meetingId, inviteeId);
    notices.set(noticeId, {
      caseId: c.caseId,
      noticeId,
      kind: 'obliged-unit-declined',
      params: {
        meetingId,
        inviteeId,
        organisationId: invitee.organisationId,
        organisationType: invitee.organisationType,
      },
      recipients: recipients(c, [coordinatorTarget(c, meeting)]),
      version,
    });
  }
  return applied(
    {
      ...state,
      meetings: withInvitee(state, meeting, {
        ...invitee,
        receivedVersion,
        response: {
          value: response,
          version,
          eventId: event.id,
          // Names and addresses of professionals, kept for the organiser; never on the protected path.
          ...(event.data.attendee && !c.protectedIdentity ? { attendee: event.data.attendee } : {}),
          ...(event.data.substitute && !c.protectedIdentity ? { substitute: event.data.substitute } : {}),
        },
      }),
      notices,
    },
    `${inviteeId} ${response} meeting ${meetingId}${obliged ? '; obliged to attend: the coordinator is told' : ''}`,
  );
};

/**
 * A unit asks the organiser to clarify the purpose or the questions (seed 001: "annars be om
 * förtydligande"). The organiser is emailed that someone asked (ids only, never the message) and
 * reads the message in the case summary. Not on the protected path, which keeps no free text.
 */
const decideClarification = (
  c: CaseRecord,
  state: CaseState,
  meeting: Meeting,
  invitee: Invitee,
  event: Versioned<InvitationResponded['data']>,
): StepResult => {
  const { meetingId, inviteeId, message } = event.data;
  const version = versionOf(event);
  // On the protected path (or once protection scrubbed the message from the history) the
  // question still confirms receipt, and nothing of it is kept: the coordinator calls.
  if (c.protectedIdentity || message === undefined) {
    return applied(
      {
        ...state,
        meetings: withInvitee(state, meeting, {
          ...invitee,
          receivedVersion: firstReceipt(invitee, version),
        }),
      },
      `${inviteeId} asked for clarification of meeting ${meetingId}; protected identity: taken by phone, nothing kept (seed 004)`,
    );
  }
  const clarification: Clarification = { inviteeId, message, version, eventId: event.id };
  const clarifications = [
    ...(meeting.clarifications ?? []).filter((x) => x.eventId !== event.id),
    clarification,
  ].sort((a, b) => (a.version < b.version ? -1 : 1));
  const receivedVersion = firstReceipt(invitee, version);
  const meetings = withInvitee(state, { ...meeting, clarifications }, { ...invitee, receivedVersion });
  const notices = withInviteeNotice(
    state,
    c,
    meeting,
    invitee,
    'clarification-requested',
    'clarify',
    event,
    version,
  );
  return applied(
    { ...state, meetings, notices },
    `${inviteeId} asked for clarification of meeting ${meetingId}; the organiser is told`,
  );
};

/**
 * A forwarded invitation answered by someone not invited (a calendar reply, issue 13): an offer
 * to attend in the unit's place, kept (the newest) for the organiser, who is told with ids only
 * and confirms by answering `substitute` for the unit. It is not the unit's answer.
 */
const decideProposal = (
  c: CaseRecord,
  state: CaseState,
  meeting: Meeting,
  invitee: Invitee,
  event: Versioned<InvitationResponded['data']>,
): StepResult => {
  const { meetingId, inviteeId, substitute } = event.data;
  if (c.protectedIdentity || !substitute)
    return applied(
      state,
      `a substitute was proposed for ${inviteeId} of meeting ${meetingId}; protected identity: nothing kept`,
    );
  const version = versionOf(event);
  if (invitee.proposal && !isNewer(version, invitee.proposal.version))
    return applied(
      state,
      `an older substitute proposal for ${inviteeId}; the newer one counts, nothing changed`,
    );
  const proposal = { name: substitute.name, email: substitute.email, version, eventId: event.id };
  const notices = withInviteeNotice(
    state,
    c,
    meeting,
    invitee,
    'substitute-proposed',
    'proposal',
    event,
    version,
  );
  return applied(
    { ...state, meetings: withInvitee(state, meeting, { ...invitee, proposal }), notices },
    `someone not invited offered to attend for ${inviteeId} of meeting ${meetingId}; the organiser is asked to confirm`,
  );
};

export const applyResponse: Step<InvitationResponded['data']> = (county, state, event) =>
  withCase(state, event, (c) => inCounty(county, event.data.county, () => decideResponse(c, state, event)));

/** se.sip.phone-task.completed.v1: the coordinator's system reports a call on the phone-only path. */
export const applyPhoneTask: Step<PhoneTaskCompleted['data']> = (county, state, event) =>
  withCase(state, event, (c) =>
    inCounty(county, event.data.county, () => {
      const { meetingId, inviteeId, outcome } = event.data;
      const meeting = state.meetings.get(meetingId);
      const invitee = meeting?.invitees.find((i) => i.inviteeId === inviteeId);
      if (!meeting || !invitee) return held(`no phone task for ${inviteeId} in meeting ${meetingId} yet`);
      if (!c.protectedIdentity && invitee.email)
        return rejected(
          `invitation ${inviteeId} of meeting ${meetingId} is on the email path, not a phone task`,
        );
      const version = versionOf(event);
      if (invitee.phoneOutcome && !isNewer(version, invitee.phoneOutcome.version))
        return applied(state, `an older call to ${inviteeId}; the newer one counts, nothing changed`);
      return applied(
        {
          ...state,
          meetings: withInvitee(state, meeting, {
            ...invitee,
            phoneOutcome: { value: outcome, version, eventId: event.id },
          }),
        },
        `phone task for ${inviteeId} (${meetingId}): ${outcome}`,
      );
    }),
  );

/**
 * A follow-up is due: remind the coordinator and every participant, once per follow-up, with a
 * calendar entry (phone tasks on the protected path). Participants are reminded only while the
 * consent is in force on the day of the reminder: without it nothing may be shared, so only the
 * coordinator hears, with the warning. A newer version of the same follow-up moves it; one without
 * a time never replaces a time given earlier (the sweep's reminder does not undo upstream's).
 */
export const decideFollowUp = (
  c: CaseRecord,
  state: CaseState,
  event: Versioned<FollowupDue['data']>,
): StepResult => {
  const { followUpId, dueOn, startsAt, durationMinutes } = event.data;
  if (c.status === 'closed' || c.status === 'stopped')
    return rejected(`case ${c.caseId} is ${c.status}; no follow-up reminders`);
  if (c.status !== 'plan-active')
    return held(`case ${c.caseId} has no plan yet; a follow-up follows the plan`);
  const version = versionOf(event);
  const existing = state.meetings.get(followUpId);
  if (existing && existing.kind !== 'follow-up')
    return rejected(`${followUpId} is a SIP meeting, not a follow-up`);
  if (existing?.status === 'cancelled') return rejected(`follow-up ${followUpId} was cancelled`);
  const newer = isNewer(version, existing?.detailsVersion);
  const timed = startsAt !== undefined && isNewer(version, existing?.timedVersion);
  if (existing && !newer && !timed)
    return applied(state, `follow-up ${followUpId} already reminded; nobody is reminded twice`);
  if (!existing && state.meetings.size >= MAX_MEETINGS_PER_CASE)
    return rejected(
      `case ${c.caseId} already has ${MAX_MEETINGS_PER_CASE} meetings; close it and start a new case`,
    );

  const reminderDay = stockholmDate(new Date(event.time));
  const consent = activeConsent(state.consents.values());
  const inForce =
    consent?.status === 'complete' && consent.validFrom <= reminderDay && consent.validUntil >= reminderDay;
  const due = newer ? dueOn : (existing?.startsAt.slice(0, 10) ?? dueOn);
  const lapses = !inForce || (consent?.validUntil ?? '') < due;
  const warnings = lapses
    ? [
        `consent ${consent ? `is ${inForce ? `valid until ${consent.validUntil}` : consent.status === 'complete' ? `not in force on ${reminderDay}` : consent.status}` : 'is missing'}, before the follow-up on ${due}; a new consent is needed${inForce ? '' : ', so only the coordinator is reminded'}`,
      ]
    : [];
  const plan = c.planId ? state.plans.get(c.planId) : undefined;
  const sips = [...state.meetings.values()].filter(
    (m) => (m.kind ?? 'sip') === 'sip' && m.status !== 'cancelled',
  );
  const sip =
    sips.find((m) => m.meetingId === plan?.meetingId) ??
    sips.sort((a, b) => (a.detailsVersion < b.detailsVersion ? -1 : 1)).at(-1);
  // The units, not their substitutes (who came to one meeting): a follow-up is the unit's.
  const participants = inForce ? (sip?.invitees ?? []).filter((i) => !i.removed && !i.substituteFor) : [];
  const coordinator = c.coordinator;
  const coordinatorIsParticipant =
    coordinator &&
    participants.some(
      (p) =>
        p.organisationType === coordinator.organisationType &&
        p.principal === coordinator.principal &&
        p.email === coordinator.email,
    );
  const reminded: Invitee[] = participants.map((p) => ({
    inviteeId: p.inviteeId,
    principal: p.principal,
    organisationId: p.organisationId,
    organisationType: p.organisationType,
    ...(p.unitName !== undefined ? { unitName: p.unitName } : {}),
    ...(p.email !== undefined ? { email: p.email } : {}),
    ...(p.locale !== undefined ? { locale: p.locale } : {}),
    ...(p.phone !== undefined ? { phone: p.phone } : {}),
    hasOngoingIntervention: p.hasOngoingIntervention,
    changedVersion: version,
    offset: 0,
  }));
  if (coordinator && !coordinatorIsParticipant) {
    reminded.push({
      inviteeId: 'coordinator',
      principal: coordinator.principal,
      organisationId: coordinator.unitId,
      organisationType: coordinator.organisationType,
      ...(c.protectedIdentity || !coordinator.email
        ? {}
        : { email: coordinator.email, unitName: sip?.organiser.unitName, locale: 'sv' as const }),
      ...(coordinator.phone ? { phone: coordinator.phone } : {}),
      hasOngoingIntervention: false,
      changedVersion: version,
      offset: 0,
    });
  }
  // Those reminded before and not now (e.g. consent lapsed in between) are owed a cancellation.
  const kept = (existing?.invitees ?? [])
    .filter((i) => !reminded.some((r) => r.inviteeId === i.inviteeId))
    .map((i) => (i.removed ? i : { ...i, removed: true, changedVersion: version }));
  const merged = reminded.map((r) => {
    const before = existing?.invitees.find((i) => i.inviteeId === r.inviteeId);
    return before
      ? { ...r, offset: before.offset, ...(before.response ? { response: before.response } : {}) }
      : r;
  });
  const useTime = timed ? startsAt : existing?.timedVersion ? existing.startsAt : undefined;
  const meeting: Meeting = {
    caseId: c.caseId,
    meetingId: followUpId,
    kind: 'follow-up',
    status: 'scheduled',
    startsAt: useTime ?? `${due}T00:00`,
    ...(useTime ? {} : { allDay: true }),
    durationMinutes: timed
      ? (durationMinutes ?? 60)
      : existing?.timedVersion
        ? existing.durationMinutes
        : 1440,
    // The coordinator calls the follow-up (seed 002) and receives the answers.
    organiser: {
      principal: coordinator?.principal ?? sip?.organiser.principal ?? 'region',
      organisationType: coordinator?.organisationType ?? sip?.organiser.organisationType ?? 'other',
      ...(c.protectedIdentity
        ? {}
        : {
            unitName: sip?.organiser.unitName,
            contactEmail: coordinator?.email ?? sip?.organiser.contactEmail,
          }),
    },
    ...(sip?.location && !c.protectedIdentity ? { location: sip.location } : {}),
    ...(lapses && consent && inForce ? { consentValidUntil: consent.validUntil } : {}),
    sequence: existing?.sequence ?? 0,
    warnings,
    lastSummonsEventId: event.id,
    detailsVersion: newer ? version : (existing?.detailsVersion ?? version),
    ...(timed
      ? { timedVersion: version }
      : existing?.timedVersion
        ? { timedVersion: existing.timedVersion }
        : {}),
    invitees: [...merged, ...kept],
  };
  const meetings = new Map(state.meetings);
  meetings.set(followUpId, meeting);
  const who = (m: Meeting) =>
    JSON.stringify(m.invitees.map((i) => [i.inviteeId, i.email ?? null, i.removed ?? false]));
  const unchanged =
    existing &&
    existing.startsAt === meeting.startsAt &&
    existing.durationMinutes === meeting.durationMinutes &&
    who(existing) === who(meeting);
  return applied(
    { ...state, meetings },
    unchanged
      ? `follow-up ${followUpId} already reminded; nobody is reminded twice`
      : `${existing ? 'follow-up changed' : 'follow-up'} ${followUpId} on ${due}: ${merged.length} reminder(s)${lapses ? (inForce ? '; consent lapses before it' : '; no consent in force: only the coordinator is reminded') : ''}`,
    warnings,
  );
};

export const applyFollowUp: Step<FollowupDue['data']> = (county, state, event) =>
  withCase(state, event, (c) => inCounty(county, event.data.county, () => decideFollowUp(c, state, event)));

/** What falls due for a consent (the rules' own event, by the clock): a reminder before it lapses, its expiry the day after. */
export interface ConsentDueData {
  county: string;
  kind: 'consent-reminder' | 'consent-expiry';
  consentId: string;
}
export const consentDueEventType = 'se.sip.consent.due';

/** Two working days before a meeting (the rules' own event, by the clock): who has not confirmed. */
export interface MeetingDueData {
  county: string;
  meetingId: string;
  startsAt: string;
}
export const meetingDueEventType = 'se.sip.meeting.due';

/**
 * The organiser's reminder of units that have not confirmed (issue 13; seeds 001, 004 ask every
 * unit to confirm receipt): one notice per meeting time, ids and organisation types only, to the
 * organiser's contact address (else the coordinator's). Nothing when all have confirmed by then,
 * the meeting moved or was cancelled, or the case is closed or protected.
 */
export const decideMeetingDue = (
  c: CaseRecord,
  state: CaseState,
  event: Versioned<MeetingDueData>,
): StepResult => {
  const { meetingId, startsAt } = event.data;
  const meeting = state.meetings.get(meetingId);
  if (!meeting) return rejected(`meeting ${meetingId} is unknown`);
  if (c.status === 'closed' || c.status === 'stopped' || c.protectedIdentity)
    return applied(
      state,
      `case ${c.status}${c.protectedIdentity ? ', protected' : ''}; no reminder of unconfirmed units`,
    );
  if (meeting.status !== 'scheduled' || meeting.startsAt !== startsAt)
    return applied(state, `meeting ${meetingId} moved or was cancelled; no reminder for ${startsAt}`);
  const missing = unconfirmedInvitees(meeting);
  if (missing.length === 0) return applied(state, `every unit confirmed meeting ${meetingId}`);
  const noticeId = unconfirmedNoticeId(meetingId, startsAt);
  const notices = withNotice(
    state,
    c,
    meeting,
    noticeId,
    'unconfirmed-invitations',
    { meetingId, startsAt, units: missing.map((i) => `${i.inviteeId} (${i.organisationType})`).join(', ') },
    versionOf(event),
  );
  return applied(
    { ...state, notices },
    `${missing.length} unit(s) have not confirmed meeting ${meetingId} on ${startsAt}; the organiser is told`,
  );
};

export const applyMeetingDue: Step<MeetingDueData> = (county, state, event) =>
  withCase(state, event, (c) => inCounty(county, event.data.county, () => decideMeetingDue(c, state, event)));

/**
 * The daily sweep's visit to a case with something due (internal, kept in its history): it moves
 * the case's clock to its morning, so what fell due by then happens (functions/core/fold.ts).
 */
export const tickEventType = eventTypes.sweepVisit;

export const applyTick: Step<{ county: string }> = (county, state, event) =>
  withCase(state, event, () =>
    inCounty(county, event.data.county, () => applied(state, 'the daily sweep looked at the case')),
  );

export const decideConsentDue = (
  c: CaseRecord,
  state: CaseState,
  event: Versioned<ConsentDueData>,
): StepResult => {
  const consent = state.consents.get(event.data.consentId);
  if (!consent) return rejected(`consent ${event.data.consentId} is unknown`);
  if (c.status === 'closed') return applied(state, 'case closed; no consent reminder');
  if (event.data.kind === 'consent-reminder') {
    if (consent.status !== 'complete') return applied(state, 'consent no longer active; no reminder');
    const noticeId = consentReminderNoticeId(consent.consentId);
    const notices = new Map(state.notices);
    notices.set(noticeId, {
      caseId: c.caseId,
      noticeId,
      kind: 'consent-expiring',
      params: { consentId: consent.consentId, validUntil: consent.validUntil },
      recipients: recipients(c, [c.coordinator?.email ? { kind: 'coordinator' } : undefined]),
      version: versionOf(event),
    });
    return applied(
      { ...state, notices },
      `consent ${consent.consentId} expires on ${consent.validUntil}; the coordinator is reminded`,
    );
  }
  if (consent.status !== 'complete' || consent.validUntil >= stockholmDate(new Date(event.time)))
    return applied(state, `consent ${consent.consentId} is not due to expire; nothing changed`);
  const consents = new Map(state.consents);
  consents.set(consent.consentId, { ...consent, status: 'expired' });
  const relied = c.activeConsentId === consent.consentId;
  const change = caseAfterConsent({ ...state, consents }, c);
  return applied(
    {
      ...state,
      consents,
      case: { ...c, consentStatus: change.consentStatus, activeConsentId: change.activeConsentId },
    },
    `consent ${consent.consentId} expired after ${consent.validUntil}${relied && change.consentStatus !== 'complete' ? '; a new consent is needed before anything more is shared' : ''}`,
  );
};

export const applyConsentDue: Step<ConsentDueData> = (county, state, event) =>
  withCase(state, event, (c) => inCounty(county, event.data.county, () => decideConsentDue(c, state, event)));

/**
 * Step 7: closed with one of seed 002's reasons. Everyone involved is told (one notice, each
 * recipient once); meetings still to come are cancelled; nothing more falls due.
 */
export const decideClose = (
  c: CaseRecord,
  state: CaseState,
  event: Versioned<CaseClosed['data']>,
): StepResult => {
  if (c.status === 'closed')
    return rejected(`case ${c.caseId} is already closed (${c.closeReason ?? 'unknown reason'})`);
  const version = versionOf(event);
  const cancelled = cancelMeetingsFrom(state.meetings, stockholmDate(new Date(event.time)), version);
  // Each address once, through the first invitee (in a fixed order) who has it.
  const byAddress = new Map<string, NoticeTarget>();
  const invitees = [...state.meetings.values()]
    .flatMap((m) => m.invitees.filter((i) => i.email && !i.removed).map((i) => ({ m, i })))
    .sort((a, b) =>
      `${a.m.meetingId}\u0000${a.i.inviteeId}` < `${b.m.meetingId}\u0000${b.i.inviteeId}` ? -1 : 1,
    );
  for (const { m, i } of invitees) {
    const address = i.email?.toLowerCase() ?? '';
    if (!byAddress.has(address))
      byAddress.set(address, { kind: 'invitee', meetingId: m.meetingId, inviteeId: i.inviteeId });
  }
  const told = recipients(c, [...byAddress.values()]);
  const notice: Notice = {
    caseId: c.caseId,
    noticeId: 'closed',
    kind: 'case-closed',
    params: {
      reason: event.data.reason,
      ...(told.length === 0
        ? { tell: c.protectedIdentity ? 'every participant, by phone' : 'every participant' }
        : {}),
    },
    recipients: told,
    version,
  };
  const notices = new Map(state.notices);
  notices.set(notice.noticeId, notice);
  return applied(
    {
      ...state,
      case: { ...c, status: 'closed', closeReason: event.data.reason, closedVersion: version },
      meetings: cancelled.meetings,
      notices,
    },
    `case closed (${event.data.reason}); ${told.length === 0 ? 'the coordinator tells everyone' : `${told.length} recipient(s) told`}, ${cancelled.cancelled} meeting(s) cancelled`,
  );
};

export const applyClose: Step<CaseClosed['data']> = (county, state, event) =>
  withCase(state, event, (c) => inCounty(county, event.data.county, () => decideClose(c, state, event)));

/**
 * se.sip.case.protection.changed.v1: a case flagged after creation moves to the phone-only path.
 * What it stored is scrubbed to the protected allow-list; no email is sent again. Protection is
 * never cleared by an event (seed 004).
 */
export const applyProtection: Step<CaseProtectionChanged['data']> = (county, state, event) =>
  withCase(state, event, (c) =>
    inCounty(county, event.data.county, () => {
      if (!event.data.protectedIdentity)
        return rejected(
          c.protectedIdentity
            ? `case ${c.caseId} has protected identity, which an event may set but never clear (seed 004); an administrator must lift it`
            : `case ${c.caseId} is not protected; there is nothing to clear`,
        );
      if (c.protectedIdentity)
        return applied(state, `protection confirmed (${event.data.reason}); already on the phone-only path`);
      const invitees = [...state.meetings.values()].reduce((n, m) => n + m.invitees.length, 0);
      return applied(
        protectState({ ...state, case: { ...c, protectedIdentity: true } }),
        `protected identity set (${event.data.reason}); phone-only path: ${invitees} invitation(s) became phone tasks, stored places, names and addresses removed`,
      );
    }),
  );

export type { ConsentRecord };
