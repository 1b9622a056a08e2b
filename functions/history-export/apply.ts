/**
 * The history feed the county KPIs are computed from (issue 15): the table's stream (new history
 * entries, rejections and security deviations) → fact rows (functions/core/kpi-facts.ts, codes
 * and dates only) → one JSON lines object per batch in the export bucket, under `facts/`, where
 * the Glue table (Athena) and DuckDB read them. A retried batch writes the same key with the same
 * rows; a batch split differently repeats rows, which the SQL counts once (SELECT DISTINCT). No
 * payload is logged.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { FactStore } from '../adapters/fact-store.ts';
import {
  type Fact,
  factOfDeviation,
  factOfRejection,
  factsOfEvaluation,
  factsOfHistory,
  type HistoryInput,
  toJsonLines,
} from '../core/kpi-facts.ts';
import { loggableError, logger } from '../runtime/observability.ts';

type Image = Parameters<typeof unmarshall>[0];

/** The facts of one stream record: none for anything but a new history entry, rejection or deviation. */
export const factsOfRecord = (county: string, record: DynamoDBRecord): Fact[] => {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return [];
  const item = unmarshall(record.dynamodb.NewImage as unknown as Image) as Record<string, unknown>;
  const text = (k: string) => (typeof item[k] === 'string' ? (item[k] as string) : undefined);
  if (item.type === 'history' && text('eventId') && text('caseId'))
    return factsOfHistory(county, item as unknown as HistoryInput);
  if (item.type === 'rejection' && text('messageId'))
    return [
      factOfRejection(county, {
        messageId: text('messageId') as string,
        queueEventType: text('queueEventType') ?? 'unknown',
        reason: text('reason') ?? '',
        rejectedAt: text('rejectedAt') ?? new Date(0).toISOString(),
        ...(text('caseId') ? { caseId: text('caseId') } : {}),
        ...(text('source') ? { source: text('source') } : {}),
      }),
    ];
  if (item.type === 'deviation' && text('eventId') && text('caseId'))
    return [
      factOfDeviation(county, {
        eventId: text('eventId') as string,
        caseId: text('caseId') as string,
        ...(text('recordedAt') ? { recordedAt: text('recordedAt') } : {}),
        ...(text('day') ? { day: text('day') } : {}),
      }),
    ];
  if (item.type === 'evaluation' && text('pk') && text('answeredOn'))
    return factsOfEvaluation(county, {
      id: (text('pk') as string).replace(/^ANSWER#/, ''),
      respondent: text('respondent') ?? 'unknown',
      scores: (item.scores ?? {}) as Record<string, unknown>,
      answeredOn: text('answeredOn') as string,
    });
  return [];
};

/** The object a batch is written to: named by its first and last record, so a retry overwrites it. */
export const factsKey = (records: DynamoDBRecord[]): string => {
  const first = records[0]?.dynamodb?.SequenceNumber ?? '0';
  const last = records.at(-1)?.dynamodb?.SequenceNumber ?? first;
  const at = records[0]?.dynamodb?.ApproximateCreationDateTime;
  const day = new Date(typeof at === 'number' ? at * 1000 : Date.now()).toISOString().slice(0, 10);
  return `facts/day=${day}/${first}-${last}.jsonl`;
};

export const createHistoryExportHandler =
  (deps: { county: string; store: FactStore }) =>
  async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const facts = event.Records.flatMap((r) => factsOfRecord(deps.county, r));
    if (facts.length === 0) return { batchItemFailures: [] };
    try {
      await deps.store.put(factsKey(event.Records), toJsonLines(facts));
    } catch (error) {
      // The whole batch again (one object per batch): Lambda retries it from its first record.
      logger.error('the facts of a batch could not be written; retried', { ...loggableError(error) });
      const first = event.Records[0]?.dynamodb?.SequenceNumber;
      return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
    }
    logger.info('facts exported', { records: event.Records.length, facts: facts.length });
    return { batchItemFailures: [] };
  };
