/**
 * The shared shape of every SQS consumer: Powertools batch processing (partial batch responses),
 * per-record parsing against the queue's contract, and the three outcomes of a record:
 *   applied (or a duplicate of an applied event) → acknowledged;
 *   rejected → a stored, readable reason, acknowledged (never retried, never lost);
 *   anything thrown → a batch item failure: SQS redelivers it and parks it in the DLQ after
 *   maxReceiveCount.
 */
import {
  EventType as BatchEventType,
  BatchProcessor,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { EventByType, EventType } from '../../events/contracts.ts';
import { parseEvent } from '../../events/parse.ts';
import type { Requeue } from '../adapters/requeue.ts';
import type { CaseStore } from '../adapters/case-store.ts';
import { createMetrics, logger, MetricUnit } from './observability.ts';

export type Outcome =
  | { kind: 'applied'; warnings?: string[] }
  | { kind: 'duplicate' }
  | { kind: 'rejected'; reason: string }
  /** A prerequisite event has not arrived yet: wait (bounded), then apply or reject. */
  | { kind: 'deferred'; reason: string };

/** How long an event waits for its prerequisite by default (issue: 15 minutes). */
export const DEFAULT_ORDERING_WAIT_SECONDS = 900;
const FIRST_SEEN = 'sipFirstSeen';
const DEFERRALS = 'sipDeferrals';

export interface RecordContext {
  messageId: string;
  receiveCount: number;
}

/** What a consumer's parser yields: the message, with the ids a rejection or log line may name. */
export type Parsed<M> =
  { ok: true; event: M } | { ok: false; reason: string; eventId?: string; caseId?: string };

export interface ConsumerDefinition<
  T extends EventType,
  M extends { id: string; subject: string } = EventByType[T],
> {
  eventType: T | string;
  /** Defaults to the CloudEvents contract of `eventType`. */
  parse?: (body: string) => Parsed<M>;
  store: Pick<CaseStore, 'recordRejection'>;
  apply: (event: M, ctx: RecordContext) => Promise<Outcome>;
  now?: () => Date;
  /** Where a deferred event is put back; without it, a deferred event is rejected at once. */
  requeue?: Requeue;
  /** How long an event may wait for its prerequisite before it is rejected. */
  orderingWaitSeconds?: number;
}

const sentDay = (record: SQSRecord, now: Date): string => {
  const sent = Number(record.attributes?.SentTimestamp);
  return (Number.isFinite(sent) && sent > 0 ? new Date(sent) : now).toISOString().slice(0, 10);
};

export const createSqsHandler = <
  T extends EventType,
  M extends { id: string; subject: string } = EventByType[T],
>(
  def: ConsumerDefinition<T, M>,
) => {
  const parse = def.parse ?? ((body: string) => parseEvent(body, def.eventType as T) as Parsed<M>);
  const now = def.now ?? (() => new Date());
  const processor = new BatchProcessor(BatchEventType.SQS);
  // One Metrics per handler (a Lambda has one), so the eventType dimension is fixed at init.
  const metrics = createMetrics({ eventType: def.eventType });

  const reject = async (record: SQSRecord, reason: string, ids: { eventId?: string; caseId?: string }) => {
    await def.store.recordRejection({
      messageId: record.messageId,
      day: sentDay(record, now()),
      queueEventType: def.eventType,
      reason,
      rejectedAt: now().toISOString(),
      ...ids,
    });
    metrics.addMetric('RejectedEvents', MetricUnit.Count, 1);
    logger.warn('event rejected', { outcome: 'rejected', messageId: record.messageId, ...ids, reason });
  };

  /**
   * Ordering without the DLQ: a copy goes back on the queue with a growing delay (SQS allows up to
   * 15 minutes) and the original is acknowledged, so waiting never uses up maxReceiveCount. The
   * first-seen time travels with the copy; once the wait is over, the event is rejected.
   */
  const defer = async (record: SQSRecord, reason: string, ids: { eventId: string; caseId: string }) => {
    const maxWait = def.orderingWaitSeconds ?? DEFAULT_ORDERING_WAIT_SECONDS;
    const firstSeen = Number(
      record.messageAttributes?.[FIRST_SEEN]?.stringValue ?? record.attributes?.SentTimestamp,
    );
    const deferrals = Number(record.messageAttributes?.[DEFERRALS]?.stringValue ?? 0);
    const waited = (now().getTime() - (Number.isFinite(firstSeen) ? firstSeen : now().getTime())) / 1000;
    if (!def.requeue || waited >= maxWait) {
      await reject(
        record,
        `${reason}; gave up after waiting ${Math.round(waited)} s (at most ${maxWait} s) for it`,
        ids,
      );
      return;
    }
    const delay = Math.max(1, Math.min(2 ** deferrals, 60, Math.ceil(maxWait - waited)));
    await def.requeue.send(record.body, delay, {
      [FIRST_SEEN]: String(Number.isFinite(firstSeen) ? firstSeen : now().getTime()),
      [DEFERRALS]: String(deferrals + 1),
    });
    metrics.addMetric('DeferredEvents', MetricUnit.Count, 1);
    logger.info('event deferred', {
      outcome: 'deferred',
      messageId: record.messageId,
      ...ids,
      reason,
      delaySeconds: delay,
    });
  };

  const processRecord = async (record: SQSRecord): Promise<void> => {
    const parsed = parse(record.body);
    if (!parsed.ok) {
      await reject(record, parsed.reason, { eventId: parsed.eventId, caseId: parsed.caseId });
      return;
    }
    const { id: eventId, subject: caseId } = parsed.event;
    const outcome = await def.apply(parsed.event, {
      messageId: record.messageId,
      receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
    });
    if (outcome.kind === 'rejected') {
      await reject(record, outcome.reason, { eventId, caseId });
      return;
    }
    if (outcome.kind === 'deferred') {
      await defer(record, outcome.reason, { eventId, caseId });
      return;
    }
    metrics.addMetric(outcome.kind === 'applied' ? 'EventsApplied' : 'DuplicateEvents', MetricUnit.Count, 1);
    if (outcome.kind === 'applied' && outcome.warnings?.length) {
      // Rule names only: a warning never carries free text from the event.
      metrics.addMetric('RuleWarnings', MetricUnit.Count, outcome.warnings.length);
    }
    logger.info(`event ${outcome.kind}`, {
      outcome: outcome.kind,
      messageId: record.messageId,
      eventId,
      caseId,
    });
  };

  const recordHandler = async (record: SQSRecord): Promise<void> => {
    try {
      await processRecord(record);
    } catch (error) {
      // The error's name and message only: an SDK error never carries the payload.
      metrics.addMetric('RetriedEvents', MetricUnit.Count, 1);
      logger.error('event failed; SQS will redeliver it', {
        outcome: 'retry',
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error: (error as Error).name,
        errorMessage: (error as Error).message,
      });
      throw error;
    }
  };

  const handle = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    return processPartialResponse(event, recordHandler, processor, { context });
  };

  return middy(handle)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
};
