/** se.sip.summons.sent.v1: checked against the county's rules, then one invitation per invitee (rules: functions/core/summons.ts). */
import { summonsSentContract } from '../../events/contracts/summons-sent.ts';
import { sanitizeSummons } from '../core/protected.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createSummonsSentHandler = caseConsumer(
  summonsSentContract,
  // Flagged protected by upstream: sanitised as it arrives, before any write, log or retry.
  (event) => (event.data.protectedIdentity ? sanitizeSummons(event) : null),
);
