/** se.sip.case.created.v1: a need for coordination was discovered (rules: functions/core/case.ts). */
import { caseCreatedContract } from '../../events/contracts/case-created.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createCaseCreatedHandler = caseConsumer(caseCreatedContract);
