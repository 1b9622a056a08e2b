/**
 * The case table (docs/data-model.md). The only code that knows its keys, with ./entry-store.ts
 * (what only the pages, calendar replies and the sweep read and write).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { CaseRecord, HistoryEntry } from '../core/case.ts';
import type { ConsentRecord } from '../core/consent.ts';
import type { DueMarker, PlanRecord } from '../core/lifecycle.ts';
import { itemCount, type Writes } from '../core/materialize.ts';
import { type OutboundEvent, sequenceString } from '../core/outbound.ts';
import {
  type Delivery,
  deliveryKey,
  type Invitation,
  invitationsOf,
  type Meeting,
  type Notice,
} from '../core/meeting.ts';

type Key = { pk: string; sk: string };

/** A delivery's identity: one invitee of one meeting, or one recipient of one notice. */
export type DeliveryRef =
  | { caseId: string; meetingId: string; inviteeId: string }
  | { caseId: string; noticeId: string; recipient: string };

export const keys = {
  case: (caseId: string): Key => ({ pk: `CASE#${caseId}`, sk: 'CASE' }),
  history: (caseId: string, eventId: string): Key => ({ pk: `CASE#${caseId}`, sk: `EVENT#${eventId}` }),
  consent: (caseId: string, consentId: string): Key => ({
    pk: `CASE#${caseId}`,
    sk: `CASE#CONSENT#${consentId}`,
  }),
  meeting: (caseId: string, meetingId: string): Key => ({
    pk: `CASE#${caseId}`,
    sk: `CASE#MEETING#${meetingId}`,
  }),
  plan: (caseId: string, planId: string): Key => ({ pk: `CASE#${caseId}`, sk: `CASE#PLAN#${planId}` }),
  notice: (caseId: string, noticeId: string): Key => ({
    pk: `CASE#${caseId}`,
    sk: `CASE#NOTICE#${noticeId}`,
  }),
  due: (m: DueMarker): Key => ({ pk: `CASE#${m.caseId}`, sk: `CASE#DUE#${m.kind}#${m.ref}` }),
  /** The mailer's record of one recipient: written by the mailer and the delivery reports only. */
  delivery: (d: DeliveryRef): Key =>
    'noticeId' in d
      ? { pk: `CASE#${d.caseId}`, sk: `CASE#NOTICE#${d.noticeId}#TO#${d.recipient}` }
      : { pk: `CASE#${d.caseId}`, sk: `CASE#MEETING#${d.meetingId}#INVITEE#${d.inviteeId}` },
  rejection: (day: string, messageId: string): Key => ({ pk: `REJECTIONS#${day}`, sk: messageId }),
  /**
   * One commit's outbound events (issue 14), in a partition of their own so a case's Query never
   * reads them; the table's stream carries them to the publisher.
   */
  outbox: (caseId: string, firstSequence: number): Key => ({
    pk: `OUTBOX#${caseId}`,
    sk: sequenceString(firstSequence),
  }),
};

/** How long the committed outbound events stay readable (ops, replay) after the stream sent them. */
export const OUTBOX_TTL_DAYS = 30;

/** One write's outbound events as the item the table's stream carries to the publisher. */
export const outboxItem = (caseId: string, events: OutboundEvent[], at: string) => ({
  ...keys.outbox(caseId, Number(events[0]?.sequence)),
  type: 'outbox',
  caseId,
  events,
  expiresAt: Math.floor(Date.parse(at) / 1000) + OUTBOX_TTL_DAYS * 86_400,
});

/** The condition that the case's `outboundSeq` is still `:outboundSeq` (absent counts as 0). */
export const OUTBOUND_SEQ_IS = '(attribute_not_exists(outboundSeq) OR outboundSeq = :outboundSeq)';

/** Rejections are kept a year for operators, then expire through the table's TTL. */
const REJECTION_TTL_DAYS = 365;
/** DynamoDB's limit on the items of one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

export interface Rejection {
  messageId: string;
  /** The SQS SentTimestamp's UTC day: stable across redeliveries, so a retried write overwrites. */
  day: string;
  queueEventType: string;
  reason: string;
  rejectedAt: string;
  eventId?: string;
  caseId?: string;
  /** The rejected event's `source`, when it had a readable one: whom to tell (issue 14). */
  source?: string;
}

