/** se.sip.summons.sent.v1: checked against the county's rules, then one invitation per invitee. */
import { decideSummons } from '../core/summons.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createSummonsSentHandler = caseConsumer('se.sip.summons.sent.v1', (county, loaded, event) => {
  const c = loaded.case;
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
  if (decision.kind !== 'apply') return decision;
  return {
    kind: 'apply',
    case: decision.case,
    meetings: [decision.meeting],
    invitations: decision.invitations,
    warnings: decision.warnings,
    summary: decision.summary,
  };
});
