/**
 * Rules that apply when a SIP case is created (domain.md, "The process", step 1).
 * Pure: no I/O. The handler persists what these functions decide.
 */
import type { CaseCreated } from '../../events/contracts.ts';
import type { County } from './county.ts';
import { addDays, stockholmDate } from './dates.ts';

/** The case's life (docs/state-machine.md). Consent and summons add their transitions later. */
export type CaseStatus = 'awaiting-consent' | 'consented' | 'summoned' | 'plan-active' | 'closed' | 'stopped';

export interface CaseRecord {
  caseId: string;
  county: string;
  status: CaseStatus;
  version: number;
  ageGroup: CaseCreated['data']['ageGroup'];
  protectedIdentity: boolean;
  initiator: CaseCreated['data']['initiator'];
  needDiscoveredOn: string;
  /** The county's recommended latest meeting day, where the county sets one. */
  meetingDueBy: string | null;
  createdAt: string;
  createdByEventId: string;
  /** Status of the consent the case relies on (activeConsentId); absent until one is registered. */
  consentStatus?: 'partial' | 'complete' | 'refused' | 'withdrawn' | 'expired';
  activeConsentId?: string;
  /** Why a stopped case stopped. */
  stopReason?: 'consent-refused' | 'consent-withdrawn';
  updatedAt?: string;
  /** Set by the plan (step 5). */
  planId?: string;
  coordinator?: {
    principal: string;
    organisationType: string;
    unitId: string;
    email?: string;
    phone?: string;
  };
  /** Set when the case closes (step 7). */
  closeReason?: string;
}

export interface HistoryEntry {
  caseId: string;
  eventId: string;
  eventType: string;
  /** The event's own time upstream. */
  occurredAt: string;
  /** A short, payload-free account of what changed. */
  summary: string;
}

export type Decision<T> = { kind: 'apply'; value: T } | { kind: 'reject'; reason: string };

const reject = (reason: string): { kind: 'reject'; reason: string } => ({ kind: 'reject', reason });

const SCHOOL_TYPES = new Set(['school', 'preschool']);

/** The event must be for the county this stack serves; a county's data never mixes with another's. */
export const checkCounty = (county: County, eventCounty: string): string | null =>
  eventCounty === county.id
    ? null
    : `the event is for county "${eventCounty}" but this stack serves "${county.id}"; publish it to that county's queues`;

/** Gävleborg, Halland and Haninge let schools initiate; Värmland does not (seeds 000–004). */
export const checkInitiatorMayInitiate = (
  county: County,
  initiator: CaseCreated['data']['initiator'],
): string | null =>
  SCHOOL_TYPES.has(initiator.organisationType) && !county.rules.schoolsMayInitiate
    ? `in ${county.displayName} a ${initiator.organisationType} may not initiate a SIP (seed ${county.rules.seed}); health care or social services initiate`
    : null;

/** A need cannot be discovered after the event reporting it was published. */
export const checkNeedDiscoveredNotInFuture = (needDiscoveredOn: string, eventTime: string): string | null =>
  needDiscoveredOn > stockholmDate(new Date(eventTime))
    ? 'needDiscoveredOn is after the event time; the need must already have been discovered'
    : null;

/** Halland: within 30 days of the need (seed 002); Gävleborg: within three weeks (seed 000). */
export const meetingDueBy = (county: County, needDiscoveredOn: string): string | null =>
  county.rules.meetingDeadlineDays === null
    ? null
    : addDays(needDiscoveredOn, county.rules.meetingDeadlineDays);

export const decideCaseCreated = (
  county: County,
  event: CaseCreated,
): Decision<{ case: CaseRecord; history: HistoryEntry }> => {
  const problem =
    checkCounty(county, event.data.county) ??
    checkInitiatorMayInitiate(county, event.data.initiator) ??
    checkNeedDiscoveredNotInFuture(event.data.needDiscoveredOn, event.time);
  if (problem) return reject(problem);

  const record: CaseRecord = {
    caseId: event.subject,
    county: county.id,
    status: 'awaiting-consent',
    version: 1,
    ageGroup: event.data.ageGroup,
    protectedIdentity: event.data.protectedIdentity,
    initiator: event.data.initiator,
    needDiscoveredOn: event.data.needDiscoveredOn,
    meetingDueBy: meetingDueBy(county, event.data.needDiscoveredOn),
    createdAt: event.time,
    createdByEventId: event.id,
  };
  return {
    kind: 'apply',
    value: {
      case: record,
      history: {
        caseId: record.caseId,
        eventId: event.id,
        eventType: event.type,
        occurredAt: event.time,
        summary: `case created by ${event.data.initiator.principal}/${event.data.initiator.organisationType}; awaiting consent`,
      },
    },
  };
};
