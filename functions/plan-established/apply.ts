/** se.sip.plan.established.v1: the meeting was held and the plan set (rules: functions/core/lifecycle.ts). */
import { planEstablishedContract } from '../../events/contracts/plan-established.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createPlanEstablishedHandler = caseConsumer(planEstablishedContract);
