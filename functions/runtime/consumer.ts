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
import type { CaseStore } from '../adapters/case-store.ts';
import { logger, MetricUnit, metrics } from './observability.ts';

export type Outcome = { kind: 'applied' } | { kind: 'duplicate' } | { kind: 'rejected'; reason: string };

export interface RecordContext {
  messageId: string;
  receiveCount: number;
}

export interface ConsumerDefinition<T extends EventType> {
  eventType: T;
  store: Pick<CaseStore, 'recordRejection'>;
  apply: (event: EventByType[T], ctx: RecordContext) => Promise<Outcome>;
  now?: () => Date;
}

const sentDay = (record: SQSRecord, now: Date): string => {
  const sent = Number(record.attributes?.SentTimestamp);
  return (Number.isFinite(sent) && sent > 0 ? new Date(sent) : now).toISOString().slice(0, 10);
};

export const createSqsHandler = <T extends EventType>(def: ConsumerDefinition<T>) => {
  const now = def.now ?? (() => new Date());
  const processor = new BatchProcessor(BatchEventType.SQS);
  metrics.setDefaultDimensions({ eventType: def.eventType });

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

  const processRecord = async (record: SQSRecord): Promise<void> => {
    const parsed = parseEvent(record.body, def.eventType);
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
    metrics.addMetric(outcome.kind === 'applied' ? 'EventsApplied' : 'DuplicateEvents', MetricUnit.Count, 1);
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
