/** se.sip.summons.sent.v1: checked against the county's rules, then one invitation per invitee. */
import { summonsSentContract } from '../../events/contracts/summons-sent.ts';
import { sanitizeSummons } from '../core/protected.ts';
import { decideSummons } from '../core/summons.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createSummonsSentHandler = caseConsumer(
  summonsSentContract,
  (county, loaded, incoming) => {
    const c = loaded.case;
    // An event not flagged protected for a case that is: sanitised here, before anything is stored.
    const { event, dropped } = c.protectedIdentity
      ? sanitizeSummons(incoming)
      : { event: incoming, dropped: [] };
    const consent = c.activeConsentId ? loaded.consents.get(c.activeConsentId) : undefined;
    const meetingId = event.data.meetingId;
    const decision = decideSummons(
      county,
      c,
      consent,
      {
        meeting: loaded.meetings.get(meetingId),
        invitations: loaded.invitations.filter((i) => i.meetingId === meetingId),
      },
      event,
    );
    if (decision.kind === 'wait' && c.protectedIdentity) return { ...decision, replaceWith: event };
    if (decision.kind !== 'apply') return decision;
    return {
      kind: 'apply',
      case: decision.case,
      meetings: [decision.meeting],
      invitations: decision.invitations,
      warnings: decision.warnings,
      deviations: dropped,
      summary: decision.summary,
    };
  },
  // Flagged protected by upstream: sanitised as it arrives, before any write, log or retry.
  (event) => (event.data.protectedIdentity ? sanitizeSummons(event) : null),
);
