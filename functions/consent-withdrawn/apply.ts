/** se.sip.consent.withdrawn.v1: withdrawal by whoever gave the consent; the case stops at once. */
import { consentWithdrawnContract } from '../../events/contracts/consent.ts';
import { decideConsentWithdrawn } from '../core/consent.ts';
import { stockholmDate } from '../core/dates.ts';
import { cancelMeetings } from '../core/meeting.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createConsentWithdrawnHandler = caseConsumer(
  consentWithdrawnContract,
  (_county, loaded, event) => {
    const consent = loaded.consents.get(event.data.consentId);
    if (!consent)
      return { kind: 'wait', reason: `consent ${event.data.consentId} has not been registered yet` };
    const decision = decideConsentWithdrawn(loaded.case, consent, event);
    if (decision.kind === 'reject') return decision;
    const stops = decision.caseChange.status === 'stopped' && loaded.case.status !== 'stopped';
    // Without consent nothing may be shared: every scheduled meeting is cancelled (METHOD:CANCEL).
    const cancelled = stops
      ? cancelMeetings(loaded.meetings.values(), loaded.invitations, stockholmDate(new Date(event.time)))
      : { meetings: [], invitations: [] };
    return {
      kind: 'apply',
      case: {
        ...loaded.case,
        ...decision.caseChange,
        stopReason: decision.caseChange.stopReason ?? loaded.case.stopReason,
      },
      consents: [decision.consent],
      meetings: cancelled.meetings,
      invitations: cancelled.invitations,
      // A stopped case gets no more reminders.
      removeDue: stops ? loaded.due : [],
      summary: `${decision.summary}${cancelled.meetings.length ? `; ${cancelled.meetings.length} meeting(s) cancelled` : ''}`,
    };
  },
);
