/**
 * The mailer's and the delivery reports' writes on delivery items (claims, sends, statuses): a
 * module of its own, so no consumer's bundle carries it.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Delivery } from '../core/meeting.ts';
import { type OutboundChange, outboundEvents } from '../core/outbound.ts';
import { keyedTurns } from '../core/turns.ts';
import {
  TableStore,
  CLAIM_FIELDS,
  type DeliveryRef,
  keys,
  OUTBOUND_SEQ_IS,
  outboxItem,
  refSet,
  refValues,
  stripKeys,
} from './case-store.ts';

/** How often a told update reads the case's sequence again after another write took it. */
const TELL_ATTEMPTS = 10;

/** A conditional update of a delivery item (told or not). */
interface TellInput {
  Key: Record<string, string>;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: UpdateCommandInput['ExpressionAttributeValues'];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type StoreClass<T extends TableStore> = new (...args: any[]) => T;

/**
 * The delivery items' writes, on any store: the mailer's and the delivery reports' store has them
 * on the lean TableStore (no commit in their bundles), the reader (tests, tools) on CaseStore.
 */
export const withDeliveries = <B extends StoreClass<TableStore>>(Base: B) =>
  class extends Base {
    /**
     * Takes the right to email one recipient one sequence. Only when the sequence is not done, the
     * delivery is not fenced, and no other claim is held — or it is older than `takeOverBefore`
     * (its sender is gone and SES never confirmed its send: docs/semantics.md, "in doubt").
     */
    async claimDelivery(
      ref: DeliveryRef,
      claim: {
        token: string;
        at: string;
        sequence: number;
        action: 'request' | 'cancel';
        to: string;
        digest: string;
      },
      takeOverBefore: string,
    ): Promise<boolean> {
      return this.conditionalUpdate({
        Key: keys.delivery(ref),
        UpdateExpression:
          'SET #type = :type, caseId = :caseId, claimToken = :token, claimedAt = :at, claimSequence = :seq, claimAction = :action, claimTo = :to, claimDigest = :digest, attempted = :yes' +
          refSet(ref),
        ConditionExpression:
          'attribute_not_exists(fenced) AND (attribute_not_exists(doneSequence) OR doneSequence < :seq) AND (attribute_not_exists(claimToken) OR claimedAt < :takeOver)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'delivery',
          ':caseId': ref.caseId,
          ':token': claim.token,
          ':at': claim.at,
          ':seq': claim.sequence,
          ':action': claim.action,
          ':to': claim.to,
          ':digest': claim.digest,
          ':yes': true,
          ':takeOver': takeOverBefore,
          ...refValues(ref),
        },
      });
    }

    /** Gives a claim back (SES throttled us, so it has nothing): the next delivery of the job tries again. */
    async releaseDelivery(ref: DeliveryRef, token: string): Promise<boolean> {
      return this.conditionalUpdate({
        Key: keys.delivery(ref),
        UpdateExpression: `REMOVE ${CLAIM_FIELDS}`,
        ConditionExpression: 'claimToken = :token',
        ExpressionAttributeValues: { ':token': token },
      });
    }

