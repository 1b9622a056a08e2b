/**
 * The event types, in a module without zod: a function that only names a type (the outbox, the
 * lifecycle rules, the invitation page before a POST) does not build the envelope's schemas at
 * cold start (common.ts builds them at import).
 */
export const eventTypes = {
  caseCreated: 'se.sip.case.created.v1',
  consentRegistered: 'se.sip.consent.registered.v1',
  consentWithdrawn: 'se.sip.consent.withdrawn.v1',
  summonsSent: 'se.sip.summons.sent.v1',
  followupDue: 'se.sip.followup.due.v1',
  planEstablished: 'se.sip.plan.established.v1',
  invitationResponded: 'se.sip.invitation.responded.v1',
  caseClosed: 'se.sip.case.closed.v1',
  caseProtectionChanged: 'se.sip.case.protection.changed.v1',
  phoneTaskCompleted: 'se.sip.phone-task.completed.v1',
  /** Internal command on the mail queue, published only by this system's consumers. */
  invitationMail: 'se.sip.invitation.mail.v1',
  /** Internal: the daily sweep's visit of a case with something due, on its own queue. */
  sweepVisit: 'se.sip.sweep.v1',
} as const;
export type EventType = (typeof eventTypes)[keyof typeof eventTypes];
