/** The KPI export function (functions/history-export/): stream records in, one JSON lines object out. */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createHistoryExportHandler, factsOfRecord } from '../../functions/history-export/apply.ts';

const record = (seq: string, item: Record<string, unknown>, eventName = 'INSERT'): DynamoDBRecord => ({
  eventName: eventName as 'INSERT',
  dynamodb: {
    SequenceNumber: seq,
    ApproximateCreationDateTime: Date.parse('2026-12-01T10:00:00Z') / 1000,
    NewImage: marshall(item, { removeUndefinedValues: true }) as never,
  },
});

const history = {
  pk: 'CASE#c-1',
  sk: 'EVENT#e-1',
  type: 'history',
  caseId: 'c-1',
  eventId: 'e-1',
  eventType: 'se.sip.case.closed.v1',
  occurredAt: '2026-12-01T09:00:00Z',
  outcome: 'applied',
  summary: 'case closed',
  data: { county: 'halland', reason: 'need-met' },
};

describe('the KPI export', () => {
  it('turns new history entries, rejections and deviations into facts, and nothing else', () => {
    expect(factsOfRecord('halland', record('1', history))[0]).toMatchObject({
      factId: 'e-1',
      closeReason: 'need-met',
    });
    expect(
      factsOfRecord(
        'halland',
        record('2', {
          type: 'rejection',
          messageId: 'm-1',
          queueEventType: 'se.sip.summons.sent.v1',
          reason: 'x',
          rejectedAt: '2026-12-01T09:00:00Z',
        }),
      )[0],
    ).toMatchObject({ factId: 'rejection:m-1', kind: 'rejection' });
    expect(
      factsOfRecord(
        'halland',
        record('3', { type: 'deviation', eventId: 'e-2', caseId: 'c-2', day: '2026-12-01' }),
      )[0],
    ).toMatchObject({
      kind: 'deviation',
      protected: true,
    });
    expect(factsOfRecord('halland', record('4', { type: 'outbox', caseId: 'c-1' }))).toEqual([]);
    // A history entry rewritten when its case became protected is not exported again.
    expect(factsOfRecord('halland', record('5', history, 'MODIFY'))).toEqual([]);
  });

  it('writes one object per batch, named by its records (a retry overwrites it), and reports a failed write for a retry', async () => {
    const puts: [string, string][] = [];
    let fail = true;
    const handler = createHistoryExportHandler({
      county: 'halland',
      store: {
        put: async (key, body) => {
          if (fail) throw new Error('S3 unavailable');
          puts.push([key, body]);
        },
      },
    });
    const event = {
      Records: [record('100', history), record('101', { ...history, eventId: 'e-9', sk: 'EVENT#e-9' })],
    };
    expect(await handler(event)).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }] });
    fail = false;
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(puts.map(([k]) => k)).toEqual([
      'facts/day=2026-12-01/100-101.jsonl',
      'facts/day=2026-12-01/100-101.jsonl',
    ]);
    expect(puts[0]?.[1].trim().split('\n')).toHaveLength(2);
  });
});
