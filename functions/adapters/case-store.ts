/**
 * The case table (docs/data-model.md). The only code that knows its keys.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CaseRecord, HistoryEntry } from '../core/case.ts';

export const keys = {
  case: (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' }),
  history: (caseId: string, eventId: string) => ({ pk: `CASE#${caseId}`, sk: `EVENT#${eventId}` }),
  rejection: (day: string, messageId: string) => ({ pk: `REJECTIONS#${day}`, sk: messageId }),
};

/** Rejections are kept a year for operators, then expire through the table's TTL. */
const REJECTION_TTL_DAYS = 365;

export interface Rejection {
  messageId: string;
  /** The SQS SentTimestamp's UTC day: stable across redeliveries, so a retried write overwrites. */
  day: string;
  queueEventType: string;
  reason: string;
  rejectedAt: string;
  eventId?: string;
  caseId?: string;
}

export type CreateOutcome =
  { kind: 'created' } | { kind: 'duplicate' } | { kind: 'exists'; createdByEventId: string };

export class CaseStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** One transaction: the case and its history entry, which doubles as the idempotency marker. */
  async createCase(record: CaseRecord, history: HistoryEntry, appliedAt: string): Promise<CreateOutcome> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.case(record.caseId), type: 'case', ...record },
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.history(history.caseId, history.eventId),
                  type: 'history',
                  ...history,
                  appliedAt,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return { kind: 'created' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [caseReason, historyReason] = error.CancellationReasons ?? [];
      if (historyReason?.Code === 'ConditionalCheckFailed') return { kind: 'duplicate' };
      if (caseReason?.Code === 'ConditionalCheckFailed') {
        // The returned item is raw AttributeValue even through the DocumentClient.
        const old = caseReason.Item as Record<string, { S?: string }> | undefined;
        return { kind: 'exists', createdByEventId: old?.createdByEventId?.S ?? 'unknown' };
      }
      throw error; // TransactionConflict, throttling …: retried through SQS
    }
  }

  async recordRejection(r: Rejection): Promise<void> {
    const expiresAt = Math.floor(Date.parse(r.rejectedAt) / 1000) + REJECTION_TTL_DAYS * 86_400;
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.rejection(r.day, r.messageId), type: 'rejection', ...r, expiresAt },
      }),
    );
  }

  async getCase(caseId: string): Promise<CaseRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.case(caseId), ConsistentRead: true }),
    );
    return Item ? stripKeys<CaseRecord>(Item) : undefined;
  }

  async listHistory(caseId: string): Promise<(HistoryEntry & { appliedAt: string })[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': keys.case(caseId).pk, ':sk': 'EVENT#' },
    });
    return items
      .map((i) => stripKeys<HistoryEntry & { appliedAt: string }>(i))
      .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  }

  async listRejections(day: string): Promise<Rejection[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `REJECTIONS#${day}` },
    });
    return items.map((i) => stripKeys<Rejection>(i)).sort((a, b) => a.rejectedAt.localeCompare(b.rejectedAt));
  }

  private async queryAll(input: {
    KeyConditionExpression: string;
    ExpressionAttributeValues: Record<string, unknown>;
  }): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey, ...input }),
      );
      out.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  }
}

const stripKeys = <T>(item: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, type: _type, expiresAt: _e, ...rest } = item;
  return rest as T;
};
