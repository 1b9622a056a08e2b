import { EntryStore } from '../adapters/entry-store.ts';
import { createDocumentClient } from '../adapters/dynamodb.ts';
import { sqsVisitQueue } from '../adapters/outbox.ts';
import { readEnv } from '../runtime/env.ts';
import { runSweep } from './apply.ts';

const env = readEnv();
if (!env.visitQueueUrl)
  throw new Error('environment variable VISIT_QUEUE_URL is not set; the stack (lib/) sets it');
const store = new EntryStore(createDocumentClient(), env.tableName);
const visits = sqsVisitQueue(env.visitQueueUrl, env.county.id);

/** Invoked by EventBridge Scheduler; `{ "now": "<ISO time>" }` in the payload replays a day. */
export const handler = async (event: { now?: string } = {}) =>
  runSweep({ store, visits, now: () => (event.now ? new Date(event.now) : new Date()) });
