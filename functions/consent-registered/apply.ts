/** se.sip.consent.registered.v1: one party's (or several parties') consent or refusal. */
import { consentRegisteredContract } from '../../events/contracts/consent.ts';
import { decideConsentRegistered } from '../core/consent.ts';
import { consentDueMarkers } from '../core/lifecycle.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createConsentRegisteredHandler = caseConsumer(
  consentRegisteredContract,
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
      // Once complete, the daily sweep reminds before it lapses and marks it expired after.
      dueMarkers: decision.consent.status === 'complete' ? consentDueMarkers(county, decision.consent) : [],
      summary: decision.summary,
    };
  },
);
