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
import type { ConsentRecord } from '../core/consent.ts';

export const keys = {
  case: (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' }),
  history: (caseId: string, eventId: string) => ({ pk: `CASE#${caseId}`, sk: `EVENT#${eventId}` }),
  consent: (caseId: string, consentId: string) => ({ pk: `CASE#${caseId}`, sk: `CONSENT#${consentId}` }),
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

/** What a consumer reads before deciding: the case and its consents, in one Query. */
export interface LoadedCase {
  case?: CaseRecord;
  consents: Map<string, ConsentRecord>;
}

/** One committed change: the case's new state, related items, and the history entry. */
export interface CaseCommit {
  case: CaseRecord;
  expectedVersion: number;
  consents?: ConsentRecord[];
  history: HistoryEntry;
  appliedAt: string;
}

export type CommitOutcome = { kind: 'applied' } | { kind: 'duplicate' } | { kind: 'conflict' };

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

  /** The case item and its consents: sort keys 'CASE' … 'CONSENT#…' sit side by side. */
  async loadCase(caseId: string): Promise<LoadedCase> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': keys.case(caseId).pk, ':from': 'CASE', ':to': 'CONSENT#\uffff' },
    });
    const loaded: LoadedCase = { consents: new Map() };
    for (const item of items) {
      if (item.type === 'case') loaded.case = stripKeys<CaseRecord>(item);
      else if (item.type === 'consent') {
        const consent = stripKeys<ConsentRecord>(item);
        loaded.consents.set(consent.consentId, consent);
      }
    }
    return loaded;
  }

  /**
   * One transaction: the case (only if its version is still the one read: optimistic
   * concurrency), its changed items, and the history entry (only if the event is new).
   */
  async commit(change: CaseCommit): Promise<CommitOutcome> {
    const { case: record, history } = change;
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.case(record.caseId),
                  type: 'case',
                  ...record,
                  version: change.expectedVersion + 1,
                },
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': change.expectedVersion },
              },
            },
            ...(change.consents ?? []).map((consent) => ({
              Put: {
                TableName: this.tableName,
                Item: { ...keys.consent(consent.caseId, consent.consentId), type: 'consent', ...consent },
              },
            })),
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.history(history.caseId, history.eventId),
                  type: 'history',
                  ...history,
                  appliedAt: change.appliedAt,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return { kind: 'applied' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons.at(-1)?.Code === 'ConditionalCheckFailed') return { kind: 'duplicate' };
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return { kind: 'conflict' };
      throw error;
    }
  }

  async hasApplied(caseId: string, eventId: string): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.history(caseId, eventId),
        ConsistentRead: true,
        ProjectionExpression: 'pk',
      }),
    );
    return Item !== undefined;
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
