/** A consumer for an event of a case: the shared SQS runtime around the one read → fold → commit path. */
import type * as z from 'zod/mini';
import type { EventByType, EventType } from '../../events/contracts.ts';
import type { Contract } from '../../events/contracts/common.ts';
import { type Sanitized, sanitizeEvent } from '../core/protected.ts';
import { FoldMemo } from '../core/fold.ts';
import { applyEvent } from './apply-event.ts';
import { createSqsHandler } from './consumer.ts';
import type { ConsumerDeps } from './deps.ts';

export const caseConsumer =
  <T extends EventType>(
    contract: Contract<T, z.ZodMiniType<EventByType[T]>>,
    /** For a type whose events can say the case is protected: the sanitised event when it does. */
    protect?: (event: EventByType[T]) => Sanitized<EventByType[T]> | null,
  ) =>
  (deps: ConsumerDeps) => {
    // The handler's memory of its last folds, kept between invocations as long as the container
    // lives (functions/core/fold.ts). One per handler, not per module: a memo knows a case by its
    // id, and only one table's ids are unique (the simulation builds a world, and handlers, per
    // schedule; a module-level memo carried one world's folds into the next: a reviewer's find).
    const foldMemo = new FoldMemo();
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
