/** A consumer for an event of a case: the shared SQS runtime around the one read → fold → commit path. */
import type * as z from 'zod/mini';
import type { EventByType, EventType } from '../../events/contracts.ts';
import type { Contract } from '../../events/contracts/common.ts';
import { type Sanitized, sanitizeEvent } from '../core/protected.ts';
import { FoldMemo } from '../core/fold.ts';
import { applyEvent, stillWaiting } from './apply-event.ts';
import {
  createSqsHandler,
  DEFAULT_ORDERING_WAIT_SECONDS,
  FIRST_SEEN,
  LAST_SEEN,
  numberAttribute,
  type StillWaiting,
  WAIT_CASE,
  WAIT_EVENT,
  WAIT_KEY,
  WAIT_REASON,
} from './consumer.ts';
import type { ConsumerDeps } from './deps.ts';
import type { SQSRecord } from 'aws-lambda';
import { containsPersonalNumber, isOpaqueId } from '../../events/contracts/common.ts';

/**
 * What a copy that waited carries, if it may look again without being parsed: only while its wait
 * lasts (how a wait ends is the whole path's to decide), and with ids its contract allows (they
 * are logged). Its body was parsed, checked and, for a protected case, sanitised when it first
 * waited; it goes back as it came.
 */
const waitingCopy = (record: SQSRecord, now: number, maxWaitSeconds = DEFAULT_ORDERING_WAIT_SECONDS) => {
  const attribute = (name: string) => record.messageAttributes?.[name]?.stringValue ?? '';
  const [key, reason, caseId, eventId] = [WAIT_KEY, WAIT_REASON, WAIT_CASE, WAIT_EVENT].map(attribute);
  const first = numberAttribute(record, FIRST_SEEN) ?? 0;
  const lookedAt = numberAttribute(record, LAST_SEEN) ?? 0;
  return key &&
    reason &&
    eventId &&
    eventId.length <= 128 &&
    isOpaqueId(caseId ?? '') &&
    !containsPersonalNumber(eventId) &&
    now - first < maxWaitSeconds * 1000 &&
    now - lookedAt <= maxWaitSeconds * 1000
    ? ({ key, reason, caseId, eventId, lookedAt } as StillWaiting & { lookedAt: number })
    : undefined;
};

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
      stillWaiting: async (record) => {
        const copy = waitingCopy(record, (deps.now?.() ?? new Date()).getTime(), deps.orderingWaitSeconds);
        return copy && (await stillWaiting(deps, copy.caseId, copy)) ? copy : undefined;
      },
    });
  };
