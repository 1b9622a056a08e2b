/** npm run publish -- <file|dir> [...] [--type <event type>] */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { type EventType, isKnownType } from '../events/contracts.ts';
import { publishFiles } from './publisher.ts';
import { sqsClient } from './runtime.ts';
import { readStackFile } from './stack-file.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { type: { type: 'string' } } });
if (positionals.length === 0) {
  console.error('usage: npm run publish -- <file.json|directory> [...] [--type <event type>]');
  process.exit(2);
}
if (values.type !== undefined && !isKnownType(values.type)) {
  console.error(`--type ${values.type} is not a known event type`);
  process.exit(2);
}
try {
  const stack = readStackFile();
  const sqs = sqsClient(stack.endpoints.sqs);
  const sent = await publishFiles(sqs, stack.queues, positionals, values.type as EventType | undefined);
  for (const s of sent) {
    console.log(
      `sent ${relative(process.cwd(), s.file)} → ${s.eventType}${s.eventId ? ` (event ${s.eventId})` : ''}, SQS message ${s.messageId}`,
    );
  }
  console.log(`${sent.length} event(s) published to county ${stack.county}; handler logs: ${stack.log}`);
  sqs.destroy();
} catch (error) {
  console.error(`publish failed: ${(error as Error).message}`);
  process.exit(1);
}
