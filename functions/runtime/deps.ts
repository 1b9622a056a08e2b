/** Production dependencies of a consumer, built once at init from the environment. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CaseStore } from '../adapters/case-store.ts';
import { createDocumentClient } from '../adapters/dynamodb.ts';
import { type Requeue, sqsRequeue } from '../adapters/requeue.ts';
import type { County } from '../core/county.ts';
import { type Outbox, sqsOutbox } from '../adapters/outbox.ts';
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
 * `makeStore`: the mailer and the delivery reports pass the DeliveryStore (functions/adapters/
 * delivery-store.ts), so only their bundles carry its methods.
 */
export const productionDeps = <S extends CaseStore = CaseStore>(
  makeStore: (db: DynamoDBDocumentClient, tableName: string) => S = (db, t) => new CaseStore(db, t) as S,
): ConsumerDeps & { store: S } => {
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
