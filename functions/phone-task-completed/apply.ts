/** se.sip.phone-task.completed.v1: the coordinator's system reports a call on the phone-only path (rules: functions/core/lifecycle.ts). */
import { phoneTaskCompletedContract } from '../../events/contracts/phone-task-completed.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createPhoneTaskCompletedHandler = caseConsumer(phoneTaskCompletedContract);
