/**
 * The protected path (seed 004; docs/protected-identity.md): for a person with protected
 * personal data, or exposed to violence, nothing that could reveal where they are is stored,
 * logged or sent. Enforced by an allow-list per event type: only the fields named here survive;
 * location data, free text and email addresses that were sent anyway are dropped and reported as
 * a security deviation (the field names, never their values). A case that becomes protected has
 * what it stored before scrubbed down to the same allow-list.
 */
import type { InvitationResponded, PlanEstablished, SummonsSent } from '../../events/contracts.ts';
import type { CaseState } from './case-state.ts';
import type { Invitee, Meeting } from './meeting.ts';

export interface Sanitized<T> {
  event: T;
  /** Paths of location, free-text or address fields the event carried, e.g. `location.place`. */
  dropped: string[];
}

/** The summons fields a protected case keeps: ids, kinds, time, length and phone numbers. */
export const sanitizeSummonsData = (d: SummonsSent['data']): Sanitized<SummonsSent['data']> => {
  const dropped: string[] = [];
  if (d.location) dropped.push(d.location.kind === 'in-person' ? 'location.place' : 'location.joinUrl');
  if (d.purpose !== undefined) dropped.push('purpose');
  if (d.longTermGoal !== undefined) dropped.push('longTermGoal');
  if (d.questions !== undefined) dropped.push('questions');
  if (d.organiser.unitName !== undefined) dropped.push('organiser.unitName');
  if (d.organiser.contactEmail !== undefined) dropped.push('organiser.contactEmail');
  if (d.invitees.some((i) => i.unitName !== undefined)) dropped.push('invitees[].unitName');
  if (d.invitees.some((i) => i.email !== undefined)) dropped.push('invitees[].email');
  return {
    dropped,
    event: {
      county: d.county,
      meetingId: d.meetingId,
      startsAt: d.startsAt,
      durationMinutes: d.durationMinutes,
      protectedIdentity: true,
      organiser: {
        principal: d.organiser.principal,
        organisationType: d.organiser.organisationType,
        unitId: d.organiser.unitId,
      },
      invitees: d.invitees.map((i) => ({
        inviteeId: i.inviteeId,
        principal: i.principal,
        organisationId: i.organisationId,
        organisationType: i.organisationType,
        ...(i.phone !== undefined ? { phone: i.phone } : {}),
        ...(i.hasOngoingIntervention !== undefined
          ? { hasOngoingIntervention: i.hasOngoingIntervention }
          : {}),
      })),
    },
  };
};

/** An answer of a protected case keeps no names, no address and no free text: only what was answered. */
export const sanitizeResponseData = (
  d: InvitationResponded['data'],
): Sanitized<InvitationResponded['data']> => {
  const { attendee, substitute, message, ...rest } = d;
  const dropped = [
    ...(attendee ? ['attendee'] : []),
    ...(substitute ? ['substitute'] : []),
    ...(message !== undefined ? ['message'] : []),
  ];
  return { event: dropped.length ? rest : d, dropped };
};

/** The plan of a protected case keeps no email address (the coordinator is reached by phone or in their own system). */
export const sanitizePlanData = (d: PlanEstablished['data']): Sanitized<PlanEstablished['data']> => {
  if (d.coordinator.email === undefined) return { event: d, dropped: [] };
  const { email: _email, ...coordinator } = d.coordinator;
  return { event: { ...d, coordinator }, dropped: ['coordinator.email'] };
};

/** The data of any event type, reduced to what a protected case may keep; other types carry nothing forbidden. */
export const sanitizeData = (type: string, data: unknown): Sanitized<unknown> => {
  if (type === 'se.sip.summons.sent.v1') return sanitizeSummonsData(data as SummonsSent['data']);
  if (type === 'se.sip.plan.established.v1') return sanitizePlanData(data as PlanEstablished['data']);
  if (type === 'se.sip.invitation.responded.v1')
    return sanitizeResponseData(data as InvitationResponded['data']);
  return { event: data, dropped: [] };
};

