/** se.sip.case.closed.v1: closed with a reason of seed 002; everyone is told (rules: functions/core/lifecycle.ts). */
import { caseClosedContract } from '../../events/contracts/case-closed.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createCaseClosedHandler = caseConsumer(caseClosedContract);
