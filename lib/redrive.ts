/**
 * npm run redrive -- --county <id> [--type <event type>] [--rate <messages per second>]
 * After the cause of parked messages is fixed, moves them from a county's DLQ(s) back to the
 * source queue with an SQS message move task (uses the operator's AWS credentials).
 */
import { parseArgs } from 'node:util';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { countyById } from './counties.ts';
import { consumerFor, consumers, dlqName, queueName } from './topology.ts';

export interface RedriveResult {
  dlq: string;
  waiting: number;
  taskHandle?: string;
}

/** Starts one move task per non-empty DLQ of the county (or of one event type). */
export const redrive = async (
  sqs: SQSClient,
  countyId: string,
  options: { type?: string; rate?: number; prefix?: string } = {},
): Promise<RedriveResult[]> => {
  const county = countyById(countyId);
  const selected = options.type ? [consumerFor(options.type)] : consumers;
  if (selected.some((c) => !c)) {
    throw new Error(
      `unknown event type ${options.type}; known: ${consumers.map((c) => c.eventType).join(', ')}`,
    );
  }
  const results: RedriveResult[] = [];
  for (const c of selected) {
    if (!c) continue;
    const name = `${options.prefix ?? ''}${dlqName(county.id, c)}`;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
      }),
    );
    const waiting = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    if (waiting === 0) {
      results.push({ dlq: name, waiting });
      continue;
    }
    // The source queue named explicitly (issue 14), not left to SQS's memory of where each came from.
    const source = await sqs.send(
      new GetQueueUrlCommand({ QueueName: `${options.prefix ?? ''}${queueName(county.id, c)}` }),
    );
    const sourceArn = (
      await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: source.QueueUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn;
    const task = await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: Attributes?.QueueArn,
        DestinationArn: sourceArn,
        ...(options.rate ? { MaxNumberOfMessagesPerSecond: options.rate } : {}),
      }),
    );
    results.push({ dlq: name, waiting, taskHandle: task.TaskHandle });
  }
  return results;
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      county: { type: 'string' },
      type: { type: 'string' },
      region: { type: 'string' },
      rate: { type: 'string' },
    },
  });
  if (!values.county) {
    console.error(
      'usage: npm run redrive -- --county <id> [--type <event type>] [--rate <messages per second>]',
    );
    process.exit(2);
  }
  try {
    const sqs = new SQSClient({ region: values.region ?? countyById(values.county).region });
    for (const r of await redrive(sqs, values.county, {
      type: values.type,
      rate: values.rate ? Number(values.rate) : undefined,
    })) {
      console.log(
        r.taskHandle
          ? `${r.dlq}: moving ~${r.waiting} message(s) back to their source queue (task ${r.taskHandle})`
          : `${r.dlq}: empty, nothing to redrive`,
      );
    }
  } catch (error) {
    console.error(`redrive failed: ${(error as Error).message}`);
    process.exit(1);
  }
}
