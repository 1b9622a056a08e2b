/**
 * The protected path (seed 004; docs/protected-identity.md): for a person with protected
 * personal data, or exposed to violence, nothing that could reveal where they are is stored,
 * logged or sent. Enforced where data enters, by an allow-list per event type: only the fields
 * named here survive; location data and free text that were sent anyway are dropped and reported
 * as a security deviation (the field names, never their values).
 */
import type { SummonsSent } from '../../events/contracts.ts';
import type { Invitation, Meeting } from './meeting.ts';

export interface Sanitized<T> {
  event: T;
  /** Paths of location or free-text fields the event carried, e.g. `location.place`. */
  dropped: string[];
}

/** The summons fields a protected case keeps: ids, kinds, time, length and phone numbers. */
export const sanitizeSummons = (e: SummonsSent): Sanitized<SummonsSent> => {
  const d = e.data;
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
      specversion: e.specversion,
      id: e.id,
      source: e.source,
      type: e.type,
      time: e.time,
      subject: e.subject,
      datacontenttype: e.datacontenttype,
      data: {
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
    },
  };
};

/** A case flagged later: what it already stored is scrubbed down to the protected allow-list. */
export const scrubMeeting = (m: Meeting): Meeting => ({
  caseId: m.caseId,
  meetingId: m.meetingId,
  status: m.status,
  startsAt: m.startsAt,
  durationMinutes: m.durationMinutes,
  organiser: { principal: m.organiser.principal, organisationType: m.organiser.organisationType },
  sequence: m.sequence,
  warnings: m.warnings,
  lastSummonsEventId: m.lastSummonsEventId,
});

/** Every email invitation becomes a phone task: time and place are agreed again by telephone. */
export const toPhoneTask = (i: Invitation): Invitation => ({
  caseId: i.caseId,
  meetingId: i.meetingId,
  inviteeId: i.inviteeId,
  principal: i.principal,
  organisationId: i.organisationId,
  organisationType: i.organisationType,
  channel: 'phone',
  ...(i.phone !== undefined ? { phone: i.phone } : {}),
  hasOngoingIntervention: i.hasOngoingIntervention ?? false,
  status: i.status === 'cancelled' ? 'cancelled' : 'to-call',
  action: i.action,
  sequence: i.sequence,
});
