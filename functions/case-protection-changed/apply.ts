/**
 * se.sip.case.protection.changed.v1: a case flagged after creation moves to the phone-only path
 * (rules: functions/core/lifecycle.ts; what is kept: functions/core/protected.ts).
 */
import { caseProtectionChangedContract } from '../../events/contracts/case-protection-changed.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createCaseProtectionChangedHandler = caseConsumer(caseProtectionChangedContract);
