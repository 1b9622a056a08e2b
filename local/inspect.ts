/** Reads what the local stack did: queue depths, cases, history, rejections, emails. */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { ConsumedType as EventType } from '../lib/topology.ts';
import { CaseReader } from '../functions/adapters/case-reader.ts';
import { createDocumentClient } from '../functions/adapters/dynamodb.ts';
import { derivedId } from '../functions/core/ids.ts';
import type { OutboundEvent } from '../functions/core/outbound.ts';
import { waitFor } from './emulators.ts';
import { expandPaths, type Published, publishFiles } from './publisher.ts';
import { dynamoClient } from './runtime.ts';

export interface Depth {
  visible: number;
  inFlight: number;
  /** Messages sent with a delay, e.g. events waiting for their prerequisite. */
  delayed: number;
  dlq: number;
}

const count = async (sqs: SQSClient, url: string) => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0),
  };
};

export const queueDepths = async (
  sqs: SQSClient,
  queues: Record<EventType, { url: string; dlqUrl: string }>,
): Promise<Record<EventType, Depth>> => {
  const out = {} as Record<EventType, Depth>;
  for (const [type, q] of Object.entries(queues) as [EventType, { url: string; dlqUrl: string }][]) {
    const main = await count(sqs, q.url);
    const dlq = await count(sqs, q.dlqUrl);
    out[type] = { ...main, dlq: dlq.visible + dlq.inFlight + dlq.delayed };
  }
  return out;
};

/** Polls until every consumed queue is empty (nothing visible, nothing in flight). */
export const waitUntilDrained = async (
  sqs: SQSClient,
  queues: Record<EventType, { url: string; dlqUrl: string }>,
  waitingTypes: readonly EventType[],
  timeoutMs = 60_000,
): Promise<void> => {
  await waitFor(
    'the consumers to drain their queues',
    async () => {
      const depths = await queueDepths(sqs, queues);
      const busy = Object.entries(depths).filter(
        ([type, d]) => !waitingTypes.includes(type as EventType) && d.visible + d.inFlight + d.delayed > 0,
      );
      if (busy.length > 0)
        throw new Error(
          `still busy: ${busy.map(([t, d]) => `${t} (${d.visible + d.inFlight + d.delayed})`).join(', ')}`,
        );
    },
    timeoutMs,
    100,
  );
};

export interface StoredEmail {
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments?: { filename?: string; contentType: string; content: string }[];
  at: number;
}

export const sesEmails = async (sesEndpoint: string): Promise<StoredEmail[]> => {
  const res = await fetch(`${sesEndpoint}/store`);
  if (!res.ok) throw new Error(`SES emulator /store answered ${res.status}`);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
};

export const caseStore = (dynamodbEndpoint: string, tableName: string) =>
  new CaseReader(createDocumentClient(dynamoClient(dynamodbEndpoint)), tableName);

/** UTC days a message sent in the last `days` days could be filed under. */
export const recentDays = (days = 2, now = new Date()): string[] =>
  Array.from({ length: days }, (_, i) => new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10));

/** The rejections filed under the recent days (a rejection's day is its message's SentTimestamp's). */
export const recentRejections = async (store: Pick<CaseReader, 'listRejections'>) =>
  (await Promise.all(recentDays().map((d) => store.listRejections(d)))).flat();

/** Publishes a scenario's files in order, waiting for each to settle before the next. */
export const publishScenario = async (
  sqs: SQSClient,
  stack: { queues: Record<EventType, { url: string; dlqUrl: string }>; waitingTypes: readonly EventType[] },
  dir: string,
) => {
  const sent: Published[] = [];
  for (const file of expandPaths([dir])) {
    sent.push(...(await publishFiles(sqs, stack.queues as never, [file])));
    await waitUntilDrained(sqs, stack.queues, stack.waitingTypes);
  }
  return sent;
};

/**
 * After a sweep: what each of its visits did, once the sweep-visit worker has done them (the
 * caller waits until the queues drained). `changed`: visits that made something happen
 * (a reminder, an expiry); `pending`: visits not done yet (waiting, or parked in the DLQ).
 */
export const sweepOutcomes = async (
  store: Pick<CaseReader, 'loadCase'>,
  result: { caseIds: string[]; day: string },
): Promise<{ changed: number; unchanged: number; pending: number }> => {
  const out = { changed: 0, unchanged: 0, pending: 0 };
  for (const caseId of result.caseIds) {
    const id = derivedId('sweep', caseId, result.day);
    const entry = (await store.loadCase(caseId)).history.find((h) => h.eventId === id);
    if (!entry) out.pending++;
    else if (entry.outcome === 'applied') out.changed++;
    else out.unchanged++;
  }
  return out;
};

/**
 * Reads (and takes) what arrived on the outbound tap (`.local/stack.json` `outbound.queueUrl`,
 * issue 14) until it stays empty for `quietSeconds`: the outbound CloudEvents, in arrival order.
 */
export const takeOutbound = async (
  sqs: SQSClient,
  queueUrl: string,
  quietSeconds = 1,
): Promise<OutboundEvent[]> => {
  const out: OutboundEvent[] = [];
  for (;;) {
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: quietSeconds,
      }),
    );
    const messages = got.Messages ?? [];
    if (messages.length === 0) return out;
    for (const m of messages) out.push(JSON.parse(m.Body ?? '{}') as OutboundEvent);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
};
