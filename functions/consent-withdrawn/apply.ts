/** se.sip.consent.withdrawn.v1: withdrawal by whoever gave the consent (rules: functions/core/consent.ts). */
import { consentWithdrawnContract } from '../../events/contracts/consent.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createConsentWithdrawnHandler = caseConsumer(consentWithdrawnContract);
