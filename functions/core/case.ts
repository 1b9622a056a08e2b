/**
 * Rules that apply when a SIP case is created (domain.md, "The process", step 1).
 * Pure: no I/O. The handler persists what these functions decide.
 */
import type { CaseCreated } from '../../events/contracts.ts';
import { type CaseState, rejected, type Step, type StepResult } from './case-state.ts';
import type { County } from './county.ts';
import { addDays, stockholmDate } from './dates.ts';
import { protectState } from './protected.ts';
import { isNewer, type Version, versionOf } from './version.ts';

/** The case's life (docs/state-machine.md). Consent and summons add their transitions later. */
export type CaseStatus = 'awaiting-consent' | 'consented' | 'summoned' | 'plan-active' | 'closed' | 'stopped';

export interface CaseRecord {
  caseId: string;
  county: string;
  status: CaseStatus;
  /** Optimistic concurrency: kept by the store, not by the rules (they leave it 0). */
  version: number;
  /**
   * The last outbound event's sequence (issue 14): kept by the store like `version`; the rules
   * carry it over from the case they read (functions/runtime/apply-event.ts).
   */
  outboundSeq?: number;
  ageGroup: CaseCreated['data']['ageGroup'];
  /** Set by any event that says so; never cleared by one (seed 004). */
  protectedIdentity: boolean;
  initiator: CaseCreated['data']['initiator'];
  needDiscoveredOn: string;
  /** The county's recommended latest meeting day, where the county sets one. */
  meetingDueBy: string | null;
  /** The earliest creation event's time and id. */
  createdAt: string;
  createdByEventId: string;
  /** The version of the case details shown (the newest case.created). */
  detailsVersion: Version;
  /** Status of the consent the case relies on (activeConsentId); absent until one is registered. */
  consentStatus?: 'partial' | 'complete' | 'refused' | 'withdrawn' | 'expired';
  activeConsentId?: string;
  /** Why a stopped case stopped. */
  stopReason?: 'consent-refused' | 'consent-withdrawn';
  updatedAt?: string;
  /** The plan in force (the newest plan.established) and its version. */
  planId?: string;
  planVersion?: Version;
  coordinator?: {
    principal: string;
    organisationType: string;
    unitId: string;
    email?: string;
    phone?: string;
  };
  /** Set when the case closes (step 7), with the closing event's version. */
  closeReason?: string;
  closedVersion?: Version;
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

const SCHOOL_TYPES = new Set(['school', 'preschool']);

/** The event must be for the county this stack serves; a county's data never mixes with another's. */
export const checkCounty = (county: County, eventCounty: string): string | null =>
  eventCounty === county.id
    ? null
    : `the event is for county "${eventCounty}" but this stack serves "${county.id}"; publish it to that county's queues`;

/** A step for an event of the county this stack serves, or its rejection. */
export const inCounty = (county: County, eventCounty: string, then: () => StepResult): StepResult => {
  const wrong = checkCounty(county, eventCounty);
  return wrong ? rejected(wrong) : then();
};

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

/**
 * A case is created once; a later case.created for the same case id is a newer version of its
 * details (a correction) and replaces them, an older one changes nothing. Protection, once set by
 * any version, stays (seed 004).
 */
export const applyCaseCreated: Step<CaseCreated['data']> = (county, state, event) => {
  const d = event.data;
  const problem =
    checkCounty(county, d.county) ??
    checkInitiatorMayInitiate(county, d.initiator) ??
    checkNeedDiscoveredNotInFuture(d.needDiscoveredOn, event.time);
  if (problem) return rejected(problem);
  const existing = state.case;
  const details = {
    ageGroup: d.ageGroup,
    initiator: d.initiator,
    needDiscoveredOn: d.needDiscoveredOn,
    meetingDueBy: meetingDueBy(county, d.needDiscoveredOn),
    detailsVersion: event.version,
  };
  const earliest =
    !existing || event.version < versionOf({ time: existing.createdAt, id: existing.createdByEventId });
  const record: CaseRecord = existing
    ? {
        ...existing,
        ...(isNewer(event.version, existing.detailsVersion) ? details : {}),
        protectedIdentity: existing.protectedIdentity || d.protectedIdentity,
        ...(earliest ? { createdAt: event.time, createdByEventId: event.id } : {}),
      }
    : {
        caseId: event.subject,
        county: county.id,
        status: 'awaiting-consent',
        version: 0,
        protectedIdentity: d.protectedIdentity,
        createdAt: event.time,
        createdByEventId: event.id,
        ...details,
      };
  const next: CaseState = { ...state, case: record };
  const becameProtected = record.protectedIdentity && !existing?.protectedIdentity;
  return {
    kind: 'applied',
    state: becameProtected ? protectState(next) : next,
    summary: existing
      ? isNewer(event.version, existing.detailsVersion)
        ? 'case details updated by a newer case.created'
        : 'an older version of the case details; nothing changed'
      : `case created by ${d.initiator.principal}/${d.initiator.organisationType}; awaiting consent`,
  };
};

/**
 * How far a case that is not stopped or closed has come: a plan makes it plan-active, a SIP
 * meeting summoned, a complete consent consented.
 */
export const progressStatus = (state: CaseState): CaseStatus => {
  const c = state.case;
  if (c?.planId) return 'plan-active';
  if ([...state.meetings.values()].some((m) => (m.kind ?? 'sip') === 'sip')) return 'summoned';
  return c?.consentStatus === 'complete' ? 'consented' : 'awaiting-consent';
};
