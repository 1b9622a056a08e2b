/** Production dependencies of a consumer, built once at init from the environment, on a given store. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CaseStore, TableStore } from '../adapters/case-store.ts';
import { createDocumentClient } from '../adapters/dynamodb.ts';
import { type Outbox, sqsOutbox } from '../adapters/outbox.ts';
import { type Requeue, sqsRequeue } from '../adapters/requeue.ts';
import type { County } from '../core/county.ts';
import { readEnv } from './env.ts';

export interface ConsumerDeps {
  county: County;
  store: CaseStore;
  now: () => Date;
  requeue?: Requeue;
  orderingWaitSeconds?: number;
  outbox?: Outbox;
  /** The consumer's DLQ, where a protected event's sanitised copy is parked. */
  park?: Requeue;
}

/**
 * The mailer and the delivery reports build theirs on the DeliveryStore (functions/adapters/
 * delivery-store.ts): this module does not import CaseStore, so their bundles carry no commit.
 */
export const depsWithStore = <S extends TableStore>(
  makeStore: (db: DynamoDBDocumentClient, tableName: string) => S,
): Omit<ConsumerDeps, 'store'> & { store: S } => {
  const env = readEnv();
  return {
    county: env.county,
    store: makeStore(createDocumentClient(), env.tableName),
    now: () => new Date(),
    requeue: env.queueUrl ? sqsRequeue(env.queueUrl) : undefined,
    orderingWaitSeconds: env.orderingWaitSeconds,
    outbox: env.mailQueueUrl ? sqsOutbox(env.mailQueueUrl, env.county.id) : undefined,
    park: env.dlqUrl ? sqsRequeue(env.dlqUrl) : undefined,
  };
};
