/** se.sip.consent.registered.v1: one party's (or several parties') consent or refusal. */
import { decideConsentRegistered } from '../core/consent.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createConsentRegisteredHandler = caseConsumer(
  'se.sip.consent.registered.v1',
  (county, loaded, event) => {
    const decision = decideConsentRegistered(
      county,
      loaded.case,
      loaded.consents.get(event.data.consentId),
      event,
    );
    if (decision.kind === 'reject') return decision;
    return {
      kind: 'apply',
      case: { ...loaded.case, ...decision.caseChange, stopReason: decision.caseChange.stopReason },
      consents: [decision.consent],
      summary: decision.summary,
    };
  },
);
