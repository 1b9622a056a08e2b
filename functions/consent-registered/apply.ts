/** se.sip.consent.registered.v1: one party's (or several parties') consent or refusal (rules: functions/core/consent.ts). */
import { consentRegisteredContract } from '../../events/contracts/consent.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createConsentRegisteredHandler = caseConsumer(consentRegisteredContract);
