/**
 * The case table (docs/data-model.md). The only code that knows its keys.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { CaseRecord, HistoryEntry } from '../core/case.ts';
import type { ConsentRecord } from '../core/consent.ts';
import type { DueMarker, PlanRecord } from '../core/lifecycle.ts';
import type { CaseItems } from '../core/case-items.ts';
import type { Invitation, InvitationStatus, Meeting, Notice } from '../core/meeting.ts';

export const keys: {
  case: (caseId: string) => Key;
  history: (caseId: string, eventId: string) => Key;
  consent: (caseId: string, consentId: string) => Key;
  meeting: (caseId: string, meetingId: string) => Key;
  invitation: (i: { caseId: string; meetingId: string; inviteeId: string }) => Key;
  plan: (caseId: string, planId: string) => Key;
  notice: (caseId: string, noticeId: string) => Key;
  due: (m: DueMarker) => Key;
  outbox: (i: Invitation | Notice) => Key;
  mail: (sesMessageId: string) => Key;
  rejection: (day: string, messageId: string) => Key;
} = {
  case: (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' }),
  history: (caseId: string, eventId: string) => ({ pk: `CASE#${caseId}`, sk: `EVENT#${eventId}` }),
  consent: (caseId: string, consentId: string) => ({ pk: `CASE#${caseId}`, sk: `CASE#CONSENT#${consentId}` }),
  meeting: (caseId: string, meetingId: string) => ({ pk: `CASE#${caseId}`, sk: `CASE#MEETING#${meetingId}` }),
  invitation: (i: { caseId: string; meetingId: string; inviteeId: string }) => ({
    pk: `CASE#${i.caseId}`,
    sk: `CASE#MEETING#${i.meetingId}#INVITEE#${i.inviteeId}`,
  }),
  plan: (caseId: string, planId: string) => ({ pk: `CASE#${caseId}`, sk: `CASE#PLAN#${planId}` }),
  notice: (caseId: string, noticeId: string) => ({ pk: `CASE#${caseId}`, sk: `CASE#NOTICE#${noticeId}` }),
  due: (m: DueMarker) => ({ pk: `CASE#${m.caseId}`, sk: `CASE#DUE#${m.kind}#${m.ref}` }),
  /** An invitation or a notice: the items the mailer sends. */
  outbox: (i: Invitation | Notice) =>
    'noticeId' in i ? keys.notice(i.caseId, i.noticeId) : keys.invitation(i as Invitation),
  /** Finds an invitation from SES's message id (bounces, complaints, deliveries). */
  mail: (sesMessageId: string) => ({ pk: `MAIL#${sesMessageId}`, sk: 'MAIL' }),
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

type Key = { pk: string; sk: string };

/** What a consumer reads before deciding: the case, its consents, meetings and invitations, in one Query. */
export interface LoadedCase {
  case?: CaseRecord;
  consents: Map<string, ConsentRecord>;
  meetings: Map<string, Meeting>;
  invitations: Invitation[];
  notices: Notice[];
  plans: Map<string, PlanRecord>;
  due: DueMarker[];
}

/** One committed change: the case's new state, related items, and the history entry. */
export interface CaseCommit extends CaseItems {
  case: CaseRecord;
  expectedVersion: number;
  history: HistoryEntry;
  appliedAt: string;
}

export type CommitOutcome = { kind: 'applied' } | { kind: 'duplicate' } | { kind: 'conflict' };

export interface Deviation {
  eventId: string;
  caseId: string;
  eventType: string;
  day: string;
  fields: string[];
  recordedAt: string;
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
            this.historyPut(history, appliedAt),
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

