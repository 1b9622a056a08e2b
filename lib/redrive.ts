/**
 * npm run redrive -- --county <id> [--type <event type>] [--region <aws region>]
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
import { consumerFor, consumers, dlqName } from './topology.ts';

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
const county = countyById(values.county);
const selected = values.type ? [consumerFor(values.type)] : consumers;
if (selected.some((c) => !c)) {
  console.error(`unknown event type ${values.type}; known: ${consumers.map((c) => c.eventType).join(', ')}`);
  process.exit(2);
}
const sqs = new SQSClient({ region: values.region ?? county.region });
for (const c of selected) {
  if (!c) continue;
  const name = dlqName(county.id, c);
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'] }),
  );
  const waiting = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  if (waiting === 0) {
    console.log(`${name}: empty, nothing to redrive`);
    continue;
  }
  // Without DestinationArn, SQS moves each message back to the queue it came from.
  const task = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: Attributes?.QueueArn,
      ...(values.rate ? { MaxNumberOfMessagesPerSecond: Number(values.rate) } : {}),
    }),
  );
  console.log(
    `${name}: moving ~${waiting} message(s) back to ${c.eventType}'s queue (task ${task.TaskHandle})`,
  );
}
