/**
 * se.sip.followup.due.v1, published by upstream or by our own daily sweep: remind everyone once per
 * follow-up (rules: functions/core/lifecycle.ts).
 */
import { followupDueContract } from '../../events/contracts/followup-due.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createFollowupDueHandler = caseConsumer(followupDueContract);
