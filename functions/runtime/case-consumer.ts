/** A consumer for an event that changes an existing case: county check, then read → decide → commit. */
import type * as z from 'zod/mini';
import type { EventByType, EventType } from '../../events/contracts.ts';
import type { Contract } from '../../events/contracts/common.ts';
import type { LoadedCase } from '../adapters/case-store.ts';
import { checkCounty } from '../core/case.ts';
import type { CaseRecord } from '../core/case.ts';
import type { County } from '../core/county.ts';
import type { Sanitized } from '../core/protected.ts';
import { applyToCase, type CaseDecision } from './apply-to-case.ts';
import { createSqsHandler } from './consumer.ts';
import type { ConsumerDeps } from './deps.ts';

export type CaseRule<T extends EventType> = (
  county: County,
  loaded: LoadedCase & { case: CaseRecord },
  event: EventByType[T],
) => CaseDecision;

export const caseConsumer =
  <T extends EventType>(
    contract: Contract<T, z.ZodMiniType<EventByType[T]>>,
    rule: CaseRule<T>,
    protect?: (event: EventByType[T]) => Sanitized<EventByType[T]> | null,
  ) =>
  (deps: ConsumerDeps) =>
    createSqsHandler({
      eventType: contract.type,
      schema: contract.schema,
      store: deps.store,
      now: deps.now,
      requeue: deps.requeue,
      park: deps.park,
      protect,
      orderingWaitSeconds: deps.orderingWaitSeconds,
      apply: async (event) => {
        const wrongCounty = checkCounty(deps.county, (event.data as { county: string }).county);
        if (wrongCounty) return { kind: 'rejected', reason: wrongCounty };
        return applyToCase(
          deps.store,
          event,
          (loaded) => rule(deps.county, loaded, event),
          deps.now,
          deps.outbox,
        );
      },
    });
