/**
 * What only the entry points other than the consumers read and write: the sweep's index of what
 * falls due, the invitation page's access log, calendar replies, meeting evaluations and the
 * family survey's short links. A module of its own, so no consumer's or mailer's bundle carries
 * it (the 150 KB budget, test/infra/bundle.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DueMarker } from '../core/lifecycle.ts';
import { type AccessEntry, CaseStore, type EvaluationAnswer, type ReplyEntry } from './case-store.ts';

export class EntryStore extends CaseStore {
  async dueOn(day: string): Promise<DueMarker[]> {
    const out: DueMarker[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'due',
          KeyConditionExpression: 'gsi1pk = :day',
          ExpressionAttributeValues: { ':day': `DUE#${day}` },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        out.push({
          caseId: item.caseId as string,
          kind: item.kind as DueMarker['kind'],
          ref: item.ref as string,
          date: item.date as string,
          ...(item.dueOn ? { dueOn: item.dueOn as string } : {}),
        });
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  }

  /**
   * One view of a meeting's purpose, goal and questions on the invitation page (issue 13; Swedish
   * patient-data law expects access to be logged): who (the invitee id or a signed-in subject) and
   * when, in the case's access partition (`ACCESS#<caseId>`). Ids and a time only.
   */
  async recordAccess(a: AccessEntry): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        // A partition of its own: the case's reads (every event's fold) never carry them.
        Item: { pk: `ACCESS#${a.caseId}`, sk: `${a.at}#${a.requestId}`, type: 'access', ...a },
      }),
    );
  }

  /** A calendar reply, in the case's reply log (a partition of its own, like the access log). */
  async recordReply(r: ReplyEntry): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `REPLIES#${r.caseId}`, sk: `${r.receivedAt}#${r.mail}`, type: 'reply', ...r },
      }),
    );
  }

  /**
   * One answer to a meeting evaluation (issue 15), anonymous: in one transaction, a marker that
   * the link's slot is taken (keyed by a hash of the link, no scores) and the answer under a
   * random id with the county, who answered (a unit, the child, a guardian), the scores and the
   * day — no case, meeting, invitee or link. False when that slot was answered already. The
   * export (functions/history-export/) turns the answer into facts.
   */
  async recordEvaluation(e: EvaluationAnswer): Promise<boolean> {
    const day = e.answeredAt.slice(0, 10);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              // The slot is taken: no scores here, so the link's hash leads to no answer.
              Put: {
                TableName: this.tableName,
                Item: {
                  pk: `EVALUATION#${e.linkHash}`,
                  sk: e.slot,
                  type: 'evaluation-slot',
                  expiresAt: Math.floor(Date.parse(e.answeredAt) / 1000) + 400 * 86_400,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              // The answer under an id of its own, with its day only: nothing to join it to.
              Put: {
                TableName: this.tableName,
                Item: {
                  pk: `ANSWER#${randomUUID()}`,
                  sk: 'ANSWER',
                  type: 'evaluation',
                  county: e.county,
                  respondent: e.respondent,
                  scores: e.scores,
                  answeredOn: day,
                  expiresAt: Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + 400 * 86_400,
                },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      )
        return false;
      throw error;
    }
  }

  /** The slots of one evaluation link already answered. */
  async evaluationSlots(linkHash: string): Promise<string[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `EVALUATION#${linkHash}` },
    });
    return items.map((i) => String(i.sk));
  }

  /** The family survey's short link → its meeting (written when the printable page is shown). */
  async putFamilyLink(
    code: string,
    link: { caseId: string; meetingId: string; validUntil: string },
  ): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `FAMILY#${code}`,
          sk: 'LINK',
          type: 'family-link',
          ...link,
          expiresAt: Math.floor(Date.parse(`${link.validUntil}T23:59:59Z`) / 1000) + 86_400,
        },
      }),
    );
  }

  async familyLink(
    code: string,
  ): Promise<{ caseId: string; meetingId: string; validUntil: string } | undefined> {
    const [item] = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `FAMILY#${code}` },
    });
    return item
      ? {
          caseId: String(item.caseId),
          meetingId: String(item.meetingId),
          validUntil: String(item.validUntil),
        }
      : undefined;
  }
}
