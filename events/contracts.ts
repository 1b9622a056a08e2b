/**
 * The public event contracts: CloudEvents 1.0 structured-mode JSON, one zod schema per type.
 *
 * `zod/mini` keeps every handler bundle small (the classic API bundles to ~440 KB); English
 * messages are loaded explicitly so a rejection reason is something a person can act on.
 * Each type's contract lives in its own module under `contracts/`, so a function imports (and
 * builds) only the schema it parses; this module gathers them all for tools, docs and tests.
 * The JSON Schema files and the AsyncAPI document in this folder are generated from here
 * (`npm run gen:contracts`); a contract test fails when they are stale.
 */
import { type CaseClosed, caseClosedContract } from './contracts/case-closed.ts';
import { type CaseCreated, caseCreatedContract } from './contracts/case-created.ts';
import {
  type CaseProtectionChanged,
  caseProtectionChangedContract,
} from './contracts/case-protection-changed.ts';
import { type EventType, isKnownType } from './contracts/common.ts';
import {
  type ConsentRegistered,
  type ConsentWithdrawn,
  consentRegisteredContract,
  consentWithdrawnContract,
} from './contracts/consent.ts';
import { type FollowupDue, followupDueContract } from './contracts/followup-due.ts';
import { type InvitationMail, invitationMailContract } from './contracts/invitation-mail.ts';
import { type InvitationResponded, invitationRespondedContract } from './contracts/invitation-responded.ts';
import { type PhoneTaskCompleted, phoneTaskCompletedContract } from './contracts/phone-task-completed.ts';
import { type PlanEstablished, planEstablishedContract } from './contracts/plan-established.ts';
import { type SummonsSent, summonsSentContract } from './contracts/summons-sent.ts';
import { type SweepVisit, sweepVisitContract } from './contracts/sweep-visit.ts';
import { type ParseResult, parseEventWith } from './parse.ts';

export * from './contracts/case-closed.ts';
export * from './contracts/case-created.ts';
export * from './contracts/case-protection-changed.ts';
export * from './contracts/common.ts';
export * from './contracts/consent.ts';
export * from './contracts/followup-due.ts';
export * from './contracts/invitation-mail.ts';
export * from './contracts/invitation-responded.ts';
export * from './contracts/phone-task-completed.ts';
export * from './contracts/plan-established.ts';
export * from './contracts/summons-sent.ts';
export * from './contracts/sweep-visit.ts';

const all = [
  caseCreatedContract,
  consentRegisteredContract,
  consentWithdrawnContract,
  summonsSentContract,
  followupDueContract,
  planEstablishedContract,
  invitationRespondedContract,
  caseClosedContract,
  caseProtectionChangedContract,
  phoneTaskCompletedContract,
  invitationMailContract,
  sweepVisitContract,
] as const;

type Schemas = { [C in (typeof all)[number] as C['type']]: C['schema'] };
export const schemas = Object.fromEntries(all.map((c) => [c.type, c.schema])) as Schemas;

export interface EventByType {
  'se.sip.case.created.v1': CaseCreated;
  'se.sip.consent.registered.v1': ConsentRegistered;
  'se.sip.consent.withdrawn.v1': ConsentWithdrawn;
  'se.sip.summons.sent.v1': SummonsSent;
  'se.sip.followup.due.v1': FollowupDue;
  'se.sip.invitation.mail.v1': InvitationMail;
  'se.sip.case.protection.changed.v1': CaseProtectionChanged;
  'se.sip.plan.established.v1': PlanEstablished;
  'se.sip.invitation.responded.v1': InvitationResponded;
  'se.sip.case.closed.v1': CaseClosed;
  'se.sip.phone-task.completed.v1': PhoneTaskCompleted;
  'se.sip.sweep.v1': SweepVisit;
}

/** Parses a message as an event of `expectedType` with that type's schema (tools and tests). */
export const parseEvent = <T extends EventType>(
  body: string,
  expectedType: T,
): ParseResult<EventByType[T]> =>
  isKnownType(expectedType)
    ? parseEventWith(body, expectedType, schemas[expectedType] as never)
    : { ok: false, reason: `unknown event type "${expectedType}"` };
