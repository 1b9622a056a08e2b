/** se.sip.case.created.v1: parse (done by the consumer) → decide (core) → persist. */
import { type CaseCreated, caseCreatedContract } from '../../events/contracts/case-created.ts';
import type { CaseStore } from '../adapters/case-store.ts';
import { decideCaseCreated } from '../core/case.ts';
import type { County } from '../core/county.ts';
import { createSqsHandler, type Outcome } from '../runtime/consumer.ts';

export interface CaseCreatedDeps {
  county: County;
  store: Pick<CaseStore, 'createCase'>;
  now: () => Date;
}

export const applyCaseCreated = async (event: CaseCreated, deps: CaseCreatedDeps): Promise<Outcome> => {
  const decision = decideCaseCreated(deps.county, event);
  if (decision.kind === 'reject') return { kind: 'rejected', reason: decision.reason };

  const result = await deps.store.createCase(
    decision.value.case,
    decision.value.history,
    deps.now().toISOString(),
  );
  switch (result.kind) {
    case 'created':
      return { kind: 'applied' };
    case 'duplicate':
      return { kind: 'duplicate' };
    case 'exists':
      return {
        kind: 'rejected',
        reason: `case ${event.subject} already exists (created by event ${result.createdByEventId}); a case is created once`,
      };
  }
};

/** The SQS handler with its dependencies injected: handler.ts wires production ones, tests their own. */
export const createCaseCreatedHandler = (deps: CaseCreatedDeps & { store: CaseStore }) =>
  createSqsHandler({
    eventType: caseCreatedContract.type,
    schema: caseCreatedContract.schema,
    store: deps.store,
    now: deps.now,
    apply: (event) => applyCaseCreated(event, deps),
  });
