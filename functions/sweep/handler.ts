import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { productionDeps } from '../runtime/deps.ts';
import { runSweep } from './apply.ts';

const deps = productionDeps();
const followUpQueueUrl = process.env.FOLLOWUP_QUEUE_URL;
if (!followUpQueueUrl)
  throw new Error('environment variable FOLLOWUP_QUEUE_URL is not set; the stack (lib/) sets it');
const sqs = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS });

/** Invoked by EventBridge Scheduler; `{ "now": "<ISO time>" }` in the payload replays a day. */
export const handler = async (event: { now?: string } = {}) =>
  runSweep({
    ...deps,
    now: () => (event.now ? new Date(event.now) : new Date()),
    publishFollowUp: async (body) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: followUpQueueUrl, MessageBody: body }));
    },
  });