  /** The case's state: every sort key that begins with 'CASE' (history entries begin with 'EVENT#'). */
  async loadCase(caseId: string): Promise<LoadedCase> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :state)',
      ExpressionAttributeValues: { ':pk': keys.case(caseId).pk, ':state': 'CASE' },
    });
    const loaded: LoadedCase = {
      consents: new Map(),
      meetings: new Map(),
      invitations: [],
      notices: [],
      plans: new Map(),
      due: [],
    };
    for (const item of items) {
      if (item.type === 'case') loaded.case = stripKeys<CaseRecord>(item);
      else if (item.type === 'consent') {
        const consent = stripKeys<ConsentRecord>(item);
        loaded.consents.set(consent.consentId, consent);
      } else if (item.type === 'meeting') {
        const meeting = stripKeys<Meeting>(item);
        loaded.meetings.set(meeting.meetingId, meeting);
      } else if (item.type === 'invitation') loaded.invitations.push(stripKeys<Invitation>(item));
      else if (item.type === 'notice') loaded.notices.push(stripKeys<Notice>(item));
      else if (item.type === 'plan') {
        const plan = stripKeys<PlanRecord>(item);
        loaded.plans.set(plan.planId, plan);
      } else if (item.type === 'due') {
        const {
          gsi1pk: _p,
          gsi1sk: _s,
          ...marker
        } = stripKeys<DueMarker & { gsi1pk: string; gsi1sk: string }>(item);
        loaded.due.push(marker);
      }
    }
    return loaded;
  }

  /**
   * Takes the right to send one invitation at one sequence. A claim older than `staleBefore` is
   * from a mailer that died mid-send and may be taken over (see docs/decisions.md, "the window").
   */
  async claimInvitation(
    i: Invitation | Notice,
    sequence: number,
    now: string,
    staleBefore: string,
  ): Promise<boolean> {
    return this.conditionalUpdate({
      Key: keys.outbox(i),
      UpdateExpression: 'SET #status = :sending, claimedAt = :now',
      ConditionExpression:
        '#sequence = :sequence AND (#status = :pending OR (#status = :sending AND claimedAt < :stale))',
      ExpressionAttributeNames: { '#status': 'status', '#sequence': 'sequence' },
      ExpressionAttributeValues: {
        ':sending': 'sending',
        ':pending': 'pending',
        ':now': now,
        ':stale': staleBefore,
        ':sequence': sequence,
      },
    });
  }

  /** Gives a claim back (e.g. SES throttled us): the next delivery of the job tries again. */
  async releaseInvitation(i: Invitation | Notice, sequence: number): Promise<void> {
    await this.conditionalUpdate({
      Key: keys.outbox(i),
      UpdateExpression: 'SET #status = :pending REMOVE claimedAt',
      ConditionExpression: '#sequence = :sequence AND #status = :sending',
      ExpressionAttributeNames: { '#status': 'status', '#sequence': 'sequence' },
      ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending', ':sequence': sequence },
    });
  }

  /** Records a finished send: status, the sequence sent, SES's message id and its lookup item, at once. */
  async recordSend(
    i: Invitation | Notice,
    sequence: number,
    result:
      { status: 'sent' | 'cancelled'; sesMessageId: string } | { status: 'failed'; failureReason: string },
    now: string,
  ): Promise<void> {
    const set =
      result.status === 'failed'
        ? { status: 'failed', failureReason: result.failureReason }
        : { status: result.status, sesMessageId: result.sesMessageId, sentSequence: sequence };
    const names = Object.keys(set);
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: keys.outbox(i),
              UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}, updatedAt = :now REMOVE claimedAt`,
              ConditionExpression: '#sequence = :sequence',
              ExpressionAttributeNames: {
                ...Object.fromEntries(names.map((n) => [`#${n}`, n])),
                '#sequence': 'sequence',
              },
              ExpressionAttributeValues: {
                ...Object.fromEntries(Object.entries(set).map(([k, v]) => [`:${k}`, v])),
                ':now': now,
                ':sequence': sequence,
              },
            },
          },
          ...(result.status === 'failed'
            ? []
            : [
                {
                  Put: {
                    TableName: this.tableName,
                    Item: {
                      ...keys.mail(result.sesMessageId),
                      type: 'mail',
                      caseId: i.caseId,
                      itemPk: keys.outbox(i).pk,
                      itemSk: keys.outbox(i).sk,
                    },
                  },
                },
              ]),
        ],
      }),
    );
  }

  /** Everything that falls due on a day, from the sparse `due` index (the daily sweep). */
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

  /** The invitation an SES message id belongs to, if we sent it. */
  async invitationForMessage(sesMessageId: string): Promise<Key | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.mail(sesMessageId) }),
    );
    return Item ? { pk: Item.itemPk as string, sk: Item.itemSk as string } : undefined;
  }

  /** A delivery report moves an invitation forward only from the statuses listed. */
  async updateDeliveryStatus(
    key: Key,
    status: InvitationStatus,
    from: InvitationStatus[],
    detail: string,
    now: string,
  ): Promise<boolean> {
    return this.conditionalUpdate({
      Key: key,
      UpdateExpression: 'SET #status = :status, deliveryDetail = :detail, updatedAt = :now',
      ConditionExpression: `#status IN (${from.map((_, n) => `:from${n}`).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': status,
        ':detail': detail,
        ':now': now,
        ...Object.fromEntries(from.map((f, n) => [`:from${n}`, f])),
      },
    });
  }

  /** An update that only happens if its condition holds: true when it did. */
  private async conditionalUpdate(input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.tableName, ...input }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
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
            ...(change.consents ?? []).map((i) =>
              this.put(keys.consent(i.caseId, i.consentId), 'consent', i),
            ),
            ...(change.meetings ?? []).map((i) =>
              this.put(keys.meeting(i.caseId, i.meetingId), 'meeting', i),
            ),
            ...(change.invitations ?? []).map((i) => this.put(keys.invitation(i), 'invitation', i)),
            ...(change.notices ?? []).map((i) => this.put(keys.notice(i.caseId, i.noticeId), 'notice', i)),
            ...(change.plans ?? []).map((i) => this.put(keys.plan(i.caseId, i.planId), 'plan', i)),
            ...(change.dueMarkers ?? []).map((m) => ({
              Put: {
                TableName: this.tableName,
                // The sparse `due` index: only these items carry gsi1pk/gsi1sk.
                Item: {
                  ...keys.due(m),
                  type: 'due',
                  ...m,
                  gsi1pk: `DUE#${m.date}`,
                  gsi1sk: `${m.caseId}#${m.kind}#${m.ref}`,
                },
              },
            })),
            ...(change.removeDue ?? []).map((m) => ({
              Delete: { TableName: this.tableName, Key: keys.due(m) },
            })),
            this.historyPut(history, change.appliedAt),
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

  /** The history entry, put only if the event is new: the idempotency marker of every change. */
  private historyPut(history: HistoryEntry, appliedAt: string) {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.history(history.caseId, history.eventId), type: 'history', ...history, appliedAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private put(key: Key, type: string, item: object) {
    return { Put: { TableName: this.tableName, Item: { ...key, type, ...item } } };
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

  /** A security deviation: which forbidden fields a protected case's event carried (never their values). */
  async recordDeviation(d: Deviation): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `DEVIATIONS#${d.day}`, sk: d.eventId, type: 'deviation', ...d },
      }),
    );
  }

  async listDeviations(day: string): Promise<Deviation[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `DEVIATIONS#${day}` },
    });
    return items.map((i) => stripKeys<Deviation>(i));
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
