/** A consumer for an event of a case: the shared SQS runtime around the one read → fold → commit path. */
import type * as z from 'zod/mini';
import type { EventByType, EventType } from '../../events/contracts.ts';
import type { Contract } from '../../events/contracts/common.ts';
import { type Sanitized, sanitizeEvent } from '../core/protected.ts';
import { FoldMemo } from '../core/fold.ts';
import { applyEvent } from './apply-event.ts';
import { createSqsHandler } from './consumer.ts';
import type { ConsumerDeps } from './deps.ts';

/**
 * The module's memory of its last folds: a Lambda container keeps it between invocations (one
 * function, one consumer). The simulation runs every consumer in one process, so there they share
 * it; it changes how much a fold costs, never what it gives (functions/core/fold.ts).
 */
const foldMemo = new FoldMemo();

export const caseConsumer =
  <T extends EventType>(
    contract: Contract<T, z.ZodMiniType<EventByType[T]>>,
    /** For a type whose events can say the case is protected: the sanitised event when it does. */
    protect?: (event: EventByType[T]) => Sanitized<EventByType[T]> | null,
  ) =>
  (deps: ConsumerDeps) => {
    return createSqsHandler({
      eventType: contract.type,
      schema: contract.schema,
      store: deps.store,
      now: deps.now,
      requeue: deps.requeue,
      park: deps.park,
      protect,
      sanitize: (event) => sanitizeEvent(event),
      orderingWaitSeconds: deps.orderingWaitSeconds,
      apply: (event, ctx) => applyEvent({ ...deps, foldMemo }, event, ctx),
    });
  };