    /** Records the outcome of the send this claim made; false if the claim is no longer ours. */
    async recordDelivery(
      ref: DeliveryRef,
      token: string,
      result:
        | {
            status: 'sent' | 'cancelled';
            sequence: number;
            action: 'request' | 'cancel';
            to: string;
            sesMessageId: string;
            digest?: string;
          }
        | { status: 'failed'; sequence: number; failureReason: string },
      now: string,
      /** What upstream hears of it (an invitation's email), in the same transaction. */
      tell?: OutboundChange,
    ): Promise<boolean> {
      const set: Record<string, unknown> =
        result.status === 'failed'
          ? { status: 'failed', doneSequence: result.sequence, failureReason: result.failureReason }
          : {
              status: result.status,
              doneSequence: result.sequence,
              sentSequence: result.sequence,
              sentAction: result.action,
              sentTo: result.to,
              sesMessageId: result.sesMessageId,
              ...(result.digest ? { sentDigest: result.digest } : {}),
            };
      const names = Object.keys(set);
      return this.updateTelling(tell, now, {
        Key: keys.delivery(ref),
        UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}, updatedAt = :now REMOVE ${CLAIM_FIELDS}`,
        ConditionExpression: 'claimToken = :token',
        ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
        ExpressionAttributeValues: {
          ...Object.fromEntries(Object.entries(set).map(([k, v]) => [`:${k}`, v])),
          ':token': token,
          ':now': now,
        },
      });
    }

    /** The old address of an invitee was sent its cancellation (under the claim that sends the new one). */
    async recordPreviousCancelled(ref: DeliveryRef, token: string, now: string): Promise<boolean> {
      return this.conditionalUpdate({
        Key: keys.delivery(ref),
        UpdateExpression: 'SET sentAction = :cancel, updatedAt = :now',
        ConditionExpression: 'claimToken = :token',
        ExpressionAttributeValues: { ':cancel': 'cancel', ':token': token, ':now': now },
      });
    }

    /**
     * Closes a sequence without an email: a cancellation owed to someone who was never sent
     * anything (nothing was ever claimed), a notice voided, or anything of a protected case
     * (withheld). Only while no send holds a claim.
     */
    async closeWithoutEmail(
      ref: DeliveryRef,
      sequence: number,
      status: 'cancelled' | 'withheld' | 'void',
      now: string,
      /** A claim older than this is given up (its sender is gone, SES never confirmed its send). */
      takeOverBefore: string,
    ): Promise<boolean> {
      return this.conditionalUpdate({
        Key: keys.delivery(ref),
        UpdateExpression: `SET #type = :type, caseId = :caseId, #status = :status, doneSequence = :seq, updatedAt = :now${refSet(ref)} REMOVE ${CLAIM_FIELDS}`,
        ConditionExpression: `(attribute_not_exists(claimToken) OR claimedAt < :takeOver) AND (attribute_not_exists(doneSequence) OR doneSequence < :seq)${status === 'cancelled' ? ' AND attribute_not_exists(attempted)' : ''}`,
        ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
        ExpressionAttributeValues: {
          ':type': 'delivery',
          ':caseId': ref.caseId,
          ':status': status,
          ':seq': sequence,
          ':now': now,
          ':takeOver': takeOverBefore,
          ...refValues(ref),
        },
      });
    }

    /**
     * The recipient already has what this sequence shows (a change undone before it was sent): the
     * sequence is done without an email. Only while no send holds a claim, and only if the last email
     * to this address showed exactly this.
     */
    async markUnchanged(
      ref: DeliveryRef,
      sequence: number,
      to: string,
      digest: string,
      now: string,
      takeOverBefore: string,
    ): Promise<boolean> {
      return this.conditionalUpdate({
        Key: keys.delivery(ref),
        UpdateExpression: `SET doneSequence = :seq, updatedAt = :now REMOVE ${CLAIM_FIELDS}`,
        ConditionExpression:
          '(attribute_not_exists(claimToken) OR claimedAt < :takeOver) AND doneSequence < :seq AND sentTo = :to AND sentDigest = :digest AND sentAction = :request',
        ExpressionAttributeValues: {
          ':seq': sequence,
          ':now': now,
          ':to': to,
          ':digest': digest,
          ':request': 'request',
          ':takeOver': takeOverBefore,
        },
      });
    }

    /**
     * SES's Send event confirms a send whose sender never learned the answer (a timeout, a crash):
     * the claim it carries in its tags is recorded as sent. False if that claim is no longer held.
     */
    async confirmSend(
      ref: DeliveryRef,
      token: string,
      sent: { sequence: number; action: 'request' | 'cancel'; sesMessageId: string },
      now: string,
      tell?: OutboundChange,
    ): Promise<boolean> {
      return this.updateTelling(tell, now, {
        Key: keys.delivery(ref),
        UpdateExpression: `SET #status = :status, doneSequence = :seq, sentSequence = :seq, sentAction = :action, sentTo = claimTo, sentDigest = claimDigest, sesMessageId = :id, updatedAt = :now REMOVE ${CLAIM_FIELDS}`,
        ConditionExpression: 'claimToken = :token AND claimSequence = :seq',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': sent.action === 'cancel' ? 'cancelled' : 'sent',
          ':seq': sent.sequence,
          ':action': sent.action,
          ':id': sent.sesMessageId,
          ':token': token,
          ':now': now,
        },
      });
    }

    async getDelivery(ref: DeliveryRef): Promise<Delivery | undefined> {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: keys.delivery(ref), ConsistentRead: true }),
      );
      return Item ? stripKeys<Delivery>(Item) : undefined;
    }

    /** A delivery report moves a delivery forward only for the message it was about, from the statuses listed. */
    async updateDeliveryStatus(
      ref: DeliveryRef,
      sesMessageId: string,
      status: NonNullable<Delivery['status']>,
      from: NonNullable<Delivery['status']>[],
      detail: string,
      now: string,
      tell?: OutboundChange,
    ): Promise<boolean> {
      return this.updateTelling(tell, now, {
        Key: keys.delivery(ref),
        UpdateExpression: 'SET #status = :status, deliveryDetail = :detail, updatedAt = :now',
        ConditionExpression: `sesMessageId = :id AND #status IN (${from.map((_, n) => `:from${n}`).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': status,
          ':detail': detail,
          ':now': now,
          ':id': sesMessageId,
          ...Object.fromEntries(from.map((f, n) => [`:from${n}`, f])),
        },
      });
    }

    /**
     * A delivery's update and, when upstream hears of it, its outbound event: one transaction with
     * the case's `outboundSeq` (read, then conditioned on) and the outbox item, so the event exists
     * exactly when the update does and takes the case's next sequence. Consumers' commits are
     * conditioned on the same sequence (./case-store.ts), so no two writes number alike. False when
     * the update's own condition fails, as `conditionalUpdate`.
     */
    /**
     * This store's told updates, per case: within one Lambda (one store) they take turns, so the
     * records of one batch do not race each other for the case's `outboundSeq` (each round of such
     * a race lets one through and sends the others back to read again: a batch of ten reports on
     * one case cost ~55 transactions, now ten). Other Lambdas still race, and retry
     * (`TELL_ATTEMPTS`).
     */
    private readonly tellTurn = keyedTurns();

    private async updateTelling(
      tell: OutboundChange | undefined,
      at: string,
      input: TellInput,
    ): Promise<boolean> {
      if (!tell) return this.conditionalUpdate(input);
      const caseId = String(tell.data.caseId);
      return this.tellTurn(caseId, () => this.tellOnce(tell, caseId, at, input));
    }

    private async tellOnce(
      tell: OutboundChange,
      caseId: string,
      at: string,
      input: TellInput,
    ): Promise<boolean> {
      for (let attempt = 1; ; attempt++) {
        const { Item } = await this.db.send(
          new GetCommand({
            TableName: this.tableName,
            Key: keys.case(caseId),
            ConsistentRead: true,
            ProjectionExpression: 'outboundSeq',
          }),
        );
        if (!Item) return this.conditionalUpdate(input); // no case to number on (deleted): only the update
        const last = Number(Item.outboundSeq ?? 0);
        const events = outboundEvents(String(tell.data.county), caseId, last, [tell], at);
        try {
          await this.db.send(
            new TransactWriteCommand({
              TransactItems: [
                { Update: { TableName: this.tableName, ...input } },
                {
                  Update: {
                    TableName: this.tableName,
                    Key: keys.case(caseId),
                    UpdateExpression: 'SET outboundSeq = :next',
                    ConditionExpression: `attribute_exists(pk) AND ${OUTBOUND_SEQ_IS}`,
                    ExpressionAttributeValues: { ':next': last + 1, ':outboundSeq': last },
                  },
                },
                { Put: { TableName: this.tableName, Item: outboxItem(caseId, events, at) } },
              ],
            }),
          );
          return true;
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const reasons = error.CancellationReasons ?? [];
          if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
          // Another write took the sequence (or the items were busy): read it again.
          const raced = reasons.some(
            (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
          );
          if (!raced || attempt >= TELL_ATTEMPTS) throw error;
        }
      }
    }
  };

/** The mailer's and the delivery reports' store. */
export class DeliveryStore extends withDeliveries(TableStore) {}