/** A history entry as stored: what happened, and (for the fold) the event's projected data. */
export interface HistoryRecord extends HistoryEntry {
  appliedAt: string;
  /** The event's version (docs/semantics.md); the fold orders by it. */
  version: string;
  /** What the rules read of the event (its projection); absent on no entry written by this code. */
  data?: unknown;
  /** What the event did when it arrived. */
  outcome: 'applied' | 'superseded' | 'rejected';
  reason?: string;
}

/** What a consumer reads before deciding: the whole case partition in one Query. */
export interface LoadedCase {
  case?: CaseRecord;
  consents: Map<string, ConsentRecord>;
  meetings: Map<string, Meeting>;
  plans: Map<string, PlanRecord>;
  notices: Map<string, Notice>;
  due: DueMarker[];
  /** The mailer's records, by `deliveryKey`. */
  deliveries: Map<string, Delivery>;
  /** The invitation view (meetings' invitees joined with their deliveries). */
  invitations: Invitation[];
  /** Only when loaded with the history. */
  history: HistoryRecord[];
}

/** One committed change: the case (version-checked), what changed, and the new history entry. */
export interface CaseCommit {
  writes: Writes;
  /** The version read; undefined when the case item does not exist yet. */
  expectedVersion: number | undefined;
  history: HistoryRecord;
  appliedAt: string;
  /**
   * The outbound events of this change (functions/core/outbound.ts), numbered on from the case's
   * `outboundSeq`: written in the same transaction, so they exist exactly when the change does.
   */
  outbound?: OutboundEvent[];
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

export class TransactionTooLargeError extends Error {
  override name = 'TransactionTooLargeError';
}

export interface AccessEntry {
  caseId: string;
  meetingId: string;
  inviteeId: string;
  /** The invitee (`invitee:<id>`) or the signed-in subject (`oidc:<issuer>#<sub>`). */
  who: string;
  what: 'purpose-goal-questions';
  at: string;
  requestId: string;
}

/** One evaluation answer (issue 15): anonymous; see TableStore.recordEvaluation. */
export interface EvaluationAnswer {
  linkHash: string;
  /** `unit`, `child`, `guardian-1`, `guardian-2`: one answer per slot. */
  slot: string;
  county: string;
  respondent: 'unit' | 'child' | 'guardian';
  scores: Record<string, number>;
  answeredAt: string;
}

/** One calendar reply received for an invitation (issue 13): ids, codes and the outcome, no address. */
export interface ReplyEntry {
  caseId: string;
  meetingId: string;
  inviteeId: string;
  /** A hash of SES's message id: one entry per email, however often it is handled. */
  mail: string;
  sequence: number;
  receivedAt: string;
  outcome: 'applied' | 'ignored' | 'rejected';
  detail: string;
}

export const CLAIM_FIELDS = 'claimToken, claimedAt, claimSequence, claimAction, claimTo, claimDigest';

/**
 * What every function does to the table: read a case, conditional updates, and the rejection
 * and deviation records. The mailer's and the delivery reports' store
 * (./delivery-store.ts) builds on this alone, so their bundles carry no commit.
 */
export class TableStore {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  /** The whole case partition: state, deliveries and (with `history`) the history entries. */
  async loadCase(caseId: string, opts: { history?: boolean } = { history: true }): Promise<LoadedCase> {
    const items = await this.queryAll(
      opts.history === false
        ? {
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :state)',
            ExpressionAttributeValues: { ':pk': keys.case(caseId).pk, ':state': 'CASE' },
          }
        : { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.case(caseId).pk } },
    );
    const loaded: LoadedCase = {
      consents: new Map(),
      meetings: new Map(),
      plans: new Map(),
      notices: new Map(),
      due: [],
      deliveries: new Map(),
      invitations: [],
      history: [],
    };
    for (const item of items) {
      const type = item.type;
      if (type === 'case') loaded.case = stripKeys<CaseRecord>(item);
      else if (type === 'consent') {
        const consent = stripKeys<ConsentRecord>(item);
        loaded.consents.set(consent.consentId, consent);
      } else if (type === 'meeting') {
        const meeting = stripKeys<Meeting>(item);
        loaded.meetings.set(meeting.meetingId, meeting);
      } else if (type === 'plan') {
        const plan = stripKeys<PlanRecord>(item);
        loaded.plans.set(plan.planId, plan);
      } else if (type === 'notice') {
        const notice = stripKeys<Notice>(item);
        loaded.notices.set(notice.noticeId, notice);
      } else if (type === 'delivery') {
        const d = stripKeys<Delivery>(item);
        loaded.deliveries.set(deliveryKey(d as Delivery & DeliveryRef), d);
      } else if (type === 'due') {
        const {
          gsi1pk: _p,
          gsi1sk: _s,
          ...marker
        } = stripKeys<DueMarker & { gsi1pk: string; gsi1sk: string }>(item);
        loaded.due.push(marker);
      } else if (type === 'history') loaded.history.push(stripKeys<HistoryRecord>(item));
    }
    // The invitation view is for people (the summary, tests), not for the consumers: built when read.
    let invitations: Invitation[] | undefined;
    Object.defineProperty(loaded, 'invitations', {
      enumerable: true,
      configurable: true,
      get: () =>
        (invitations ??= invitationsOf(
          loaded.case?.protectedIdentity ?? false,
          loaded.meetings.values(),
          loaded.deliveries,
        )),
    });
    return loaded;
  }

  /** An update that only happens if its condition holds: true when it did. */
  protected async conditionalUpdate(input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.tableName, ...input }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
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

  async recordRejection(r: Rejection): Promise<void> {
    const expiresAt = Math.floor(Date.parse(r.rejectedAt) / 1000) + REJECTION_TTL_DAYS * 86_400;
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.rejection(r.day, r.messageId), type: 'rejection', ...r, expiresAt },
      }),
    );
  }

  protected async queryAll(input: {
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

/** The delivery's identity attributes, kept on its item so a load can key it. */
/** A consumer's store: one transaction per change, and the writes of a case becoming protected. */
export class CaseStore extends TableStore {
  /**
   * The case item's version alone (undefined: no case yet): what a waiting event looks at first
   * (functions/runtime/apply-event.ts). One small strongly consistent read, not the partition.
   */
  async caseVersion(caseId: string): Promise<number | undefined> {
    const [item] = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk = :sk',
      ExpressionAttributeValues: { ':pk': keys.case(caseId).pk, ':sk': keys.case(caseId).sk },
    });
    return typeof item?.version === 'number' ? item.version : undefined;
  }

  /**
   * One transaction: the case (only if its version is still the one read: optimistic
   * concurrency), what changed, and the history entry (only if the event is new: the
   * idempotency marker). Consumers never write a delivery: those are the mailer's.
   */
  async commit(change: CaseCommit): Promise<CommitOutcome> {
    const { writes: w, history } = change;
    const outbound = change.outbound ?? [];
    const count = itemCount(w) + (outbound.length > 0 ? 1 : 0);
    if (count > MAX_TRANSACTION_ITEMS)
      throw new TransactionTooLargeError(
        `case ${w.case.caseId}: one change would write ${count} items, more than DynamoDB's ${MAX_TRANSACTION_ITEMS} per transaction`,
      );
    const caseId = w.case.caseId;
    const put = (key: Key, type: string, item: object) => ({
      Put: { TableName: this.tableName, Item: { ...item, ...key, type } },
    });
    const del = (key: Key) => ({ Delete: { TableName: this.tableName, Key: key } });
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...w.case,
                  ...keys.case(caseId),
                  type: 'case',
                  version: (change.expectedVersion ?? 0) + 1,
                  updatedAt: change.appliedAt,
                  outboundSeq: (w.case.outboundSeq ?? 0) + outbound.length,
                },
                ...(change.expectedVersion === undefined
                  ? { ConditionExpression: 'attribute_not_exists(pk)' }
                  : {
                      // The mailer and the delivery reports number their events on the same
                      // sequence without a new version (./delivery-store.ts): a commit that read
                      // an older one reads again.
                      ConditionExpression: `#version = :expected AND ${OUTBOUND_SEQ_IS}`,
                      ExpressionAttributeNames: { '#version': 'version' },
                      ExpressionAttributeValues: {
                        ':expected': change.expectedVersion,
                        ':outboundSeq': w.case.outboundSeq ?? 0,
                      },
                    }),
              },
            },
            ...w.consents.map((i) => put(keys.consent(caseId, i.consentId), 'consent', i)),
            ...w.meetings.map((i) => put(keys.meeting(caseId, i.meetingId), 'meeting', i)),
            ...w.plans.map((i) => put(keys.plan(caseId, i.planId), 'plan', i)),
            ...w.notices.map((i) => put(keys.notice(caseId, i.noticeId), 'notice', i)),
            // The sparse `due` index: only these items carry gsi1pk/gsi1sk.
            ...w.due.map((m) =>
              put(keys.due(m), 'due', {
                ...m,
                gsi1pk: `DUE#${m.date}`,
                gsi1sk: `${m.caseId}#${m.kind}#${m.ref}`,
              }),
            ),
            ...w.deleteConsents.map((id) => del(keys.consent(caseId, id))),
            ...w.deletePlans.map((id) => del(keys.plan(caseId, id))),
            ...w.deleteDue.map((m) => del(keys.due(m))),
            ...(outbound.length > 0
              ? [{ Put: { TableName: this.tableName, Item: outboxItem(caseId, outbound, change.appliedAt) } }]
              : []),
            {
              Put: {
                TableName: this.tableName,
                Item: { ...history, ...keys.history(caseId, history.eventId), type: 'history' },
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
      throw error; // TransactionConflict, throttling …: retried through SQS
    }
  }

  /**
   * While a case becomes protected: no claim succeeds on these deliveries any more, and the
   * addresses they were sent to are removed (a protected case keeps no address, even of what went
   * out before). Fails (false) when one is claimed by a send that may still be running (claimed
   * after `staleBefore`): the protection waits for it rather than race it.
   */
  async fenceDeliveries(refs: DeliveryRef[], staleBefore: string): Promise<boolean> {
    for (const ref of refs) {
      const fenced = await this.conditionalUpdate({
        Key: keys.delivery(ref),
        UpdateExpression: `SET fenced = :yes, #type = :type, caseId = :caseId${refSet(ref)} REMOVE sentTo, ${CLAIM_FIELDS}`,
        ConditionExpression: 'attribute_not_exists(claimToken) OR claimedAt < :stale',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':yes': true,
          ':type': 'delivery',
          ':caseId': ref.caseId,
          ':stale': staleBefore,
          ...refValues(ref),
        },
      });
      if (!fenced) return false;
    }
    return true;
  }

  /** A protected case's history keeps only the allow-list: entries written before it was protected are rewritten. */
  async rewriteHistoryData(caseId: string, eventId: string, data: unknown): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.history(caseId, eventId),
        UpdateExpression: 'SET #data = :data',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#data': 'data' },
        ExpressionAttributeValues: { ':data': data },
      }),
    );
  }

  /** Everything that falls due on a day, from the sparse `due` index (the daily sweep). */
}

export const refValues = (ref: DeliveryRef): Record<string, string> =>
  'noticeId' in ref
    ? { ':noticeId': ref.noticeId, ':recipient': ref.recipient }
    : { ':meetingId': ref.meetingId, ':inviteeId': ref.inviteeId };
export const refSet = (ref: DeliveryRef): string =>
  'noticeId' in ref
    ? ', noticeId = :noticeId, recipient = :recipient'
    : ', meetingId = :meetingId, inviteeId = :inviteeId';

export const stripKeys = <T>(item: Record<string, unknown>): T => {
  // A loop, not `{ pk, sk, …rest }`: every item of every load passes here, and V8's object rest is slower.
  const rest: Record<string, unknown> = {};
  for (const k in item) if (k !== 'pk' && k !== 'sk' && k !== 'type' && k !== 'expiresAt') rest[k] = item[k];
  return rest as T;
};
