/**
 * What operators, the local tools and tests read besides what the functions need: a module of
 * its own, so no function's bundle carries it.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseRecord } from '../core/case.ts';
import type { OutboundEvent } from '../core/outbound.ts';
import {
  type AccessEntry,
  type Deviation,
  type HistoryRecord,
  keys,
  type Rejection,
  type ReplyEntry,
  stripKeys,
} from './case-store.ts';
import { withDeliveries } from './delivery-store.ts';
import { EntryStore } from './entry-store.ts';

/** Everything: a consumer's commits, the delivery writes (tests, local tools) and the reads below. */
export class CaseReader extends withDeliveries(EntryStore) {
  /** A case's outbound events (issue 14), as committed: in sequence order. */
  async listOutbound(caseId: string): Promise<OutboundEvent[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `OUTBOX#${caseId}` },
    });
    return items.flatMap((i) => (i.events as OutboundEvent[] | undefined) ?? []);
  }

  async listAccess(caseId: string): Promise<AccessEntry[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `ACCESS#${caseId}` },
    });
    return items.map((i) => stripKeys<AccessEntry>(i));
  }

  async listReplies(caseId: string): Promise<ReplyEntry[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `REPLIES#${caseId}` },
    });
    return items.map((i) => stripKeys<ReplyEntry>(i));
  }

  async listDeviations(day: string): Promise<Deviation[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `DEVIATIONS#${day}` },
    });
    return items.map((i) => stripKeys<Deviation>(i));
  }

  async getCase(caseId: string): Promise<CaseRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.case(caseId), ConsistentRead: true }),
    );
    return Item ? stripKeys<CaseRecord>(Item) : undefined;
  }

  /** A case's history in event order (the order the rules apply it in: version). */
  async listHistory(caseId: string): Promise<HistoryRecord[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': keys.case(caseId).pk, ':sk': 'EVENT#' },
    });
    return items
      .map((i) => stripKeys<HistoryRecord>(i))
      .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  }

  async listRejections(day: string): Promise<Rejection[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `REJECTIONS#${day}` },
    });
    return items
      .map((i) => stripKeys<Rejection>(i))
      .sort((a, b) => (a.rejectedAt < b.rejectedAt ? -1 : a.rejectedAt > b.rejectedAt ? 1 : 0));
  }
}
