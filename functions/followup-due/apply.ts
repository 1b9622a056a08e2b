/**
 * se.sip.followup.due.v1, published by upstream or by our own daily sweep: remind everyone once per
 * follow-up, and warn when consent lapses before it.
 */
import { followupDueContract } from '../../events/contracts/followup-due.ts';
import { decideFollowUp } from '../core/lifecycle.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createFollowupDueHandler = caseConsumer(followupDueContract, (_county, loaded, event) =>
  decideFollowUp(loaded.case, loaded, loaded.due, event),
);