interface AnyEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  time: string;
  subject: string;
  datacontenttype?: string;
  dataschema?: string;
  data: unknown;
}

/** A whole event reduced to the allow-list: what may wait on a queue, be retried or be parked. */
export const sanitizeEvent = <E extends AnyEvent>(event: E): Sanitized<E> => {
  const { event: data, dropped } = sanitizeData(event.type, event.data);
  return {
    dropped,
    event: {
      specversion: event.specversion,
      id: event.id,
      source: event.source,
      type: event.type,
      time: event.time,
      subject: event.subject,
      ...(event.datacontenttype !== undefined ? { datacontenttype: event.datacontenttype } : {}),
      data,
    } as E,
  };
};

/** A summons flagged protected by upstream: sanitised as it arrives, before any write, log or retry. */
export const sanitizeSummons = (e: SummonsSent): Sanitized<SummonsSent> => sanitizeEvent(e);

/** An invitee reduced to the allow-list: no name, no address, no locale; a phone task. */
export const scrubInvitee = (i: Invitee): Invitee => ({
  inviteeId: i.inviteeId,
  principal: i.principal,
  organisationId: i.organisationId,
  organisationType: i.organisationType,
  ...(i.phone !== undefined ? { phone: i.phone } : {}),
  hasOngoingIntervention: i.hasOngoingIntervention,
  // A substitute is an address the protected path does not keep: the unit itself is called.
  ...(i.removed || i.substituteFor ? { removed: true } : {}),
  ...(i.substituteFor ? { substituteFor: i.substituteFor } : {}),
  changedVersion: i.changedVersion,
  ...(i.response
    ? { response: { value: i.response.value, version: i.response.version, eventId: i.response.eventId } }
    : {}),
  ...(i.receivedVersion ? { receivedVersion: i.receivedVersion } : {}),
  ...(i.phoneOutcome ? { phoneOutcome: i.phoneOutcome } : {}),
  offset: i.offset,
});

/** A meeting reduced to the allow-list: no place, no names, no purpose, no addresses. */
export const scrubMeeting = (m: Meeting): Meeting => ({
  caseId: m.caseId,
  meetingId: m.meetingId,
  ...(m.kind ? { kind: m.kind } : {}),
  ...(m.allDay ? { allDay: m.allDay } : {}),
  ...(m.consentValidUntil ? { consentValidUntil: m.consentValidUntil } : {}),
  status: m.status,
  startsAt: m.startsAt,
  durationMinutes: m.durationMinutes,
  organiser: { principal: m.organiser.principal, organisationType: m.organiser.organisationType },
  sequence: m.sequence,
  warnings: m.warnings,
  lastSummonsEventId: m.lastSummonsEventId,
  detailsVersion: m.detailsVersion,
  ...(m.timedVersion ? { timedVersion: m.timedVersion } : {}),
  invitees: m.invitees.map(scrubInvitee),
});

/**
 * A case that is protected keeps nothing beyond the allow-list, including what it stored before it
 * was protected: meetings lose place, names, purpose and addresses (every invitee becomes a phone
 * task), plans and the case lose the coordinator's address. Notices hold no address to begin with.
 */
export const protectState = (state: CaseState): CaseState => {
  const c = state.case;
  const withoutEmail = <T extends { email?: string }>(o: T): T => {
    const { email: _e, ...rest } = o;
    return rest as T;
  };
  return {
    ...state,
    ...(c
      ? {
          case: {
            ...c,
            protectedIdentity: true,
            ...(c.coordinator ? { coordinator: withoutEmail(c.coordinator) } : {}),
          },
        }
      : {}),
    meetings: new Map([...state.meetings].map(([id, m]) => [id, scrubMeeting(m)])),
    plans: new Map(
      [...state.plans].map(([id, p]) => [id, { ...p, coordinator: withoutEmail(p.coordinator) }]),
    ),
  };
};
